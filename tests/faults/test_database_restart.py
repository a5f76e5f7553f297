"""PostgreSQL restarted during submissions: clean 503s, nothing half-written, recovery by itself.

The app runs on a private PostgreSQL cluster (tests/faults/servers.py) that the test stops and
restarts; the shared server on 5432 is never touched.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from course.db import db
from quizzes.bank_loader import get_bank
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, ScoreOutbox
from tests.conftest import build_app, launch_as
from tests.faults.helpers import assert_clean_error, attempt_id, start_attempt, submit
from tests.faults.servers import PrivatePostgres, wait_for
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
    # A restart between two requests leaves only dead connections in the pool; pre-ping
    # replaces them, so even the first request after it works.
    private_postgres.restart()
    for p in people:
        assert p.client.get(f"/c/{p.cid}/quizzes/").status_code == 200


class HeldCommit:
    """Hold one thread's submission just before COMMIT, with the attempt and score row written.

    While it waits the test stops PostgreSQL, so the transaction dies half-done for certain.
    """

    def __init__(self) -> None:
        """Events for the test to wait on and to release the commit."""
        self.paused, self.resume, self.mine = threading.Event(), threading.Event(), threading.local()

    def __enter__(self) -> HeldCommit:
        """Listen to every session's commits."""
        event.listen(Session, "before_commit", self._before_commit)
        return self

    def __exit__(self, *exc: Any) -> None:
        """Stop listening, and never leave a thread waiting."""
        self.resume.set()
        event.remove(Session, "before_commit", self._before_commit)

    def _before_commit(self, session: Session) -> None:
        """Pause the marked thread's commit of a submission (attempt and score row flushed)."""
        if getattr(self.mine, "on", False) and not self.paused.is_set() and any(
                isinstance(obj, Attempt) and obj.state == SUBMITTED
                for obj in session.identity_map.values()):
            self.paused.set()
            self.resume.wait(120)

    def run(self, fn: Any, *args: Any) -> Any:
        """Run fn in this thread with its submission commit held."""
        self.mine.on = True
        return fn(*args)


def test_restart_in_the_middle_of_a_submission_storm_loses_nothing(
        app: Flask, platform: TestPlatform, private_postgres: PrivatePostgres) -> None:
    people = learners_with_attempts(app, platform, 10)
    ids = {p.attempt for p in people}
    victim, others = people[0], people[1:]
    answered: dict[int, int] = {}

    def press_submit(p: Learner) -> None:
        """One learner presses Submit once; record what the server said."""
        resp = submit(p.client, p.url, p.token)
        if resp.status_code != 302:
            assert_clean_error(resp, 503, "Temporarily unavailable")
        answered[p.attempt] = resp.status_code

    with HeldCommit() as held, ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(held.run, press_submit, victim)]
        wait_for(lambda: held.paused.is_set() or futures[0].done(), "the held commit")
        assert held.paused.is_set(), "the submission committed without being held"
        futures += [pool.submit(press_submit, p) for p in others]
        private_postgres.stop()  # the held transaction and any others in flight are cut
        try:
            held.resume.set()
            futures[0].result()  # its error page is rendered while the database is still down
        finally:
            private_postgres.start()
        for future in futures:
            future.result()
    assert answered[victim.attempt] == 503
    # Whatever the interleaving, a refused submission left nothing behind and a success is whole.
    with app.app_context():
        done = set(db.session.scalars(select(Attempt.id).where(Attempt.state == SUBMITTED)))
    assert {i for i, status in answered.items() if status == 302} <= done
    assert victim.attempt not in done
    assert_database_consistent(app, done, ids)
    # The learners told to try again do so; every attempt ends submitted exactly once.
    for p in people:
        if answered[p.attempt] != 302:
            assert submit(p.client, p.url, p.token).status_code == 302
    assert_database_consistent(app, ids, ids)
