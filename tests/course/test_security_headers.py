"""The security headers hook (course/security.py): the same headers, built once per origins memo."""
from __future__ import annotations

import sys
from typing import Any

from flask import Flask, Response

from tests.platform import TestPlatform

OURS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
        "Permissions-Policy")


def security_hook(app: Flask) -> Any:
    """The after_request function course/security.py registered."""
    return next(f for f in app.after_request_funcs[None] if f.__module__ == "course.security")


def python_calls(call: Any) -> int:
    """Python functions entered while `call` runs."""
    seen = [0]

    def spy(frame: Any, event: str, arg: Any) -> None:
        """Count one entry."""
        if event == "call":
            seen[0] += 1

    sys.setprofile(spy)
    try:
        call()
    finally:
        sys.setprofile(None)
    return seen[0]


def test_a_response_costs_one_scan_of_its_headers(app: Flask) -> None:
    # Four setdefaults with a CSP built each time cost 39 Python calls here (issue 18); the
    # kept headers and one scan cost 20.
    hook = security_hook(app)
    with app.test_request_context("/"):
        hook(Response("warm"))
        resp = Response("x", headers={"Location": "/c/1/", "Set-Cookie": "a=b"})
        assert python_calls(lambda: hook(resp)) <= 22
    assert [resp.headers.getlist(name) for name in OURS] == [[resp.headers[name]] for name in OURS]


def test_a_views_own_headers_stay_and_nothing_is_doubled(app: Flask) -> None:
    hook = security_hook(app)
    with app.test_request_context("/"):
        resp = hook(Response("x", headers={"content-security-policy": "default-src 'none'",
                                           "Referrer-Policy": "no-referrer"}))
    assert resp.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert resp.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"


def test_new_origins_and_frame_ancestors_reach_the_next_response(
        app: Flask, register: Any) -> None:
    client = app.test_client()
    assert "https://school.example" not in client.get("/healthz").headers[OURS[0]]
    app.config["FRAME_ANCESTORS"] = ["https://school.example"]
    assert "https://school.example" in client.get("/healthz").headers[OURS[0]]
    platform: TestPlatform = register(issuer="https://lms.other.test")
    policy = client.get("/healthz").headers[OURS[0]]
    assert "https://lms.other.test" in policy and "https://school.example" in policy
    del platform


def request_id_hook(app: Flask) -> Any:
    """The before_request function course/logs.py registered."""
    return next(f for f in app.before_request_funcs[None] if f.__module__ == "course.logs")


def test_a_request_id_costs_no_uuid_object(app: Flask) -> None:
    # uuid4() built a UUID and its .hex, and the hook kept an unread start time in g: 12 Python
    # calls (issue 18); now 5.
    hook = request_id_hook(app)
    with app.test_request_context("/"):
        assert python_calls(hook) <= 6
        first = app.test_client().get("/healthz").headers["X-Request-ID"]
    second = app.test_client().get("/healthz").headers["X-Request-ID"]
    assert len(first) == len(second) == 32 and first != second
    assert int(first, 16) >= 0
