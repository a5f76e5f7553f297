"""Security headers on every response; the CSP allows framing only by registered platforms."""
import logging
from time import monotonic
from typing import Any
from urllib.parse import urlparse

from flask import Flask, Response, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from course.db import db
from course.extensions import cache

log = logging.getLogger(__name__)

CACHE_KEY = "platform-origins"
SHARED_SECONDS = 60  # the shared cache's copy; invalidate_origins() deletes it on every change
# Each process also keeps the origins for a few seconds, so a response costs no cache round trip
# (bench finding 4). Staleness of a few seconds is fine: a platform registered or changed by
# another process (the CLI, another app server) deletes the shared copy, so every process sees it
# within MEMO_SECONDS; the process that made the change clears its own memo at once. An
# administrator registers a platform and then configures the LMS, which takes far longer.
MEMO_SECONDS = 5.0
MEMO_KEY = "platform_origins_memo"  # per app in app.extensions: each test app has its own


# Canvas cloud frames the tool from each school's own host (school.instructure.com), which is
# neither its issuer nor its sso.canvaslms.com login host; without this, Canvas could not show it.
CANVAS_CLOUD_ISSUERS = {"https://canvas.instructure.com", "https://canvas.beta.instructure.com",
                        "https://canvas.test.instructure.com"}
CANVAS_CLOUD_FRAMES = "https://*.instructure.com"


def _origin(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, or None when it has none."""
    parts = urlparse(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else None


def platform_origins(app: Flask | None = None) -> list[str]:
    """Origins of every registered platform: memo, then shared cache, then the database."""
    extensions = (app or current_app).extensions  # the hook passes its app: no proxy lookups
    memo = extensions.get(MEMO_KEY)
    now = monotonic()
    if memo is not None and memo[0] > now:
        return memo[1]
    origins = _shared_origins()
    if origins is not None:
        # One assignment of a tuple, so threads of a gthread worker never see half a memo.
        extensions[MEMO_KEY] = (now + MEMO_SECONDS, origins)
    return origins or []


def _shared_origins() -> list[str] | None:
    """The shared cache's copy, else the database's; None when neither can answer."""
    try:
        cached = cache.get(CACHE_KEY)
    except Exception as exc:  # Redis or file errors: the headers must still go out
        log.warning("origins cache unavailable, reading the database",
                    extra={"error": exc.__class__.__name__})
        cached = None
    if cached is not None:
        return cached
    from course.models import Registration
    try:
        rows = db.session.execute(select(Registration.issuer, Registration.auth_login_url)).all()
    except SQLAlchemyError:
        # Database down too: answer with 'self' only, and try again on the next response.
        db.session.rollback()
        return None
    origins = {o for row in rows for o in map(_origin, row) if o}
    if origins & CANVAS_CLOUD_ISSUERS:
        origins.add(CANVAS_CLOUD_FRAMES)
    found = sorted(origins)
    try:
        cache.set(CACHE_KEY, found, timeout=SHARED_SECONDS)
    except Exception:  # cache down: the memo still spares the database on most responses
        pass
    return found


def invalidate_origins() -> None:
    """Forget the origins, in this process and in the shared cache, after a registration change."""
    current_app.extensions.pop(MEMO_KEY, None)
    try:
        cache.delete(CACHE_KEY)
    except Exception as exc:  # cache down: a copy it still holds expires in SHARED_SECONDS
        log.warning("could not clear the origins cache", extra={"error": exc.__class__.__name__})


def csp(origins: list[str]) -> str:
    """Content-Security-Policy: no inline script, framing only by self and the platforms."""
    ancestors = " ".join(["'self'", *origins])
    # Deep-linking responses and relaunches post forms back to the platform.
    actions = " ".join(["'self'", *origins])
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action {actions}; frame-ancestors {ancestors}")


def framing_origins() -> list[str]:
    """The platforms' origins and FRAME_ANCESTORS (e.g. a Canvas vanity domain): who may frame us."""
    return [*platform_origins(), *current_app.config.get("FRAME_ANCESTORS", [])]


def register(app: Flask) -> None:
    """Add the headers to every response."""
    config = app.config
    # The four headers, built again only when the origins memo or FRAME_ANCESTORS changes: the
    # CSP string and four setdefaults (each a scan of the response's headers) cost about 150
    # Python calls a response (issue 18). One tuple, assigned at once, for gthread workers.
    kept: list[tuple[Any, list[str], tuple[tuple[str, str, str], ...]]] = [(None, [], ())]

    @app.after_request
    def headers(resp: Response) -> Response:
        """Set CSP, nosniff, referrer policy and permissions policy unless the view set its own."""
        origins, ancestors = platform_origins(app), config.get("FRAME_ANCESTORS", [])
        seen, seen_ancestors, table = kept[0]
        if origins is not seen or ancestors != seen_ancestors:
            table = _table([*origins, *ancestors])
            kept[0] = (origins, list(ancestors), table)
        present = {key.lower() for key, _ in resp.headers}
        for lowered, key, value in table:
            if lowered not in present:  # as setdefault: a view's own CSP (the demo embed) stays
                resp.headers.add(key, value)
        return resp

    del headers


def _table(framing: list[str]) -> tuple[tuple[str, str, str], ...]:
    """(lowercased name, name, value) of each header the hook sets, for these framing origins."""
    return tuple((key.lower(), key, value) for key, value in (
        ("Content-Security-Policy", csp(framing)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")))
