"""What a launch no longer pays for (issue 18): limiter hooks on every page, transaction commands."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, request
from flask_limiter._manager import LimitManager
from pylti1p3.contrib.flask import FlaskRequest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from course.db import db
from course.limits import GLOBAL_SETTINGS, PER_IP, PER_USER
from course.lti.launch import ToolMessageLaunch, launch_storage
from course.models import Context, Membership, User
from tests.conftest import build_app, launch, launch_as
from tests.course.test_launch_cost import ORIGINS_QUERY, login_and_launch
from tests.platform import LEARNER, TestPlatform
from tests.sql_counter import statements

# Commands that open, end or configure a transaction: a round trip each, none of them needed
# by a read on an autocommit connection.
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SET", "SAVEPOINT", "RELEASE")


@contextmanager
def limit_checks(app: Flask, monkeypatch: Any) -> Iterator[list[str]]:
    """The endpoint of every request that hit a limit's counter, and of every limit lookup."""
    seen: list[str] = []
    # Flask-Limiter's request hook is a method bound at init_app, so a spy on the limiter would
    # miss it; the hook and its view wrapper resolve the limits through the limit manager, and
    # every check ends in the `limits` strategy's hit.
    real_resolve = LimitManager.resolve_limits
    strategy = type(app.extensions["course_limiter"].limiter)
    real_hit = strategy.hit

    def resolve(self: LimitManager, *args: Any, **kwargs: Any) -> Any:
        """Note the lookup, then resolve as usual."""
        seen.append(f"resolve {request.endpoint}")
        return real_resolve(self, *args, **kwargs)

    def hit(self: Any, *args: Any, **kwargs: Any) -> Any:
        """Note the counted request, then count it."""
        seen.append(f"hit {request.endpoint}")
        return real_hit(self, *args, **kwargs)

    monkeypatch.setattr(LimitManager, "resolve_limits", resolve)
    monkeypatch.setattr(strategy, "hit", hit)
    yield seen


def test_the_limiter_runs_only_on_the_limited_endpoints(app: Flask, platform: TestPlatform,
                                                         monkeypatch: Any) -> None:
    client = app.test_client()
    with limit_checks(app, monkeypatch) as seen:
        cid = launch_as(client, platform, "learner", user="learner-1")
        assert client.get(f"/c/{cid}/").status_code == 200
        assert client.get("/lti/jwks").status_code == 200
    # One hit per limited request. Flask-Limiter's before_request hook checked every request of
    # the app a second time (issue 18), and its view wrapper looked the limits up again on every
    # limited request; they are resolved once, when the app is built (course/limits.py).
    assert seen == ["hit lti.login", "hit lti.launch"], seen
    assert set(PER_IP) | set(PER_USER) <= set(app.view_functions)


def test_the_limited_endpoints_still_refuse_a_flood(tmp_path: Any, platforms: Any) -> None:
    app = build_app(tmp_path, RATELIMIT_LOGIN="2 per minute", RATELIMIT_LAUNCH="1 per minute")
    platform = TestPlatform()
    assert app.test_cli_runner().invoke(args=platform.cli_args()).exit_code == 0
    platforms.append(platform)
    client = app.test_client()
    assert launch(client, platform).status_code == 302  # one login and one launch
    assert login_and_launch(app, platform, "learner-2").status_code == 429  # the launch's limit
    assert client.get(platform.login_url("learner-3")).status_code == 429  # the login's
    # A page without a limit never answers 429, however spent the limited endpoints are.
    assert [client.get("/lti/jwks").status_code for _ in range(5)] == [200] * 5


