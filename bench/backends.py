"""Where the benchmarked app keeps its data: PostgreSQL and Redis when reachable, else SQLite
and the file cache in a temporary instance folder. Also builds the app's environment."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "msc_bench"
PG_FALLBACK_DB = "test"
REDIS_URL = "redis://127.0.0.1:6379/1"


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections there."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class Backends:
    """The database and cache the bench runs against, and what it had to fall back to."""

    instance: Path
    database_url: str
    redis_url: str | None
    own_database: bool  # True when the bench created the database and may reset it
    notes: list[str] = field(default_factory=list)
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    prefix: str = field(default_factory=lambda: f"msc-bench-{secrets.token_hex(4)}:")

    @property
    def database_kind(self) -> str:
        """'postgresql' or 'sqlite'."""
        return "postgresql" if self.database_url.startswith("postgresql") else "sqlite"

    def app_env(self) -> dict[str, str]:
        """The app's environment: production settings except the demo platform and plain HTTP."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("FLASK_", "DATABASE_", "REDIS_", "TEST_"))}
        env.update({"DEMO_PLATFORM": "1", "SECRET_KEY": self.secret, "LOG_JSON": "1",
                    "PREFERRED_URL_SCHEME": "http", "INSTANCE_PATH": str(self.instance),
                    "DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT),
                    "BENCH_BASELINE_DB": self.database_url, "CACHE_KEY_PREFIX": self.prefix})
        # Every launch and handout comes from 127.0.0.1, faster than any class: the limiter still
        # runs (its cost is measured) with limits the bench cannot reach (docs/rate-limits.md).
        env.update({name: "1000000 per minute" for name in (
            "RATELIMIT_LOGIN", "RATELIMIT_LAUNCH", "RATELIMIT_IMPORT", "RATELIMIT_RENDER")})
        env.pop("APP_ENV", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env


def fresh_database(name: str) -> str:
    """A new, empty PostgreSQL database of this name (any old one dropped first); its URL."""
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _create_pg_database() -> tuple[str, bool, str]:
    """A fresh msc_bench database; on failure the `test` database. Returns (url, own, note)."""
    import psycopg
    try:
        return fresh_database(PG_BENCH_DB), True, ""
    except psycopg.Error as exc:
        note = (f"could not create {PG_BENCH_DB} ({exc.__class__.__name__}); "
                f"using the {PG_FALLBACK_DB} database")
        return f"postgresql://postgres@127.0.0.1:5432/{PG_FALLBACK_DB}", False, note


def drop_pg_database() -> None:
    """Remove the bench database after the run (best effort)."""
    import psycopg
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
    except psycopg.Error:
        pass


def choose(instance: Path) -> Backends:
    """PostgreSQL and Redis on 127.0.0.1 when they answer, else SQLite and the file cache."""
    notes: list[str] = []
    if reachable("127.0.0.1", 5432):
        url, own, note = _create_pg_database()
        if note:
            notes.append(note)
    else:
        url, own = f"sqlite:///{instance / 'bench.sqlite3'}", True
        notes.append("PostgreSQL unreachable: SQLite")
    redis_url = REDIS_URL if reachable("127.0.0.1", 6379) else None
    if redis_url is None:
        notes.append("Redis unreachable: file cache")
    return Backends(instance, url, redis_url, own, notes)


def prepare_schema(backends: Backends) -> str:
    """`flask db upgrade`, then bench.schema checks it against the models (create_all if not)."""
    env = backends.app_env()
    upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    args = [sys.executable, "-m", "bench.schema"]
    if backends.own_database:
        args.append("--reset-if-behind")
    if upgrade.returncode != 0:
        args.append("--upgrade-failed")
    check = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if check.returncode != 0:
        raise RuntimeError(f"schema set-up failed: {(check.stderr or check.stdout)[-400:]}")
    return check.stdout.strip().splitlines()[-1] if check.stdout.strip() else "schema ready"
