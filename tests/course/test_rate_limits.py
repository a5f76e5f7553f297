"""Rate limits (course/limits.py): a class of 300 behind one NAT gets in, a flood gets a 429."""
from __future__ import annotations

import io
import logging
import threading
import uuid
from typing import Any

import pytest
from flask import Flask

from course import create_app
from course.config import build_config
from course.db import db
from tests.conftest import REDIS_URL, build_app, csrf_from, launch, launch_as, make_config
from tests.platform import TestPlatform

CLASS_SIZE = 300
GIFT = b"::q1:: MS fatigue is {=real ~imagined}\n"


def defaults(tmp_path: Any) -> dict[str, Any]:
    """The limits production gets when no RATELIMIT_* variable is set."""
    built = build_config(tmp_path, {})
    return {k: v for k, v in built.items() if k.startswith("RATELIMIT_")}


def test_production_defaults_are_the_ones_this_file_tests(tmp_path: Any, app: Flask) -> None:
    """The app under test runs with exactly the production limits (no test override)."""
    prod = defaults(tmp_path)
    assert prod["RATELIMIT_ENABLED"] is True
    assert {k: app.config[k] for k in prod if k != "RATELIMIT_STORAGE_URI"} == \
        {k: v for k, v in prod.items() if k != "RATELIMIT_STORAGE_URI"}


def test_a_class_of_300_behind_one_nat_all_launch_then_a_flood_gets_429(
        app: Flask, platform: TestPlatform) -> None:
    """Every learner logs in and launches from one IP in one window; what comes after is cut."""
    for n in range(CLASS_SIZE):
        resp = launch(app.test_client(), platform, user=f"learner-{n}")
        assert resp.status_code == 302, (n, resp.status_code)
    login_limit = int(app.config["RATELIMIT_LOGIN"].split()[0])
    flood, passed = app.test_client(), 0
    for _ in range(login_limit + 10):
        code = flood.get(platform.login_url("flooder")).status_code
        if code == 429:
            break
        assert code == 302
        passed += 1
    # The class's logins count in the window (fewer only if the class took over a minute).
    assert login_limit - CLASS_SIZE <= passed <= login_limit
    last = flood.get(platform.login_url("flooder"))
    assert last.status_code == 429
    assert 1 <= int(last.headers["Retry-After"]) <= 60
    page = last.get_data(as_text=True)
    assert "Too many requests" in page and "Wait" in page and "try again" in page
    assert "<html" in page.lower() and "Traceback" not in page


