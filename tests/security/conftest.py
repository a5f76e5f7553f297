"""Module-wide app and platforms: the sweeps seed a course once and send many requests to it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from course.db import db
from course.lti import http
from tests.conftest import build_app
from tests.platform import FlaskAdapter, TestPlatform, platform_app


@pytest.fixture(scope="module")
def sec_platforms() -> Any:
    """Test platforms whose JWKS URLs are routed in-process, for the whole module."""
    found: list[TestPlatform] = []
    http.mount("https://", FlaskAdapter(platform_app(found)))
    yield found
    http.unmount_all()


@pytest.fixture(scope="module")
def sec_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            sec_platforms: list[TestPlatform]) -> Any:
    """One app per test module; a module may set APP_CONFIG (e.g. DEMO_PLATFORM)."""
    # The sweeps post each form hundreds of times as one user: per-user limits would answer
    # 429 before the view is reached, so they are raised here (tests/course/test_rate_limits.py
    # tests the production limits).
    extra = {"RATELIMIT_IMPORT": "100000 per minute", "RATELIMIT_RENDER": "100000 per minute",
             **getattr(request.module, "APP_CONFIG", {})}
    application = build_app(tmp_path_factory.mktemp("security"), **extra)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def sec_register(sec_app: Flask, sec_platforms: list[TestPlatform]) -> Callable[..., TestPlatform]:
    """Register a test platform through the CLI, as an administrator would."""
    def _register(**kwargs: Any) -> TestPlatform:
        """Register one platform and route its JWKS."""
        platform = TestPlatform(**kwargs)
        result = sec_app.test_cli_runner().invoke(args=platform.cli_args())
        assert result.exit_code == 0, result.output
        sec_platforms.append(platform)
        return platform
    return _register
