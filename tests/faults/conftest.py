"""Fixtures for fault tests: private PostgreSQL and Redis servers, an AGS platform over HTTP."""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from course.db import db
from tests.conftest import DATABASE_URL, REDIS_URL, build_app
from tests.faults.http_platform import HttpPlatform
from tests.faults.servers import PrivatePostgres, PrivateRedis, postgres_bin
from tests.platform import TestPlatform


@pytest.fixture
def own_database() -> Iterator[str | None]:
    """On PostgreSQL, a database of the test's own on the shared server, dropped afterwards.

    These tests run for seconds with processes of their own; other suites on the machine drop
    and recreate the tables of the shared `test` database meanwhile.
    """
    if not DATABASE_URL:
        yield None
        return
    server = make_url(DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(tmp_path: Any, own_database: str | None) -> Iterator[Flask]:
    """The suite's app, on the test's own database when on PostgreSQL."""
    extra = {"SQLALCHEMY_DATABASE_URI": own_database} if own_database else {}
    application = build_app(tmp_path, **extra)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of our own (the shared one on 5432 must never be restarted)."""
    if not DATABASE_URL:
        pytest.skip("PostgreSQL fault test: runs in the PostgreSQL run (TEST_DATABASE_URL set)")
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
    try:
        server = PrivatePostgres(bindir)
    except KeyError:
        pytest.skip("running as root but there is no `postgres` user to run initdb as")
    try:
        yield server.create()
    finally:
        server.destroy()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of our own, which the test may kill, freeze and start again."""
    if not REDIS_URL:
        pytest.skip("Redis fault test: runs in the Redis run (TEST_REDIS_URL set)")
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    server = PrivateRedis(binary).start()
    try:
        yield server
    finally:
        if server.proc is not None:
            server.thaw()
        server.kill()


@pytest.fixture
def http_platform(app: Flask, platforms: list[TestPlatform]) -> Iterator[HttpPlatform]:
    """The test platform's services on a real socket, and one platform registered on it."""
    served = HttpPlatform(platforms, app)
    result = app.test_cli_runner().invoke(args=served.platform.cli_args())
    assert result.exit_code == 0, result.output
    platforms.append(served.platform)
    try:
        yield served
    finally:
        served.close()

