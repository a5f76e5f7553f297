"""PostgreSQL connections (course/connections.py): reads without a transaction, writes inside one,
and a dead pooled connection replaced without a ping."""
from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text

from course.connections import engine_options, needs_transaction
from course.db import db
from course.models import Registration, User
from tests.conftest import launch_as
from tests.course.test_launch_overhead import driver_commands
from tests.platform import TestPlatform


@pytest.mark.parametrize(("statement", "expected"), [
    ("SELECT quiz.id FROM quiz WHERE quiz.id = %(id)s", False),
    ("  select 1", False),
    ("SELECT for_update_count FROM t", False),
    ("INSERT INTO quiz (title) VALUES (%(t)s)", True),
    ("UPDATE quiz_attempt SET state = 'submitted'", True),
    ("DELETE FROM quiz_flag WHERE id = 1", True),
    ("WITH u AS (INSERT INTO lti_user DEFAULT VALUES RETURNING id) SELECT id FROM u", True),
    ("SAVEPOINT sa_savepoint_1", True),
    ("SELECT id FROM score_outbox FOR UPDATE SKIP LOCKED", True),
    ("SELECT id FROM score_outbox\nFOR NO KEY UPDATE", True),
    ("SELECT id FROM quiz FOR SHARE", True),
    ("SELECT id FROM quiz FOR KEY SHARE", True),
    ("SELECT pg_advisory_xact_lock(42)", True),
])
def test_only_a_plain_select_runs_outside_a_transaction(statement: str, expected: bool) -> None:
    assert needs_transaction(statement) is expected


def test_sqlite_keeps_the_pre_ping_and_postgresql_drops_it() -> None:
    assert engine_options("sqlite:///x.sqlite3", {})["pool_pre_ping"] is True
    pg = engine_options("postgresql+psycopg://u@h/db", {"pool_size": 5})
    assert pg == {"pool_size": 5, "pool_pre_ping": False}
    # psycopg2 gets no socket check (course/connections.py reads psycopg 3's connection), so it
    # keeps the ping.
    assert engine_options("postgresql+psycopg2://u@h/db", {})["pool_pre_ping"] is True


def _postgres(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")


def test_a_page_that_only_reads_sends_only_its_selects(app: Flask, platform: TestPlatform,
                                                       monkeypatch: Any) -> None:
    _postgres(app)
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="learner-1")
    assert client.get(f"/c/{cid}/").status_code == 200
    with driver_commands(app, monkeypatch) as sent:
        assert client.get(f"/c/{cid}/").status_code == 200
    # No ping, no BEGIN and no ROLLBACK around them: three round trips fewer per page.
    assert sent, "the home reads the learner's rows"
    assert all(s.upper().startswith("SELECT") for s in sent), sent


def opened_by(sent: list[str]) -> list[str]:
    """The first word of each statement that opened a transaction.

    The spy records a query as psycopg's execute starts, and psycopg sends the BEGIN from inside
    it, so each BEGIN comes right after the statement that needed it.
    """
    return [sent[i - 1].split()[0].upper() for i, s in enumerate(sent) if s.startswith("BEGIN")]


def _registration(app: Flask) -> int:
    """The id of the test platform's registration (a user needs one)."""
    with app.app_context():
        found = db.session.scalar(select(Registration.id).limit(1))
        db.session.remove()
    assert found is not None
    return found


def test_a_write_after_reads_is_one_transaction_that_rolls_back(
        app: Flask, platform: TestPlatform, monkeypatch: Any) -> None:
    _postgres(app)
    reg = _registration(app)
    with app.app_context(), driver_commands(app, monkeypatch) as sent:
        before = db.session.scalar(select(func.count()).select_from(User))
        db.session.add(User(registration_id=reg, sub="rolled-back", name="X"))
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(User)) == before + 1
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(User)) == before
    # The first read ran with no transaction; the INSERT opened the one the rollback ended.
    assert opened_by(sent) == ["INSERT"], sent
    assert sent.index("ROLLBACK") > sent.index("BEGIN"), sent


def test_a_committed_write_is_kept_and_the_next_write_opens_a_new_transaction(
        app: Flask, platform: TestPlatform, monkeypatch: Any) -> None:
    _postgres(app)
    reg = _registration(app)
    with app.app_context(), driver_commands(app, monkeypatch) as sent:
        db.session.add(User(registration_id=reg, sub="kept-1", name="A"))
        db.session.commit()
        db.session.add(User(registration_id=reg, sub="kept-2", name="B"))
        db.session.commit()
        kept = db.session.scalars(select(User.sub).where(User.sub.like("kept-%"))).all()
        db.session.execute(delete(User).where(User.sub.like("kept-%")))
        db.session.commit()
    assert sorted(kept) == ["kept-1", "kept-2"]
    assert opened_by(sent) == ["INSERT", "INSERT", "DELETE"], sent
    assert sent.count("COMMIT") == 3, sent


def test_a_locking_read_opens_the_transaction(app: Flask, monkeypatch: Any) -> None:
    _postgres(app)
    with app.app_context(), driver_commands(app, monkeypatch) as sent:
        db.session.execute(select(User.id).with_for_update(skip_locked=True)).all()
        db.session.rollback()
    assert opened_by(sent) == ["SELECT"] and "FOR UPDATE" in sent[0], sent


def test_a_connection_the_server_ended_is_replaced_at_checkout(app: Flask, platform: TestPlatform
                                                               ) -> None:
    _postgres(app)
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="learner-1")
    with app.app_context():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()  # back to the pool, idle
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
            assert other.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid}) is True
            # The server ends the backend asynchronously; wait until it is gone.
            for _ in range(100):
                if not other.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"),
                                    {"p": pid}):
                    break
                other.execute(text("SELECT pg_sleep(0.02)"))
    # With no ping, the first page on that connection must still be clean: the checkout sees
    # the closed socket and the pool reconnects.
    assert client.get(f"/c/{cid}/").status_code == 200
    with app.app_context():
        assert db.session.scalar(text("SELECT pg_backend_pid()")) != pid
