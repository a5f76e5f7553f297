"""Redis unavailable: launches fail with a clear 503 page, nothing gives a 500, and it recovers.

The app's cache is a private redis-server (tests/faults/servers.py) that the test kills (every
connection refused) or freezes with SIGSTOP (connections open, nothing answers, so only the
socket timeouts in course/config.py stop a request hanging).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from course.config import redis_options
from course.db import db
from tests.conftest import build_app, launch_as
from tests.faults.helpers import assert_clean_error
from tests.faults.servers import PrivateRedis
from tests.platform import LEARNER, TestPlatform

pytestmark = pytest.mark.slow

CACHE_DOWN = "shared cache is unreachable"


@pytest.fixture
def app(tmp_path: Any, own_database: str | None, private_redis: PrivateRedis) -> Iterator[Flask]:
    """The app with its cache on the private redis-server, as REDIS_URL would configure it."""
    extra = {"SQLALCHEMY_DATABASE_URI": own_database} if own_database else {}
    application = build_app(
        tmp_path, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=private_redis.url,
        CACHE_KEY_PREFIX="faults:", CACHE_OPTIONS=redis_options({"REDIS_TIMEOUT_SECONDS": "0.5"}),
        **extra)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def half_launch(app: Flask, platform: TestPlatform, user: str) -> tuple[Any, dict[str, str]]:
    """OIDC login done and the id_token signed, but not yet posted to the tool."""
    client = app.test_client()
    start = client.get(platform.login_url(user))
    assert start.status_code == 302, start.get_data(as_text=True)
    return client, platform.authorize(start.location, user, [LEARNER], "course-1")


def course_pages(cid: int) -> list[str]:
    """Pages a launched learner uses that need the database but not the cache."""
    return [f"/c/{cid}/", f"/c/{cid}/modules/", f"/c/{cid}/quizzes/", f"/c/{cid}/quizzes/history"]


@pytest.mark.parametrize("fault", ["killed", "frozen"])
def test_redis_down_launches_refused_cleanly_then_everything_recovers(
        app: Flask, platform: TestPlatform, private_redis: PrivateRedis, fault: str) -> None:
    learner = app.test_client()
    cid = launch_as(learner, platform, "learner", user="learner-1")
    waiting, form = half_launch(app, platform, "learner-2")
    private_redis.kill() if fault == "killed" else private_redis.freeze()
    try:
        assert_clean_error(app.test_client().get(platform.login_url("learner-3")), 503,
                           CACHE_DOWN)
        assert_clean_error(waiting.post(form["url"], data={"id_token": form["id_token"],
                                                           "state": form["state"]}),
                           503, CACHE_DOWN)
        for url in course_pages(cid):
            resp = learner.get(url)
            if resp.status_code != 200:
                assert_clean_error(resp, 503)
        health = app.test_client().get("/healthz")
        assert health.status_code == 503
        assert health.json["cache"].startswith("error") and health.json["database"] == "ok"
    finally:
        private_redis.start() if fault == "killed" else private_redis.thaw()
    # Same app, no restart: the next launch and every page work again.
    assert app.test_client().get("/healthz").status_code == 200
    again = app.test_client()
    assert launch_as(again, platform, "learner", user="learner-3") == cid
    for url in course_pages(cid):
        assert again.get(url).status_code == 200, url
        assert learner.get(url).status_code == 200, url
