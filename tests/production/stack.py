"""A production stack for the tests: a fresh PostgreSQL database, a Redis key prefix, the
independent platform over HTTP, and two gunicorn app servers run with course/gunicorn.conf.py."""
import os
import secrets
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import psycopg
import redis
from flask import Flask
from sqlalchemy.engine import make_url

from bench.server import Gunicorn
from course import create_app
from course.db import db
from tests.production.platform_web import PlatformWeb

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "course" / "gunicorn.conf.py"
# Only what a process needs to run; the rest of the test environment (TEST_*, FLASK_*) stays out.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


class ProductionStack:
    """Everything the production tests run against; close() undoes all of it."""

    def __init__(self, tmp: Path, database_url: str, redis_url: str) -> None:
        """Remember where PostgreSQL and Redis are; nothing starts until start()."""
        self.tmp, self.redis_url = tmp, redis_url
        self.admin_url = make_url(database_url).set(drivername="postgresql")
        self.db_name = f"msc_prod_{secrets.token_hex(4)}"
        self.database_url = self.admin_url.set(database=self.db_name) \
            .render_as_string(hide_password=False)
        self.prefix = f"msc-prod-{secrets.token_hex(4)}:"
        self.secret = secrets.token_hex(32)
        self.servers: list[Gunicorn] = []
        self.web: PlatformWeb | None = None
        self._app: Flask | None = None
        self._exit = ExitStack()

    def env(self, name: str, **extra: str) -> dict[str, str]:
        """Production settings for one process: no TESTING, no demo, shared database and Redis."""
        env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
        env.update({
            "APP_ENV": "production", "SECRET_KEY": self.secret, "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url, "CACHE_KEY_PREFIX": self.prefix,
            # Behind the load balancer (the test browser), which sets X-Forwarded-*.
            "PROXY_FIX": "1",
            # The load balancer's name (X-Forwarded-Host) and the servers' own for /healthz.
            "TRUSTED_HOSTS": "localhost 127.0.0.1",
            # Plain HTTP on loopback; in production TLS ends at the proxy and this stays https.
            "PREFERRED_URL_SCHEME": "http",
            # Each process has its own instance folder: nothing may be shared through files.
            "INSTANCE_PATH": str(self.tmp / f"instance-{name}"),
            "GUNICORN_CMD_ARGS": f"-c {GUNICORN_CONFIG}", "WEB_CONCURRENCY": "2",
            "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
        })
        env.update(extra)
        return env

    def flask(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run `flask --app wsgi ...` as an administrator would; fail the test if it fails."""
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                              env=self.env("cli"), capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"flask {' '.join(args)}: {done.stdout}{done.stderr}"
        return done

    def start(self) -> "ProductionStack":
        """Database, schema, platform, registration, then app servers A and B."""
        self._create_database()
        self._exit.callback(self._drop_database)
        self._exit.callback(self._forget_cache)
        self.flask("db", "upgrade")
        self.web = PlatformWeb()
        self._exit.callback(self.web.stop)
        self.flask(*self.web.platform.cli_args())
        for name in ("a", "b"):
            server = Gunicorn("wsgi:app", self.env(name), self.tmp, name, "/healthz")
            self.servers.append(self._exit.enter_context(server))
        self.web.use_tool(self.servers[0].base_url)
        return self

    def close(self) -> None:
        """Stop every process this stack started, drop the database and its Redis keys."""
        if self._app is not None:
            with self._app.app_context():
                db.session.remove()
                db.engine.dispose()
        self._exit.close()

    @property
    def app(self) -> Flask:
        """An app in this process on the same database and Redis, to set up and inspect data."""
        if self._app is None:
            url = make_url(self.database_url).set(drivername="postgresql+psycopg")
            self._app = create_app({
                "INSTANCE_PATH": str(self.tmp / "instance-test"),
                "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": self.redis_url,
                "CACHE_KEY_PREFIX": self.prefix})
        return self._app

    def log_lines(self, server: Gunicorn) -> list[str]:
        """Every non-empty line the server wrote (stdout and stderr go to one file)."""
        return [line for line in server.log.read_text(errors="replace").splitlines()
                if line.strip()]

    def _create_database(self) -> None:
        """CREATE DATABASE msc_prod_<random> for this run only."""
        with psycopg.connect(self.admin_url.render_as_string(hide_password=False),
                             autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')

    def _drop_database(self) -> None:
        """Drop this run's database, closing any connection a killed process left behind."""
        with psycopg.connect(self.admin_url.render_as_string(hide_password=False),
                             autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def _forget_cache(self) -> None:
        """Delete this run's Redis keys (launch state, nonces, JWKS, tokens)."""
        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=5)
        keys = list(client.scan_iter(match=self.prefix + "*", count=500))
        if keys:
            client.delete(*keys)


def reachable_or_reason(database_url: str, redis_url: str) -> str | None:
    """None when PostgreSQL and Redis both answer, else why the tests cannot run."""
    try:
        url = make_url(database_url).set(drivername="postgresql")
        psycopg.connect(url.render_as_string(hide_password=False), connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable at {database_url}: {exc.__class__.__name__}"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis unreachable at {redis_url}: {exc.__class__.__name__}"
    return None