def test_a_setting_that_needs_the_global_hooks_keeps_them(tmp_path: Any, platforms: Any) -> None:
    assert "RATELIMIT_DEFAULT" in GLOBAL_SETTINGS
    app = build_app(tmp_path, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/lti/jwks").status_code for _ in range(3)] == [200, 200, 429]


@contextmanager
def driver_commands(app: Flask, monkeypatch: Any) -> Iterator[list[str]]:
    """Everything the database driver sends while the block runs, the pool's own ping included."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        import psycopg
        from psycopg import _connection_base

        real_execute, real_command = psycopg.Cursor.execute, _connection_base.BaseConnection._exec_command

        def execute(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            """A query: one round trip."""
            sent.append(" ".join(str(query).split()))
            return real_execute(self, query, *args, **kwargs)

        def command(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            """psycopg's own BEGIN, COMMIT, ROLLBACK and SET: a round trip each."""
            sent.append(bytes(query).decode() if isinstance(query, bytes) else str(query))
            return real_command(self, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)
        monkeypatch.setattr(_connection_base.BaseConnection, "_exec_command", command)
        yield sent
        return

    # SQLite: its trace callback sees the statements the sqlite3 module adds (BEGIN, ROLLBACK).
    def checkout(dbapi: Any, *args: Any) -> None:
        dbapi.set_trace_callback(sent.append)

    def checkin(dbapi: Any, *args: Any) -> None:
        dbapi.set_trace_callback(None)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield sent
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)


def test_a_returning_launch_sends_its_read_and_no_transaction_command(
        app: Flask, platform: TestPlatform, monkeypatch: Any) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # warm-up
    with driver_commands(app, monkeypatch) as sent:
        assert login_and_launch(app, platform, "learner-1").status_code == 302
    # The read runs on an autocommit connection: switching to autocommit and back, and the
    # pool's rollback on return, stay in the driver (issue 18). What remains is the read
    # (on SQLite also the pool's pre-ping; PostgreSQL checks the socket: course/connections.py).
    reads = [s for s in sent if "FROM" in s.upper() and "context" in s]
    assert len(reads) == 1, sent
    assert not [s for s in sent if s.strip().upper().startswith(TRANSACTION)], sent
    assert len(sent) <= 2, sent


def test_a_new_learner_in_a_known_course_is_written_in_one_flush(app: Flask,
                                                                  platform: TestPlatform,
                                                                  monkeypatch: Any) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # the course
    flushes: list[int] = []

    def flushed(session: Any, *args: Any) -> None:
        flushes.append(len(session.new))

    event.listen(Session, "before_flush", flushed)
    try:
        with statements(app, ORIGINS_QUERY) as seen, driver_commands(app, monkeypatch) as spy:
            assert login_and_launch(app, platform, "learner-2").status_code == 302
            sent = list(spy)  # the spy on psycopg stays until the test ends
    finally:
        event.remove(Session, "before_flush", flushed)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        member = db.session.scalars(select(Membership).join(User).where(
            User.sub == "learner-2")).one()
        assert member.context_id == db.session.scalars(select(Context.id)).one()
        assert member.role == "learner" and member.lti_roles == [LEARNER]
        assert member.removed_at is None and member.last_launch_at is not None
    if postgres:
        # The read inserts the user and membership itself, on an autocommit connection
        # (issue 18): one statement, no unit of work, no BEGIN and no COMMIT.
        assert flushes == [], flushes
        assert [s.split()[0] for s in seen] == ["WITH"], seen
        assert not [s for s in sent if s.strip().upper().startswith(TRANSACTION)], sent
        assert len(sent) == 1, sent
        return
    # Elsewhere the user and the membership go in one flush (the user's own flush for its id
    # was one more unit of work per first launch, issue 18); still the read and two inserts.
    assert flushes == [2], flushes
    assert [s.split()[0] for s in seen] == ["SELECT", "INSERT", "INSERT"], seen


