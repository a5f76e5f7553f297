"""Rate limits on what is expensive or abusable, applied by endpoint name (docs/rate-limits.md).

Per IP: the LTI login and launch. Per launched user (falling back to the IP): question imports
and handout PDFs. Per worker: a cap on PDF renders running at once. All limits live here, so
no view file carries a limiter decorator.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, request
from flask.globals import request_ctx
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_qualified_name, get_remote_address

from course.errors import error_response
from course.identity import current_grant

log = logging.getLogger(__name__)

# Endpoint -> (setting that holds its limit, key). Endpoints absent from this app are skipped.
PER_IP = {"lti.login": "RATELIMIT_LOGIN", "lti.launch": "RATELIMIT_LAUNCH"}
PER_USER = {"quizzes.import_file": "RATELIMIT_IMPORT", "exports.print_pdf": "RATELIMIT_RENDER",
            "exports.handout_pdf_quick": "RATELIMIT_RENDER"}
RENDERS = ("exports.print_pdf", "exports.handout_pdf_quick")
# Settings whose endpoints share one count: a print form and a PDF link draw on one budget.
SHARED = {"RATELIMIT_RENDER": "handout-pdf"}

LIMITED = ("You have made this request too many times in a short while. Wait {wait} and try "
           "again; nothing you saved was lost.")
BUSY = ("Many handouts are being printed right now. Wait a few seconds and try again; "
        "nothing you saved was lost.")
BUSY_RETRY_SECONDS = 5
# Where Flask-Limiter keeps a request's limits (on the request context, made on first use).
LIMITER_CONTEXT = "_limiter_request_context"
# Flask-Limiter settings that act through its before_request and after_request hooks. This app
# sets none of them: its limits are all on decorated views, which check themselves.
GLOBAL_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META",
                   "RATELIMIT_HEADERS_ENABLED", "RATELIMIT_IN_MEMORY_FALLBACK",
                   "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED")


def user_key() -> str:
    """The launched user within the course in the URL; the client's IP before any launch."""
    cid = (request.view_args or {}).get("cid")
    found = current_grant(cid) if cid is not None else None
    if found:
        return f"user:{cid}:{found['u']}"
    return f"ip:{get_remote_address()}"


def _storage(app: Flask) -> tuple[str, dict[str, Any]]:
    """Follow the cache: Redis when the cache is Redis (same timeouts), else this process's memory."""
    uri = app.config.get("RATELIMIT_STORAGE_URI")
    if uri:
        return uri, {}
    if app.config.get("CACHE_TYPE") == "RedisCache" and app.config.get("CACHE_REDIS_URL"):
        return app.config["CACHE_REDIS_URL"], dict(app.config.get("CACHE_OPTIONS") or {})
    return "memory://", {}


def _wait_words(seconds: int) -> str:
    """'a minute', '20 seconds': how long the person should wait, in words."""
    if seconds >= 90:
        return f"{math.ceil(seconds / 60)} minutes"
    if seconds > 50:
        return "a minute"
    return f"{seconds} seconds" if seconds != 1 else "a second"


def _limited(exc: RateLimitExceeded) -> Any:
    """The course's error page (or JSON) with a sentence and Retry-After."""
    limiter: Limiter = current_app.extensions["course_limiter"]
    current = limiter.current_limit
    reset = current.reset_at if current else time.time() + 60
    wait = max(1, math.ceil(reset - time.time()))
    log.warning("rate limited", extra={"endpoint": request.endpoint, "limit": str(exc.limit.limit)})
    resp = error_response(429, LIMITED.format(wait=_wait_words(wait)))
    resp.headers["Retry-After"] = str(wait)
    return resp


def _render_gate(view: Callable, gate: threading.BoundedSemaphore, wait: float) -> Callable:
    """Let at most the gate's count of renders run at once; past a short wait, answer 503."""
    @wraps(view)
    def gated(*args: Any, **kwargs: Any) -> Any:
        if not gate.acquire(timeout=wait):
            log.warning("render cap reached", extra={"endpoint": request.endpoint})
            resp = error_response(503, BUSY)
            resp.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
            return resp
        try:
            return view(*args, **kwargs)
        finally:
            gate.release()
    return gated


