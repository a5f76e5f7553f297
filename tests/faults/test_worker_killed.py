"""A worker SIGKILLed while it sends a score: the next worker sends it, once for the gradebook.

Both workers are real `flask --app wsgi worker` processes on the test's database; the platform
is a real HTTP server in the test process whose gate holds the first score POST open until the
first worker is dead.
"""
from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from course.db import db
from quizzes.models import SENDING, SENT, ScoreOutbox
from tests.faults.http_platform import HttpPlatform
from tests.faults.servers import wait_for, worker_process
from tests.platform_services import launch_with_services
from tests.quizzes.scores.test_grade_passback import take_quiz

pytestmark = pytest.mark.slow


def worker_env(app: Flask, **extra: str) -> dict[str, str]:
    """Environment for a worker process on the same database, instance folder and cache."""
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "INSTANCE_PATH": app.instance_path, "HTTP_TIMEOUT_SECONDS": "30", **extra}
    if app.config["CACHE_TYPE"] == "RedisCache":
        env.update(REDIS_URL=app.config["CACHE_REDIS_URL"],
                   CACHE_KEY_PREFIX=app.config["CACHE_KEY_PREFIX"])
    return env


def outbox(app: Flask) -> list[tuple[str, int]]:
    """(status, tries) of every outbox row, read fresh."""
    with app.app_context():
        rows = [(r.status, r.tries) for r in db.session.scalars(select(ScoreOutbox))]
        db.session.remove()
    return rows


def output(log: Path) -> str:
    """What a worker printed, for failure messages."""
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


def stop(proc: Any) -> None:
    """End a worker the way a process manager does, killing it if it does not listen."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except Exception:  # subprocess.TimeoutExpired: it ignored SIGTERM
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("processed", [True, False], ids=["reply-lost", "never-recorded"])
def test_killed_worker_score_is_sent_by_the_next_worker_exactly_once(
        app: Flask, client: Any, http_platform: HttpPlatform, tmp_path: Path,
        processed: bool) -> None:
    services, gate = http_platform.services, http_platform.gate
    cid = launch_with_services(client, http_platform.platform, services, "learner")
    take_quiz(app, client, cid, right=True)
    gate.hold(1, processed=processed)
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    first = worker_process(worker_env(app), first_log, "--interval", "0.5")
    try:
        wait_for(lambda: gate.arrived.is_set() or first.poll() is not None,
                 "the first worker's score POST")
        assert gate.arrived.is_set(), output(first_log)
        assert outbox(app) == [(SENDING, 0)]
        first.send_signal(signal.SIGKILL)
        assert first.wait(30) == -signal.SIGKILL
    finally:
        stop(first)
    gate.released.set()  # the platform now records the held score, or drops it unseen
    assert gate.finished.wait(30)
    assert outbox(app) == [(SENDING, 0)], "a dead worker's row must wait for the next worker"
    second = worker_process(worker_env(app, OUTBOX_STALE_SECONDS="1"), second_log,
                            "--interval", "0.2")
    try:
        wait_for(lambda: outbox(app)[0][0] == SENT or second.poll() is not None,
                 "the second worker to send the score")
    finally:
        stop(second)
    assert outbox(app) == [(SENT, 0)], output(second_log)
    book = http_platform.gradebook()
    assert [(user, s["scoreGiven"]) for (user, _), s in book.items()] == [("learner-1", 100.0)]
    assert len(services.scores) == 1, "the LMS counted the score twice"
    assert len(services.received) == (2 if processed else 1)
    assert "Sent" in client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