def test_limited_launch_posts_answer_429_as_json_when_asked(tmp_path: Any, platforms: Any) -> None:
    app = build_app(tmp_path, RATELIMIT_LAUNCH="2 per minute")
    client = app.test_client()
    for _ in range(2):
        client.post("/lti/launch", data={"id_token": "x", "state": "y"})
    resp = client.post("/lti/launch", data={"id_token": "x", "state": "y"},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 429
    assert resp.json["status"] == 429 and "try again" in resp.json["message"]
    assert int(resp.headers["Retry-After"]) >= 1


def test_limits_can_be_switched_off_for_a_trusted_deployment(tmp_path: Any,
                                                             platforms: Any) -> None:
    app, platform = _limited_app(tmp_path, platforms, RATELIMIT_ENABLED=False,
                                 RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    assert [client.get(platform.login_url("u")).status_code for _ in range(5)] == [302] * 5


def _import(client: Any, cid: int) -> Any:
    """One dry-run GIFT import from the transfer page's form."""
    token = csrf_from(client.get(f"/c/{cid}/quizzes/instructor/transfer").get_data(as_text=True))
    return client.post(f"/c/{cid}/quizzes/instructor/transfer/import",
                       data={"csrf_token": token, "dry_run": "y",
                             "file": (io.BytesIO(GIFT), "q.gift")},
                       content_type="multipart/form-data")


def _limited_app(tmp_path: Any, platforms: list[TestPlatform], **limits: Any) -> tuple[Flask, Any]:
    """An app with small limits and one registered platform."""
    app = build_app(tmp_path, **limits)
    platform = TestPlatform()
    assert app.test_cli_runner().invoke(args=platform.cli_args()).exit_code == 0
    platforms.append(platform)
    return app, platform


def test_imports_are_limited_per_user_not_per_ip(tmp_path: Any, platforms: Any) -> None:
    app, platform = _limited_app(tmp_path, platforms, RATELIMIT_IMPORT="2 per minute")
    first, second = app.test_client(), app.test_client()
    cid = launch_as(first, platform, "instructor", user="teacher-1")
    launch_as(second, platform, "instructor", user="teacher-2")
    assert [_import(first, cid).status_code for _ in range(2)] == [200, 200]
    refused = _import(first, cid)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    # Same IP, another teacher: not limited by the first one's imports.
    assert _import(second, cid).status_code == 200


def test_handout_pdfs_are_limited_per_user(tmp_path: Any, platforms: Any) -> None:
    app, platform = _limited_app(tmp_path, platforms, RATELIMIT_RENDER="1 per minute")
    first, second = app.test_client(), app.test_client()
    cid = launch_as(first, platform, "learner", user="learner-1")
    launch_as(second, platform, "learner", user="learner-2")
    slug = _first_handout_slug()
    assert first.get(f"/c/{cid}/handouts/{slug}.pdf").status_code == 200
    refused = first.get(f"/c/{cid}/handouts/{slug}.pdf")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # The print form draws on the same budget as the PDF link.
    token = csrf_from(first.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    printed = first.post(f"/c/{cid}/handouts/print",
                         data={"csrf_token": token, "slugs": slug, "paper": "a4"})
    assert printed.status_code == 429
    assert second.get(f"/c/{cid}/handouts/{slug}.pdf").status_code == 200


def _first_handout_slug() -> str:
    """A shipped handout's slug."""
    from exports.content import get_handouts
    return get_handouts()[0].slug


def test_concurrent_renders_over_the_cap_get_503_with_retry_after(
        tmp_path: Any, platforms: Any, monkeypatch: Any) -> None:
    app, platform = _limited_app(tmp_path, platforms, RATELIMIT_RENDER_CONCURRENCY=1,
                                 RATELIMIT_RENDER_WAIT_SECONDS=0.05)
    started, release = threading.Event(), threading.Event()

    def slow_render(*args: Any, **kwargs: Any) -> tuple[bytes, bool]:
        """Hold the render slot until the test lets go."""
        started.set()
        release.wait(10)
        return b"%PDF-1.7 stub", False

    monkeypatch.setattr("exports.views.handout_pdf", slow_render)
    first, second = app.test_client(), app.test_client()
    cid = launch_as(first, platform, "learner", user="learner-1")
    launch_as(second, platform, "learner", user="learner-2")
    url = f"/c/{cid}/handouts/{_first_handout_slug()}.pdf"
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(first.get(url).status_code))
    worker.start()
    try:
        assert started.wait(10)
        busy = second.get(url)
    finally:
        release.set()
        worker.join(10)
    assert results == [200]
    assert busy.status_code == 503 and int(busy.headers["Retry-After"]) >= 1
    assert "printed right now" in busy.get_data(as_text=True)
    assert second.get(url).status_code == 200  # the slot is free again


def test_limiter_storage_down_fails_open_with_a_log_line(
        tmp_path: Any, platforms: Any, caplog: Any) -> None:
    # Nothing listens on port 1: every limiter call fails at once.
    app, platform = _limited_app(tmp_path, platforms, RATELIMIT_LOGIN="1 per minute",
                                 RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        codes = [client.get(platform.login_url("u")).status_code for _ in range(3)]
    assert codes == [302] * 3
    assert any("rate limit" in r.getMessage().lower() for r in caplog.records)


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")
def test_on_redis_every_worker_shares_one_count(tmp_path: Any, platforms: Any) -> None:
    """Two apps (two workers) on the same database, Redis and prefix count together."""
    shared = {"RATELIMIT_LOGIN": "2 per minute", "CACHE_KEY_PREFIX": f"rl-{uuid.uuid4().hex}:"}
    one, platform = _limited_app(tmp_path, platforms, **shared)
    two = create_app(make_config(tmp_path, **shared))
    assert one.test_client().get(platform.login_url("u")).status_code == 302
    assert two.test_client().get(platform.login_url("u")).status_code == 302
    assert one.test_client().get(platform.login_url("u")).status_code == 429
    with two.app_context():
        db.engine.dispose()


def test_every_limited_endpoint_exists(app: Flask) -> None:
    """A renamed view would silently lose its limit; this names it instead."""
    from course.limits import PER_IP, PER_USER, RENDERS
    missing = (set(PER_IP) | set(PER_USER) | set(RENDERS)) - set(app.view_functions)
    assert not missing, missing
