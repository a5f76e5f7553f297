"""Shared fixtures: an app per test on SQLite (or PostgreSQL/Redis when the CI asks for them)."""
import os
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from course import create_app
from course.db import db
from course.lti import http
from tests.platform import INSTRUCTOR, LEARNER, FlaskAdapter, TestPlatform, platform_app

# .ci/run sets these to run the same suite on PostgreSQL and Redis.
DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")


def make_config(tmp_path: Any, **extra: Any) -> dict[str, Any]:
    """Test settings: isolated instance folder, database and cache for one test."""
    config: dict[str, Any] = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance")}
    if DATABASE_URL:
        url = DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        config["SQLALCHEMY_DATABASE_URI"] = url
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if REDIS_URL:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=REDIS_URL,
                      CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex[:8]}:")
    else:
        config.update(CACHE_TYPE="FileSystemCache", CACHE_DIR=str(tmp_path / "cache"))
    config.update(extra)
    return config


def build_app(tmp_path: Any, **extra: Any) -> Flask:
    """A fresh app with an empty schema."""
    app = create_app(make_config(tmp_path, **extra))
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path: Any) -> Any:
    """The app under test."""
    application = build_app(tmp_path)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser for the app."""
    return app.test_client()


@pytest.fixture
def platforms() -> Any:
    """Registry of test platforms whose JWKS URLs are routed in-process."""
    found: list[TestPlatform] = []
    adapter = FlaskAdapter(platform_app(found))
    http.mount("https://", adapter)
    yield found
    http.unmount_all()


@pytest.fixture
def register(app: Flask, platforms: list[TestPlatform]) -> Callable[..., TestPlatform]:
    """Register a test platform with the tool through the CLI, as an administrator would."""
    def _register(**kwargs: Any) -> TestPlatform:
        platform = TestPlatform(**kwargs)
        result = app.test_cli_runner().invoke(args=platform.cli_args())
        assert result.exit_code == 0, result.output
        platforms.append(platform)
        return platform
    return _register


@pytest.fixture
def platform(register: Callable[..., TestPlatform]) -> TestPlatform:
    """One registered platform."""
    return register()


def launch(client: FlaskClient, platform: TestPlatform, user: str = "learner-1",
           roles: tuple[str, ...] = (LEARNER,), context: str | None = "course-1",
           **kwargs: Any) -> Any:
    """OIDC login -> platform auth -> POST id_token to the tool; returns the launch response."""
    start = client.get(platform.login_url(user))
    assert start.status_code == 302, start.get_data(as_text=True)
    form = platform.authorize(start.location, user, list(roles), context, **kwargs)
    return client.post(form["url"], data={"id_token": form["id_token"], "state": form["state"]})


def launch_as(client: FlaskClient, platform: TestPlatform, role: str = "learner",
              **kwargs: Any) -> int:
    """Launch and follow into the course; returns the context id from /c/<cid>/."""
    roles = (INSTRUCTOR,) if role == "instructor" else (LEARNER,)
    kwargs.setdefault("user", f"{role}-1")
    resp = launch(client, platform, roles=roles, **kwargs)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    match = re.match(r"^(?:http://localhost)?/c/(\d+)/", resp.location)
    assert match, resp.location
    return int(match.group(1))


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
