"""The session cookie opened once per text (issue 18): still verified, aged and copied per request."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import launch_as
from tests.platform import TestPlatform

COOKIE = "msc_session"


def _cookie(client: Any) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return str(found.value)


def test_a_cookie_is_verified_once_then_remembered(app: Flask, platform: TestPlatform,
                                                   monkeypatch: Any) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    opened: list[str] = []
    real = URLSafeTimedSerializer.loads

    def counted(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(value)
        return real(self, value, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counted)
    cookie = _cookie(client)
    for _ in range(3):
        other = app.test_client()  # another worker's request with the same cookie text
        other.set_cookie(COOKIE, cookie)
        assert other.get(f"/c/{cid}/").status_code == 200
    assert opened.count(cookie) <= 1, opened  # Flask verified it on each of the 3


def test_a_remembered_cookie_still_ages_out(app: Flask, platform: TestPlatform,
                                            monkeypatch: Any) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    assert client.get(f"/c/{cid}/").status_code == 200  # opened and remembered
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=60)
    assert client.get(f"/c/{cid}/").status_code == 200
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    # itsdangerous refuses a signature older than the lifetime; the memo must too.
    assert client.get(f"/c/{cid}/").status_code == 401


def test_each_request_gets_its_own_copy_of_the_session(app: Flask,
                                                       platform: TestPlatform) -> None:
    client = app.test_client()
    launch_as(client, platform, "learner")
    cookie = _cookie(client)
    found = []
    for _ in range(2):
        with app.test_request_context("/", headers={"Cookie": f"{COOKIE}={cookie}"}):
            from flask import request
            session = app.session_interface.open_session(app, request)
            assert session is not None and session["grants"]
            found.append(session)
    assert found[0] == found[1]
    # A view that changed one request's grants in place must not change the next request's.
    assert found[0]["grants"] is not found[1]["grants"]
    next(iter(found[0]["grants"].values()))["r"] = "instructor"
    assert next(iter(found[1]["grants"].values()))["r"] == "learner"