def test_every_kind_of_first_launch_writes_one_membership(app: Flask,
                                                          platform: TestPlatform) -> None:
    # A new course (the session writes it all), a new learner in a known course (one statement
    # on PostgreSQL), a known learner in a new course, then a known learner in a known course
    # (one INSERT on PostgreSQL), then a relaunch (nothing written).
    steps = [("learner-1", "course-1"), ("learner-2", "course-1"), ("learner-2", "course-2"),
             ("learner-1", "course-2"), ("learner-1", "course-2")]
    for user, course in steps:
        assert launch(app.test_client(), platform, user=user, context=course).status_code == 302
    with app.app_context():
        rows = db.session.execute(select(User.sub, Context.context_id, Membership.role).join(
            Membership, Membership.user_id == User.id).join(
            Context, Context.id == Membership.context_id)).all()
        assert sorted(rows) == [(u, c, "learner") for u, c in sorted(set(steps))]
        assert len(db.session.scalars(select(User.id)).all()) == 2


@contextmanager
def redis_round_trips(monkeypatch: Any) -> Iterator[list[str]]:
    """Every Redis command or pipeline (one round trip each) sent while the block runs."""
    import redis
    sent: list[str] = []
    real_command, real_pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def command(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(args[0]) if args else "?")
        return real_command(self, *args, **kwargs)

    def pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append("PIPELINE " + " ".join(str(c[0][0]) for c in self.command_stack))
        return real_pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    yield sent


def test_a_launch_takes_four_redis_round_trips(app: Flask, platform: TestPlatform,
                                               monkeypatch: Any) -> None:
    if app.config.get("CACHE_TYPE") != "RedisCache":
        pytest.skip("counts Redis round trips: set TEST_REDIS_URL")
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # warm-up
    with redis_round_trips(monkeypatch) as sent:
        assert login_and_launch(app, platform, "learner-1").status_code == 302
    # One rate-limit check each for login and launch; the login's nonce and relaunch entry in
    # one pipeline; the launch spends the nonce, drops the relaunch entry and stores the launch
    # data in one pipeline (issue 18: the launch data was a round trip of its own, 5 in all).
    assert len(sent) == 4, sent
    assert sent[-1].split() == ["PIPELINE", "DEL", "DEL", "SET"], sent


def test_a_refused_replay_stores_no_launch_data(app: Flask, platform: TestPlatform,
                                                monkeypatch: Any) -> None:
    browser = app.test_client()
    start = browser.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    data = {"id_token": form["id_token"], "state": form["state"]}
    stored: list[str] = []
    real = ToolMessageLaunch.validate_nonce

    def noted(self: ToolMessageLaunch) -> ToolMessageLaunch:
        stored.append(self.get_launch_id())
        return real(self)

    monkeypatch.setattr(ToolMessageLaunch, "validate_nonce", noted)
    assert browser.post(form["url"], data=data).status_code == 302
    assert browser.post(form["url"], data=data).status_code == 400  # the nonce is spent
    first, replay = stored
    with app.test_request_context():
        storage = launch_storage()
        storage.set_request(FlaskRequest())
        # The launch data went with the nonce's removal; the replay's went and was taken back.
        assert storage.get_value(first)["sub"] == "learner-1"
        assert storage.get_value(replay) is None


@contextmanager
def events_seen(name: str, *targets: Any) -> Iterator[list[str]]:
    """The class name of the first argument of every `name` event on the targets in the block."""
    seen: list[str] = []

    def noted(target: Any, *args: Any) -> None:
        seen.append(type(target).__name__)

    for target in targets:
        event.listen(target, name, noted)
    try:
        yield seen
    finally:
        for target in targets:
            event.remove(target, name, noted)


def test_an_unchanged_returning_launch_builds_no_user_or_membership_row(
        app: Flask, platform: TestPlatform) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302
    with events_seen("init", User, Membership) as built:
        assert launch(app.test_client(), platform, user="learner-1").status_code == 302
        # Compared as plain values (issue 18): no ORM row, nothing in the session to flush.
        assert built == [], built
        renamed = launch(app.test_client(), platform, user="learner-1",
                         mutate=lambda body: body.update(name="Renamed Learner"))
        assert renamed.status_code == 302
        assert built == ["User", "Membership"], built  # a change goes through the session
    with app.app_context():
        assert db.session.scalars(select(User.name)).one() == "Renamed Learner"
