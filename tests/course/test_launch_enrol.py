"""The launch's one statement on PostgreSQL (issue 18): it finds the course, the learner and the
membership, and enrols a known course's new member; relaunches insert nothing."""
from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, insert, select, text

from course.db import db, utcnow
from course.lti import claims
from course.models import Context, Membership, Registration, User
from tests.conftest import launch
from tests.course.test_launch_cost import ORIGINS_QUERY
from tests.platform import LEARNER, TestPlatform
from tests.sql_counter import statements

SEQUENCES = ("lti_user_id_seq", "membership_id_seq")


def _postgres(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _sequences(app: Flask) -> list[int]:
    """Where the user and membership id sequences stand."""
    with app.app_context():
        return [db.session.scalar(text(f"SELECT last_value FROM {name}")) for name in SEQUENCES]


def test_a_relaunch_inserts_nothing_and_draws_no_id(app: Flask, platform: TestPlatform) -> None:
    if not _postgres(app):
        pytest.skip("the enrolling read is PostgreSQL's (a data-modifying WITH)")
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302
    assert launch(app.test_client(), platform, user="learner-2").status_code == 302
    before = _sequences(app)
    for user in ("learner-1", "learner-2", "learner-1"):
        assert launch(app.test_client(), platform, user=user).status_code == 302
    # The statement's INSERTs select no row for a known member: no id is drawn (nor a
    # transaction id, so nothing is flushed at the statement's commit).
    assert _sequences(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))) == 2
        assert db.session.scalar(select(func.count(User.id))) == 2


def test_a_first_launch_that_also_changes_the_course_or_the_learner_keeps_both(
        app: Flask, platform: TestPlatform) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302
    assert launch(app.test_client(), platform, user="learner-2", context="course-2").status_code \
        == 302
    # A new learner in a course that was renamed, and a known learner who was renamed joining a
    # known course: the membership (enrolled by the read on PostgreSQL) and the change are kept.
    renamed_learner = launch(app.test_client(), platform, user="learner-2",
                             mutate=lambda body: body.update(name="Renamed Learner"))
    renamed_course = launch(app.test_client(), platform, user="learner-3",
                            mutate=lambda body: body[claims.CONTEXT].update(
                                title="Renamed course"))
    assert renamed_course.status_code == 302 and renamed_learner.status_code == 302
    with app.app_context():
        rows = db.session.execute(select(User.sub, User.name, Context.context_id, Context.title,
                                         Membership.role, Membership.lti_roles)
                                  .join(Membership, Membership.user_id == User.id)
                                  .join(Context, Context.id == Membership.context_id)
                                  .order_by(User.sub, Context.context_id)).all()
    assert [(r.sub, r.context_id) for r in rows] == [
        ("learner-1", "course-1"), ("learner-2", "course-1"), ("learner-2", "course-2"),
        ("learner-3", "course-1")]
    assert {r.title for r in rows if r.context_id == "course-1"} == {"Renamed course"}
    assert {r.name for r in rows if r.sub == "learner-2"} == {"Renamed Learner"}
    assert {(r.role, tuple(r.lti_roles)) for r in rows} == {("learner", (LEARNER,))}


def test_a_browser_that_launched_before_reads_first(app: Flask, platform: TestPlatform) -> None:
    if not _postgres(app):
        pytest.skip("SQLite always reads first")
    browser = app.test_client()
    assert launch(browser, platform, user="learner-1").status_code == 302
    kinds = []
    for client, user in ((browser, "learner-1"), (browser, "learner-2"),
                         (app.test_client(), "learner-3")):
        with statements(app, ORIGINS_QUERY) as seen:
            assert launch(client, platform, user=user).status_code == 302
        kinds.append([s.split()[0] for s in seen])
    # A relaunch from a browser with a grant: the plain read (the INSERTs cost PostgreSQL's
    # set-up even when they insert nothing). Someone new on that browser: the read finds no
    # membership, so the enrolling read follows. A browser without a grant: the enrolling read.
    assert kinds == [["SELECT"], ["SELECT", "WITH"], ["WITH"]], kinds
    with app.app_context():
        assert sorted(db.session.scalars(select(User.sub).join(Membership))) == [
            "learner-1", "learner-2", "learner-3"]


def _waiting_on_a_lock(app: Flask) -> bool:
    """Whether a backend of this test database waits on a row or key lock right now."""
    with app.app_context(), db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")))


def test_a_first_launch_meeting_another_uncommitted_one_looks_again(
        app: Flask, platform: TestPlatform) -> None:
    if not _postgres(app):
        pytest.skip("a second connection's open transaction: PostgreSQL")
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302
    # The same person's other tab has written their user and membership and not yet committed:
    # this launch's INSERT waits on the unique key, then meets the committed rows
    # (IntegrityError), and the launch looks again and finds them (not a 500).
    with app.app_context():
        other = db.engine.connect()
        reg_id = db.session.scalar(select(Registration.id))
        ctx_id = db.session.scalar(select(Context.id))
    tx = other.begin()
    user_id = other.scalar(insert(User).values(registration_id=reg_id, sub="learner-2",
                                               name="Learner", email="", created_at=utcnow())
                           .returning(User.id))
    other.execute(insert(Membership).values(user_id=user_id, context_id=ctx_id, role="learner",
                                            lti_roles=[LEARNER], last_launch_at=utcnow()))
    answered: list[Any] = []
    tab = threading.Thread(target=lambda: answered.append(
        launch(app.test_client(), platform, user="learner-2").status_code))
    tab.start()
    try:
        for _ in range(600):  # until the launch waits on the other tab's key (not a timing)
            if _waiting_on_a_lock(app) or not tab.is_alive():
                break
            threading.Event().wait(0.05)
        assert tab.is_alive(), answered  # it waited for the other tab's rows
    finally:
        tx.commit()
        other.close()
        tab.join(60)
    assert answered == [302]
    with app.app_context():
        assert db.session.scalars(select(Membership.user_id).join(User).where(
            User.sub == "learner-2")).all() == [user_id]
