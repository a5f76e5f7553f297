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

Environment: BENCH_PLATFORM_URL (the bench platform's base URL), REDIS_URL and
CACHE_KEY_PREFIX (Redis), else INSTANCE_PATH (the file cache's folder).
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask, redirect
from flask.typing import ResponseReturnValue
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

from bench.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

JWKS_CACHE_SECONDS = 7200  # pylti1p3's default lifetime for a cached key set


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
        message_launch.get_launch_data()
        return redirect("/c/1/")

    @app.get("/healthz")
    def healthz() -> str:
        """Ready probe for bench/server.py."""
        return "ok"

    del login, launch, healthz
    return app


app = create_app()
