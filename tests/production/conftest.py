"""Fixtures for the production tests: one stack for the package, skipped without the services.

They run when TEST_DATABASE_URL and TEST_REDIS_URL are set (`make test-services` sets them)
and both answer; the SQLite run skips them with the reason.
"""
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.production.platform_web import Browser, PlatformWeb
from tests.production.stack import ProductionStack, reachable_or_reason

DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    """PostgreSQL database, Redis prefix, platform and app servers A and B, for every test here."""
    if not (DATABASE_URL and REDIS_URL):
        pytest.skip("production set-up needs PostgreSQL and Redis: set TEST_DATABASE_URL and "
                    "TEST_REDIS_URL (make test-services does when they are reachable)")
    reason = reachable_or_reason(DATABASE_URL, REDIS_URL)
    if reason:
        pytest.skip(reason)
    built = ProductionStack(tmp_path_factory.mktemp("production"), DATABASE_URL, REDIS_URL)
    try:
        yield built.start()
    finally:
        built.close()


@pytest.fixture
def servers(stack: ProductionStack) -> tuple[Any, Any]:
    """App servers A and B (bench.server.Gunicorn objects with base_url and log)."""
    a, b = stack.servers
    return a, b


@pytest.fixture
def web(stack: ProductionStack) -> PlatformWeb:
    """The platform the app servers reach over HTTP."""
    assert stack.web is not None
    return stack.web


@pytest.fixture
def browser() -> Browser:
    """A fresh browser behind the load balancer."""
    return Browser()