def _init(limiter: Limiter, app: Flask) -> None:
    """init_app, without the request hooks when no setting needs them (issue 18)."""
    if any(app.config.get(name) for name in GLOBAL_SETTINGS):
        limiter.init_app(app)
        return
    # Its before_request hook ran the whole limit lookup on every request of the app, finding
    # nothing outside the decorated views, and those check again in their wrapper; its
    # after_request hook only adds headers (off) and conditional deductions (none). init_app
    # registers the hooks only for a limiter not yet listed, so it is listed first; only the
    # teardown that resets the per-request limiter context is kept.
    app.extensions.setdefault("limiter", set()).add(limiter)
    limiter.init_app(app)

    @app.teardown_request
    def _release(_: BaseException | None = None) -> None:
        """Forget this request's limits, as Flask-Limiter's own teardown does, if it kept any."""
        # Flask-Limiter keeps them on the request context, made on first use, and only a limited
        # view makes one: every other request would build one here just to reset it (issue 18).
        if hasattr(request_ctx, LIMITER_CONTEXT):
            limiter.context.reset()


def _checked(limiter: Limiter, view: Callable, prefix: str) -> Callable:
    """The view behind its registered limits, each hit straight through the `limits` strategy.

    Flask-Limiter's own wrapper resolved and parsed the limits, exemptions, meta and default
    limits on every request (about 0.2 ms of Python per login or launch, issue 18). This app
    has none of those, so the limits are resolved once here and only the hit is left: the same
    counter keys, the same strategy, refused before the view runs, 429 through `_limited`.
    """
    found = sorted(limiter.limit_manager.decorated_limits(get_qualified_name(view)),
                   key=lambda lim: lim.limit)

    @wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        endpoint = request.endpoint or ""
        try:
            for lim in found:
                bucket = [lim.key_func(), lim.scope_for(endpoint, request.method)]
                if prefix:
                    bucket.insert(0, prefix)
                if not limiter.limiter.hit(lim.limit, *bucket):
                    # What `current_limit` reads: the 429 page's Retry-After comes from it.
                    limiter.context.view_rate_limit = RequestLimit(limiter, lim.limit, bucket,
                                                                   True, lim.shared)
                    raise RateLimitExceeded(lim)
        except RateLimitExceeded:
            raise
        except Exception:  # the counts' storage is unreachable: fail open, as swallow_errors does
            limiter.logger.exception("Failed to rate limit. Swallowing error")
        return view(*args, **kwargs)
    return limited


def _apply_limits(app: Flask) -> None:
    """Wrap each limited endpoint's view with its Flask-Limiter limit."""
    uri, options = _storage(app)
    prefix = app.config.get("CACHE_KEY_PREFIX", "")
    # swallow_errors: if Redis is down the request goes on (fail open) and the error is logged.
    limiter = Limiter(get_remote_address, storage_uri=uri, storage_options=options,
                      swallow_errors=True, key_prefix=prefix)
    _init(limiter, app)
    # With a global setting (GLOBAL_SETTINGS) Flask-Limiter's own wrapper combines the limits.
    direct = not any(app.config.get(name) for name in GLOBAL_SETTINGS)
    app.extensions["course_limiter"] = limiter
    for table, key in ((PER_IP, get_remote_address), (PER_USER, user_key)):
        for endpoint, setting in table.items():
            view = app.view_functions.get(endpoint)
            if view is None or not app.config.get(setting):
                continue
            if setting in SHARED:
                limit = limiter.shared_limit(app.config[setting], SHARED[setting], key_func=key)
            else:
                limit = limiter.limit(app.config[setting], key_func=key)
            # The decorator registers the limit (`flask limiter limits` lists it) either way.
            wrapped = limit(view)
            # Flask-Limiter types a decorated view as possibly async; these views are sync.
            app.view_functions[endpoint] = (_checked(limiter, view, prefix) if direct
                                            else wrapped)  # type: ignore[assignment]
    app.register_error_handler(RateLimitExceeded, _limited)


def register(app: Flask) -> None:
    """Apply the limits; call after every blueprint is registered."""
    count = int(app.config.get("RATELIMIT_RENDER_CONCURRENCY", 0))
    if count > 0:
        # One gate per app, so per worker process; inside the rate limit, so a refused
        # request never waits for the gate.
        gate = threading.BoundedSemaphore(count)
        wait = float(app.config.get("RATELIMIT_RENDER_WAIT_SECONDS", 3))
        for endpoint in RENDERS:
            if endpoint in app.view_functions:
                app.view_functions[endpoint] = _render_gate(app.view_functions[endpoint],
                                                            gate, wait)
    if app.config.get("RATELIMIT_ENABLED", True):
        _apply_limits(app)
