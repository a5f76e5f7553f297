"""Security headers on every response; the CSP allows framing only by registered platforms."""
from urllib.parse import urlparse

from flask import Flask, Response
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from course.db import db
from course.extensions import cache


def _origin(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, or None when it has none."""
    parts = urlparse(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else None


def platform_origins() -> list[str]:
    """Origins of every registered platform, cached briefly since every response needs them."""
    cached = cache.get("platform-origins")
    if cached is not None:
        return cached
    from course.models import Registration
    try:
        rows = db.session.execute(select(Registration.issuer, Registration.auth_login_url)).all()
    except SQLAlchemyError:
        db.session.rollback()
        return []
    origins = sorted({o for row in rows for o in map(_origin, row) if o})
    cache.set("platform-origins", origins, timeout=60)
    return origins


def invalidate_origins() -> None:
    """Forget the cached origins after a registration changes."""
    cache.delete("platform-origins")


def csp(origins: list[str]) -> str:
    """Content-Security-Policy: no inline script, framing only by self and the platforms."""
    ancestors = " ".join(["'self'", *origins])
    # Deep-linking responses and relaunches post forms back to the platform.
    actions = " ".join(["'self'", *origins])
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            f"form-action {actions}; frame-ancestors {ancestors}")


def register(app: Flask) -> None:
    """Add the headers to every response."""

    @app.after_request
    def headers(resp: Response) -> Response:
        """Set CSP, nosniff, referrer policy and a restrictive permissions policy."""
        resp.headers.setdefault("Content-Security-Policy", csp(platform_origins()))
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        resp.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return resp

    del headers
