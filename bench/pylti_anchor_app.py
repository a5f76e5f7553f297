"""The launch anchor: a bare pylti1p3 2.0.0 launch, the flow of pylti1p3's own Flask example.

The example ("game", in pylti1p3's flask example repository) builds a `ToolConfDict`-style
configuration, a `FlaskOIDCLogin` that redirects to the platform and a `FlaskMessageLaunch`
that validates the id_token, with launch data in Flask-Caching (`FlaskCacheDataStorage`).
Here it is registered for the bench platform (bench/platform.py) and served by the same gunicorn
settings as the tool (bench/server.py), with the tool's cache backend: Redis when the bench has
it, else the file cache. No hardening: no leeway, no nonce consumed atomically, no rate limits,
no database, no security headers, no session, no logging.

Three departures from the example, each to measure the same thing as the tool's launch:
- the routes are /lti/login and /lti/launch, so bench/learner.py launches it unchanged;
- no `enable_check_cookies()`: that answers the first login with a JavaScript page, which the
  bench client (like the tool's login) does not run;
- the launch answers a redirect to /c/1/ (the bench client's landing check) instead of rendering
  the game page, and the platform's key set is cached with `set_public_key_caching`, as
  pylti1p3's README recommends, so the anchor is the cheapest launch pylti1p3 offers.

With BENCH_ANCHOR_RECORD_DB (a database URL) it is the second anchor, "bare pylti1p3 plus the
record": after the same validation its launch also does what any tool that keeps a gradebook
must do, the plain way, and nothing more: upsert the user by `sub` and their membership of the
launch's course (roles, launch time) in one transaction, and keep who launched into which course
in Flask's signed cookie session. The tool's launch cannot cost less than this floor; how far
the tool sits above it is its own overhead (rate limits, security headers, logging, its launch
checks), and how far the floor sits above the bare launch is the record itself.

Environment: BENCH_PLATFORM_URL (the bench platform's base URL), REDIS_URL and
CACHE_KEY_PREFIX (Redis), else INSTANCE_PATH (the file cache's folder); BENCH_ANCHOR_RECORD_DB.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, redirect, session
from flask.typing import ResponseReturnValue
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from bench.baseline_app import sqlalchemy_url
from bench.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

JWKS_CACHE_SECONDS = 7200  # pylti1p3's default lifetime for a cached key set
CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"

metadata = MetaData()
users = Table(
    "bench_anchor_user", metadata,
    Column("id", Integer, primary_key=True),
    Column("sub", String(255), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    Column("email", String(255), nullable=False))
members = Table(
    "bench_anchor_member", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("bench_anchor_user.id"), nullable=False),
    Column("context_id", String(255), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("last_launch_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "context_id"))


def prepare(url: str) -> None:
    """Create the record anchor's tables (once, before gunicorn's workers start)."""
    engine = create_engine(sqlalchemy_url(url))
    metadata.create_all(engine)
    engine.dispose()


def record(engine: Engine, body: dict[str, Any]) -> dict[str, Any]:
    """Upsert the launch's user and membership in one transaction; what the session keeps."""
    upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    person = {"sub": str(body["sub"]), "name": str(body.get("name") or "")[:255],
              "email": str(body.get("email") or "")[:255]}
    context = str((body.get(CONTEXT) or {}).get("id", ""))
    roles = [r for r in body.get(ROLES, []) if isinstance(r, str)]
    with engine.begin() as conn:
        stmt = upsert(users).values(person)
        user_id = conn.execute(stmt.on_conflict_do_update(
            index_elements=["sub"], set_={"name": stmt.excluded.name, "email": stmt.excluded.email})
            .returning(users.c.id)).scalar_one()
        stmt = upsert(members).values(user_id=user_id, context_id=context, roles=roles,
                                      last_launch_at=datetime.now(UTC))
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["user_id", "context_id"],
            set_={"roles": stmt.excluded.roles, "last_launch_at": stmt.excluded.last_launch_at}))
    return {"user": user_id, "context": context, "roles": roles}


def cache_config(env: dict[str, str]) -> dict[str, object]:
    """The tool's backend: Redis when REDIS_URL is set, else a file cache in INSTANCE_PATH."""
    if env.get("REDIS_URL"):
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": env["REDIS_URL"],
                "CACHE_KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "anchor:") + "anchor:",
                "CACHE_DEFAULT_TIMEOUT": 600}
    folder = Path(env.get("INSTANCE_PATH") or tempfile.mkdtemp()) / "anchor-cache"
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder),
            "CACHE_THRESHOLD": 50000, "CACHE_DEFAULT_TIMEOUT": 600}


def tool_conf(platform_url: str) -> ToolConfDict:
    """The bench platform's registration, as the example's JSON file would give it."""
    return ToolConfDict({ISSUER: [{
        "default": True, "client_id": CLIENT_ID,
        "auth_login_url": f"{platform_url}/auth", "auth_token_url": f"{platform_url}/token",
        "auth_audience": None, "key_set_url": f"{platform_url}/jwks", "key_set": None,
        "deployment_ids": [DEPLOYMENT_ID]}]})


def create_app(env: dict[str, str] | None = None) -> Flask:
    """The anchor app, configured from the environment."""
    env = dict(os.environ if env is None else env)
    app = Flask("pylti1p3-launch-anchor")
    app.config.update(SECRET_KEY=env.get("SECRET_KEY") or secrets.token_hex(16),
                      **cache_config(env))
    cache = Cache(app)
    conf = tool_conf(env.get("BENCH_PLATFORM_URL", "http://127.0.0.1:9"))
    recorded = env.get("BENCH_ANCHOR_RECORD_DB")
    engine = create_engine(sqlalchemy_url(recorded)) if recorded else None

    def storage() -> FlaskCacheDataStorage:
        """The example's launch data storage: Flask-Caching."""
        return FlaskCacheDataStorage(cache)

    @app.route("/lti/login", methods=["GET", "POST"])
    def login() -> ResponseReturnValue:
        """OIDC login: redirect to the platform's auth URL."""
        request = FlaskRequest()
        target = request.get_param("target_link_uri")
        if not target:
            return "Missing target_link_uri", 400
        oidc = FlaskOIDCLogin(request, conf, launch_data_storage=storage())
        return oidc.redirect(target)

    @app.route("/lti/launch", methods=["POST"])
    def launch() -> ResponseReturnValue:
        """Validate the id_token (state, signature, registration, deployment, nonce)."""
        data_storage = storage()
        message_launch = FlaskMessageLaunch(FlaskRequest(), conf, launch_data_storage=data_storage)
        message_launch.set_public_key_caching(data_storage, cache_lifetime=JWKS_CACHE_SECONDS)
        body = message_launch.get_launch_data()
        if engine is not None:
            session["launch"] = record(engine, dict(body))
        return redirect("/c/1/")

    @app.get("/healthz")
    def healthz() -> str:
        """Ready probe for bench/server.py."""
        return "ok"

    del login, launch, healthz
    return app


app = create_app()
