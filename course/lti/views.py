"""LTI 1.3 endpoints: OIDC login, launch, and the tool's JWKS."""
import logging
from typing import Any

from flask import Response, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.routing import BuildError

from course.cookieless import begin as begin_cookieless
from course.extensions import csrf
from course.identity import grant
from course.lti import claims, client_state, keys
from course.lti.errors import LaunchRejected
from course.lti.service import LaunchResult, complete_launch, start_login
from course.registry import launch_target
from course.routes import Routes
from course.times import launch_zone

routes = Routes()  # added to the `lti` blueprint by course/lti/blueprint.py
log = logging.getLogger(__name__)


@routes.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> Response:
    """OIDC login initiation (LTI 1.3 section 5.1.1); a cross-site request, so CSRF-exempt."""
    return start_login()


@routes.route("/launch", methods=["GET", "POST"])
@csrf.exempt
def launch() -> ResponseReturnValue:
    """Validate the platform's id_token POST and enter the course."""
    if request.method != "POST":
        return launch_error_response(405, "method_not_allowed", "A launch must be an HTTP POST "
                                     "from the learning platform. Open the tool from your course.")
    page = client_state.verification_page()  # the state may be in storage, not in a cookie
    if page is not None:
        return page
    result = complete_launch()
    if result.cookieless:
        # No cookie came back from this browser: the course runs on a session token instead.
        begin_cookieless(result.registration_pk, result.context_pk, result.user_pk,
                         result.role, result.launch_id)
    else:
        grant(result.context_pk, result.user_pk, result.role, result.launch_id)
    session["tz"] = launch_zone(result.custom)  # times.js falls back to the browser's zone
    log.info("lti launch ok", extra={"context": result.context_pk, "user": result.user_pk,
                                     "role": result.role, "message_type": result.message_type,
                                     "cookieless": result.cookieless})
    return redirect(_destination(result))


def _destination(result: LaunchResult) -> str:
    """Where a launch lands: deep-link picker, a linked resource, or the course home."""
    if result.message_type == claims.DEEP_LINKING_REQUEST:
        try:
            return url_for("lti.deep_link", cid=result.context_pk)
        except BuildError:
            pass
    # Custom parameter `resource` (set by deep linking) names a page a package registered.
    # A link to a module or quiz that no longer exists lands on that page's 404, which links home.
    kind, _, slug = str(result.custom.get("resource", "")).partition(":")
    target = launch_target(kind)
    if target is not None and slug:
        try:
            values: dict[str, Any] = {target.arg: slug}
            return url_for(target.endpoint, cid=result.context_pk, **values)
        except BuildError:
            pass
    return url_for("course.home", cid=result.context_pk)


@routes.get("/jwks")
def jwks() -> Response:
    """The tool's public keys (LTI Security Framework 6.3); cacheable for a few minutes."""
    response = jsonify(keys.jwks())
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response


def launch_error_response(status: int, code: str, message: str, detail: str = "",
                          relaunch_url: str | None = None) -> Response:
    """A 4xx page (or JSON for API clients) that says what was wrong."""
    if request.accept_mimetypes.best == "application/json":
        body = jsonify({"error": code, "message": message, "detail": detail})
        return Response(body.get_data(), status=status, mimetype="application/json")
    html = render_template("lti/error.html", code=code, message=message, detail=detail,
                           relaunch_url=relaunch_url, status=status)
    return Response(html, status=status)


def rejected(exc: LaunchRejected) -> Response:
    """Log the reason and answer with a clear 4xx page."""
    p = exc.problem
    log.warning("lti launch rejected", extra={"code": p.code, "detail": p.detail})
    return launch_error_response(p.status, p.code, p.message, p.detail, p.relaunch_url)

