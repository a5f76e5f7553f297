"""PostgreSQL restarted during submissions: clean 503s, nothing half-written, recovery by itself.

The app runs on a private PostgreSQL cluster (tests/faults/servers.py) that the test stops and
restarts; the shared server on 5432 is never touched.
"""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from course.db import db
from quizzes.bank_loader import get_bank
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, ScoreOutbox
from tests.conftest import build_app, launch_as
from tests.faults.helpers import assert_clean_error, attempt_id, start_attempt, submit
from tests.faults.servers import PrivatePostgres
from tests.platform import TestPlatform

pytestmark = pytest.mark.slow

SLUG = get_bank().quizzes[0].slug


@pytest.fixture
def app(tmp_path: Any, private_postgres: PrivatePostgres) -> Iterator[Flask]:
    """The app on the private cluster (overrides the suite's `app`, so launches use it too)."""
    application = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=private_postgres.url)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class Learner:
    """A launched learner with an attempt in progress."""

    client: Any
    cid: int
    url: str
    token: str

    @property
    def attempt(self) -> int:
        """The attempt's id."""
        return attempt_id(self.url)


def learners_with_attempts(app: Flask, platform: TestPlatform, n: int) -> list[Learner]:
    """Launch n learners, each with an attempt started (and nothing submitted yet)."""
    found = []
    for i in range(n):
        client = app.test_client()
        cid = launch_as(client, platform, "learner", user=f"learner-{i}")
        found.append(Learner(client, cid, *start_attempt(client, cid, SLUG)))
    return found


def assert_database_consistent(app: Flask, submitted: set[int], all_ids: set[int]) -> None:
    """Exactly the acknowledged attempts are submitted, each with exactly one score row."""
    with app.app_context():
        attempts = {a.id: a for a in db.session.scalars(select(Attempt))}
        rows = Counter(db.session.scalars(select(ScoreOutbox.attempt_id)))
    assert set(attempts) == all_ids
    assert {i for i, a in attempts.items() if a.state == SUBMITTED} == submitted
    assert rows == Counter({i: 1 for i in submitted}), "a submission without its score row"
    for i in all_ids - submitted:
        attempt = attempts[i]
        assert (attempt.state, attempt.active, attempt.submitted_at, attempt.score) == (
            IN_PROGRESS, 1, None, None), f"attempt {i} half-written"
    for i in submitted:
        assert attempts[i].submitted_at is not None and attempts[i].score is not None


def test_outage_gives_clean_503s_and_the_app_recovers_by_itself(
        app: Flask, platform: TestPlatform, private_postgres: PrivatePostgres) -> None:
    people = learners_with_attempts(app, platform, 5)
    ids = {p.attempt for p in people}
    for p in people[:2]:
        assert submit(p.client, p.url, p.token).status_code == 302
    private_postgres.stop()
    try:
        waiting = people[2]
        assert_clean_error(submit(waiting.client, waiting.url, waiting.token), 503,
                           "Temporarily unavailable", "Your saved work is safe")
        assert_clean_error(waiting.client.post(waiting.url, data={
            "csrf_token": waiting.token, "positions": "1", "go": "save"}), 503)
        assert_clean_error(people[3].client.get(f"/c/{people[3].cid}/"), 503)
        assert_clean_error(people[0].client.get(f"/c/{people[0].cid}/quizzes/"), 503)
        health = app.test_client().get("/healthz")
        assert health.status_code == 503 and health.json["database"].startswith("error")
    finally:
        private_postgres.start()
    # No app restart: the very next requests work, on connections the pool checked (pre-ping).
    assert submit(waiting.client, waiting.url, waiting.token).status_code == 302
    assert app.test_client().get("/healthz").status_code == 200
    for p in people[3:]:
        assert submit(p.client, p.url, p.token).status_code == 302
    for p in people:
        review = p.client.get(f"/c/{p.cid}/quizzes/attempts/{p.attempt}/review")
        assert review.status_code == 200, review.get_data(as_text=True)[:2000]
    assert_database_consistent(app, ids, ids)


def test_restart_in_the_middle_of_a_submission_storm_loses_nothing(
        app: Flask, platform: TestPlatform, private_postgres: PrivatePostgres) -> None:
    people = learners_with_attempts(app, platform, 10)
    ids = {p.attempt for p in people}
    answered: dict[int, int] = {}
    two_done = threading.Event()

    def press_submit(p: Learner) -> None:
        """One learner presses Submit once; record what the server said."""
        resp = submit(p.client, p.url, p.token)
        if resp.status_code != 302:
            assert_clean_error(resp, 503)
        answered[p.attempt] = resp.status_code
        if len(answered) >= 2:
            two_done.set()

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(press_submit, p) for p in people]
        assert two_done.wait(120), "no submission finished"
        private_postgres.restart()  # connections in use are cut mid-request
        for future in futures:
            future.result()
    acknowledged = {i for i, status in answered.items() if status == 302}
    # Whatever the interleaving, a refused submission left nothing behind and a success is whole.
    with app.app_context():
        done = set(db.session.scalars(select(Attempt.id).where(Attempt.state == SUBMITTED)))
    assert acknowledged <= done
    assert_database_consistent(app, done, ids)
    # The learners told to try again do so; every attempt ends submitted exactly once.
    for p in people:
        if answered[p.attempt] != 302:
            assert submit(p.client, p.url, p.token).status_code == 302
    assert_database_consistent(app, ids, ids)
