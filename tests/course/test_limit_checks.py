"""The login and launch limits checked straight through the `limits` strategy (issue 18)."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_limiter._extension import LimiterContext
from flask_limiter.commands import cli as limiter_cli
from limits import parse

from course.lti import service
from tests.conftest import build_app, launch
from tests.platform import TestPlatform


def _remaining(app: Flask, endpoint: str) -> int:
    """What is left of the client's per-IP limit on an endpoint, read from the counter itself."""
    limiter = app.extensions["course_limiter"]
    prefix = app.config.get("CACHE_KEY_PREFIX", "")
    item = parse(app.config["RATELIMIT_LOGIN" if endpoint == "lti.login" else "RATELIMIT_LAUNCH"])
    bucket = [prefix, "127.0.0.1", endpoint] if prefix else ["127.0.0.1", endpoint]
    return int(limiter.limiter.get_window_stats(item, *bucket).remaining)


def test_each_request_counts_once_in_flask_limiters_own_counter(app: Flask,
                                                               platform: TestPlatform) -> None:
    before = _remaining(app, "lti.login"), _remaining(app, "lti.launch")
    assert launch(app.test_client(), platform).status_code == 302
    # The same key Flask-Limiter's wrapper used (prefix, client IP, endpoint), so its CLI's
    # `limits --key` and `clear` still see and reset these counts.
    assert (_remaining(app, "lti.login"), _remaining(app, "lti.launch")) == (
        before[0] - 1, before[1] - 1)


def test_the_cli_still_lists_every_limit(app: Flask) -> None:
    shown = app.test_cli_runner().invoke(limiter_cli, ["limits"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    out = shown.output
    for endpoint in ("lti.login", "lti.launch", "quizzes.import_file", "exports.print_pdf"):
        assert endpoint in out
    assert out.count("900 per 1 minute") == 2, out  # login and launch
    assert out.count("30 per 1 minute") == 2, out  # the two handout PDF endpoints' shared budget


def test_a_spent_launch_limit_refuses_before_any_validation(tmp_path: Any, platforms: Any,
                                                            monkeypatch: Any) -> None:
    app = build_app(tmp_path, RATELIMIT_LAUNCH="1 per minute")
    platform = TestPlatform()
    assert app.test_cli_runner().invoke(args=platform.cli_args()).exit_code == 0
    platforms.append(platform)
    assert launch(app.test_client(), platform).status_code == 302
    called: list[int] = []
    monkeypatch.setattr(service, "new_launch", lambda *a, **k: called.append(1))
    refused = launch(app.test_client(), platform, user="learner-2")
    # Retry-After from the spent limit (`current_limit`); a sliding window may say up to two.
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 120
    assert called == []  # the id_token was never looked at


def test_only_a_refused_request_keeps_limiter_state(tmp_path: Any, platforms: Any,
                                                    monkeypatch: Any) -> None:
    app = build_app(tmp_path, RATELIMIT_LOGIN="1 per minute")
    platform = TestPlatform()
    assert app.test_cli_runner().invoke(args=platform.cli_args()).exit_code == 0
    platforms.append(platform)
    made: list[int] = []
    real = LimiterContext.__init__

    def counted(self: LimiterContext, *args: Any, **kwargs: Any) -> None:
        made.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(LimiterContext, "__init__", counted)
    client = app.test_client()
    assert client.get("/lti/jwks").status_code == 200
    assert client.get(platform.login_url("learner-1")).status_code == 302
    # The teardown built Flask-Limiter's per-request state on every request of the app just to
    # reset it (issue 18); only a refusal keeps state (the limit the 429 page reads).
    assert made == []
    refused = client.get(platform.login_url("learner-1"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert made == [1]
