"""Clear error pages for every HTTP error, and JSON for API clients; never a stack trace."""
import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Check the form and try again."),
    401: ("Please launch the course again",
          "Your session for this course has ended or was never started in this browser. "
          "Open the activity again from your learning platform."),
    403: ("Not allowed", "Your role in this course does not allow this page."),
    404: ("Page not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Upload too large", "The file is larger than the limit. Choose a smaller file."),
    429: ("Too many requests", "Slow down a little and try again."),
    500: ("Something went wrong", "An unexpected error occurred. Nothing you saved was lost."),
    503: ("Temporarily unavailable",
          "The service is briefly unavailable. Your saved work is safe; try again shortly."),
}

UNTRUSTED_HOST = ("This course is not served at the address in your request. Open it from your "
                  "learning platform, or ask the administrator to add the address to TRUSTED_HOSTS.")
CACHE_DOWN = ("The course's shared cache is unreachable, so launching the course and signing in "
              "cannot work at the moment. Your saved work is safe; try again in a few minutes.")


def error_response(status: int, message: str | None = None) -> Response:
    """Render the error page (or JSON) for a status, with an optional specific message."""
    title, default = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    text = message or default
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        resp = jsonify({"error": title, "message": text, "status": status})
    else:
        resp = Response(render_template("course/error.html", title=title, message=text,
                                        status=status))
    resp.status_code = status
    return resp


def register(app: Flask) -> None:
    """Attach handlers for HTTP errors, CSRF failures, database outages and crashes."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Any HTTP error: show our page with the specific description when one was given."""
        code = exc.code or 500
        custom = exc.description if exc.description != type(exc).description else None
        return error_response(code, custom)

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError) -> ResponseReturnValue:
        """A Host header outside TRUSTED_HOSTS: no URL can be built for it (Flask has no URL
        adapter then), so a page without links or the base template."""
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"error": "Bad request", "message": UNTRUSTED_HOST, "status": 400}), 400
        page = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad request'
                f'</title></head><body><main><h1>Bad request</h1><p role="alert">{UNTRUSTED_HOST}'
                "</p></main></body></html>")
        return Response(page, 400, mimetype="text/html")

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response:
        """A form without a valid CSRF token (expired page, or a forged cross-site post)."""
        return error_response(400, "This form has expired or did not come from this site. "
                                   "Reload the page and submit it again.")

    @app.errorhandler(OperationalError)
    def database_down(exc: OperationalError) -> Response:
        """Database unreachable: a clean 503; the transaction was rolled back."""
        from course.db import db
        db.session.rollback()
        # The rollback expired the course and user rows; rendering the course header would
        # reload them from the database that just failed, so the page goes without it.
        g.pop("context", None)
        g.pop("user", None)
        log.error("database unavailable: %s", exc.__class__.__name__)
        return error_response(503)

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def cache_down(exc: Exception) -> Response:
        """Redis unreachable or too slow: a clean 503 that says launches need it."""
        log.error("cache unavailable: %s", exc.__class__.__name__)
        return error_response(503, CACHE_DOWN)

    @app.errorhandler(InternalServerError)
    def crash(exc: InternalServerError) -> Response:
        """Unexpected crash: logged with its traceback, shown as a plain page."""
        log.error("unhandled error", exc_info=getattr(exc, "original_exception", exc))
        return error_response(500)

    del http_error, csrf_error, database_down, cache_down, crash  # registered; names not needed


__all__ = ["register", "error_response", "ServiceUnavailable"]
