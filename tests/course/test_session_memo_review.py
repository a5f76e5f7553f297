"""Review of the session cookie memo (d9fd5b9) and the enrolling launch read (f4f4edd, becda29).

Edge cases the commits' own tests leave open: a key dropped from the fallbacks, the memo's bound
under threads, and a launch hook that fails after the read has enrolled the new member.
"""
from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask, request
from sqlalchemy import func, select

from course import session_cookie
from course.db import db
from course.models import Context, Membership, User
from course.registry import add_launch_hook
from tests.conftest import launch, launch_as
from tests.platform import TestPlatform

COOKIE = "msc_session"


def _cookie(client: Any) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return str(found.value)


def _home_with(app: Flask, cid: int, value: str) -> int:
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return int(other.get(f"/c/{cid}/").status_code)


def test_a_remembered_cookie_is_refused_once_its_fallback_key_is_dropped(
        app: Flask, platform: TestPlatform) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    good = _cookie(client)
    old_key = app.secret_key
    app.secret_key = "a-rotated-key-" + "y" * 32
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert _home_with(app, cid, good) == 200  # verified with the fallback, now remembered
    assert _home_with(app, cid, good) == 200  # served from the memo
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _home_with(app, cid, good) == 401  # the old key is gone: the memo must not keep it


def test_an_altered_payload_of_a_remembered_cookie_is_refused(app: Flask,
                                                              platform: TestPlatform) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    good = _cookie(client)
    assert _home_with(app, cid, good) == 200  # remembered
    payload, stamp, signature = good.rsplit(".", 2)
    changed = ("B" if payload[5] != "B" else "C")
    altered = f"{payload[:5]}{changed}{payload[6:]}.{stamp}.{signature}"
    assert _home_with(app, cid, altered) == 401
    later = f"{payload}.{stamp[:-1]}{'A' if stamp[-1] != 'A' else 'B'}.{signature}"
    assert _home_with(app, cid, later) == 401  # a changed signing time is not the same text


def test_the_memo_stays_bounded_under_threads(app: Flask, platform: TestPlatform,
                                              monkeypatch: Any) -> None:
    monkeypatch.setattr(session_cookie, "MAX_OPENED", 3)
    cookies = []
    for n in range(6):
        client = app.test_client()
        launch_as(client, platform, "learner", user=f"learner-{n}")
        cookies.append(_cookie(client))
    interface = app.session_interface
    failures: list[BaseException] = []

    def open_all() -> None:
        try:
            for _ in range(20):
                for value in cookies:
                    with app.test_request_context("/", headers={"Cookie": f"{COOKIE}={value}"}):
                        opened = interface.open_session(app, request)
                        assert opened is not None and opened.get("grants")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=open_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert isinstance(interface, session_cookie.KeptSerializerSession)
    kept = interface._kept  # noqa: SLF001 - the memo itself
    assert kept is not None and len(kept[2]) <= 3


def test_a_failing_launch_hook_leaves_a_membership_the_next_launch_completes(
        app: Flask, platform: TestPlatform) -> None:
    assert launch(app.test_client(), platform, user="learner-1").status_code == 302  # the course
    calls: list[str] = []

    def hook(ctx: Any, claims: dict[str, Any], created: bool) -> None:
        calls.append(claims["sub"])
        if len(calls) == 1:
            raise RuntimeError("hook failed once")

    add_launch_hook(app, hook)
    client = app.test_client()
    try:
        failed = launch(client, platform, user="learner-2").status_code
    except RuntimeError:
        failed = 500
    assert failed == 500
    with app.app_context():
        cid = db.session.scalar(select(Context.id).where(Context.context_id == "course-1"))
    assert client.get(f"/c/{cid}/").status_code == 401  # no grant from the failed launch
    with app.app_context():
        members = db.session.scalar(select(func.count(Membership.id)).join(User).where(
            User.sub == "learner-2"))
        # PostgreSQL: the read committed the membership before the hook ran (f4f4edd); SQLite
        # writes it in the session, which the failure rolled back. Either way it gives no access
        # until a launch completes, and the next launch runs the hooks again.
        assert members == (1 if db.engine.dialect.name == "postgresql" else 0)
    again = app.test_client()
    assert launch(again, platform, user="learner-2").status_code == 302
    assert calls == ["learner-2", "learner-2"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id)).join(User).where(
            User.sub == "learner-2")) == 1


@pytest.mark.parametrize("relaunch", [False, True])
def test_the_enrolling_read_only_enrols_in_the_course_the_token_names(
        app: Flask, platform: TestPlatform, relaunch: bool) -> None:
    assert launch(app.test_client(), platform, user="learner-1", context="course-1").status_code \
        == 302
    assert launch(app.test_client(), platform, user="learner-1", context="course-2").status_code \
        == 302
    browser = app.test_client()
    if relaunch:  # a browser with grants takes the plain read first (becda29)
        assert launch(browser, platform, user="learner-1", context="course-1").status_code == 302
    assert launch(browser, platform, user="learner-9", context="course-2").status_code == 302
    with app.app_context():
        rows = db.session.execute(select(User.sub, Context.context_id).join(
            Membership, Membership.user_id == User.id).join(
            Context, Context.id == Membership.context_id).order_by(User.sub,
                                                                   Context.context_id)).all()
    assert [tuple(r) for r in rows] == [("learner-1", "course-1"), ("learner-1", "course-2"),
                                        ("learner-9", "course-2")]
