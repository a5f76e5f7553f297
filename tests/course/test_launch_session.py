"""A launch's two sessions (issue 18): the cookie's serializer built once and still signed; no ORM
session at all for an unchanged relaunch."""
from __future__ import annotations

from typing import Any

from flask import Flask, sessions
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from course.db import db
from course.models import Deployment, Membership, User
from course.registry import add_launch_hook
from tests.conftest import launch, launch_as
from tests.course.test_launch_overhead import events_seen
from tests.platform import LEARNER, TestPlatform

COOKIE = "msc_session"


def test_the_session_serializer_is_built_once_not_per_request(app: Flask, platform: TestPlatform,
                                                              monkeypatch: Any) -> None:
    built: list[int] = []
    real = sessions.URLSafeTimedSerializer

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sessions, "URLSafeTimedSerializer", Counted)
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="learner-1")
    assert client.get(f"/c/{cid}/").status_code == 200
    launch_as(app.test_client(), platform, "learner", user="learner-2")
    # Flask built one for every open and every save: 3 per login + launch, 2 per page.
    assert built == [1], built


def _cookie(client: Any) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return str(found.value)


def test_the_session_is_still_signed_and_follows_the_key(app: Flask,
                                                         platform: TestPlatform) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="learner-1")
    good = _cookie(client)

    def home_with(value: str) -> int:
        other = app.test_client()
        other.set_cookie(COOKIE, value)
        return int(other.get(f"/c/{cid}/").status_code)

    assert home_with(good) == 200
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert home_with(forged) == 401  # a changed signature is no session at all
    old_key = app.secret_key
    app.secret_key = "a-new-key-" + "x" * 32
    assert home_with(good) == 401  # signed with the old key: refused once the key changes
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert home_with(good) == 200  # unless the old key is kept as a fallback


def test_an_unchanged_relaunch_opens_no_orm_session(app: Flask, platform: TestPlatform) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # warm
    with events_seen("after_transaction_create", Session) as begun:
        assert launch(app.test_client(), platform, user="learner-1").status_code == 302
        # The read runs on its own autocommit connection and nothing is written; the commit of
        # an empty ORM session cost its set-up and teardown on every relaunch (issue 18).
        assert begun == [], begun
        renamed = launch(app.test_client(), platform, user="learner-1",
                         mutate=lambda body: body.update(name="Renamed Learner"))
        assert renamed.status_code == 302 and begun  # a change still goes through the session


def test_a_new_member_of_a_known_course_builds_no_orm_rows(app: Flask,
                                                           platform: TestPlatform) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # the course
    built: list[str] = []

    def noted(target: Any, *args: Any) -> None:
        built.append(type(target).__name__)

    for model in (User, Membership):
        event.listen(model, "init", noted)
    event.listen(Session, "after_transaction_create", noted)
    try:
        assert launch(app.test_client(), platform, user="learner-2").status_code == 302
    finally:
        for model in (User, Membership):
            event.remove(model, "init", noted)
        event.remove(Session, "after_transaction_create", noted)
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        member = db.session.execute(select(Membership.role, Membership.lti_roles, User.name)
                                    .join(User).where(User.sub == "learner-2")).one()
    assert member.role == "learner" and member.lti_roles == [LEARNER]
    # On PostgreSQL the plain values go straight into the one INSERT (issue 18); SQLite writes
    # the two rows through the session's one flush.
    if postgres:
        assert built == [], built
    else:
        assert "User" in built and "Membership" in built


def test_a_hook_that_writes_on_a_first_launch_keeps_its_row_and_the_membership(
        app: Flask, platform: TestPlatform) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # the course
    # On PostgreSQL the read enrolled learner-2 before the hooks ran; the hook's row is still
    # committed by the launch (issue 18).

    def hook(ctx: Any, claims: dict[str, Any], created: bool) -> None:
        db.session.add(Deployment(registration_id=ctx.registration_id,
                                  deployment_id=f"hook-{claims['sub']}"))

    add_launch_hook(app, hook)
    assert launch(app.test_client(), platform, user="learner-2").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Deployment.id).where(
            Deployment.deployment_id == "hook-learner-2")).one()
        assert db.session.scalars(select(Membership.id).join(User).where(
            User.sub == "learner-2")).one()
