"""LTI 1.3 endpoints: OIDC login, launch, and the tool's JWKS."""
import importlib
import importlib.util
import logging

from flask import Blueprint, Response, jsonify, redirect, render_template, request, session, url_for
from werkzeug.routing import BuildError

from course.extensions import csrf
from course import cookieless
from course.identity import grant
from course.lti import claims, client_state, keys
from course.lti.errors import LaunchRejected
from course.lti.service import LaunchResult, complete_launch, start_login
from course.times import launch_zone

bp = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")
log = logging.getLogger(__name__)

# Custom parameter `resource` (set by deep linking) -> endpoint that shows that resource.
# A link to a module or quiz that no longer exists lands on that page's 404, which links home.
RESOURCE_ENDPOINTS = {"module": ("modules.overview", "module"), "quiz": ("quizzes.quiz", "slug")}


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> Response:
    """OIDC login initiation (LTI 1.3 section 5.1.1); a cross-site request, so CSRF-exempt."""
    return start_login()


@bp.route("/launch", methods=["GET", "POST"])
@csrf.exempt
def launch() -> Response:
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
        cookieless.begin(result.registration_pk, result.context_pk, result.user_pk,
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
    kind, _, slug = str(result.custom.get("resource", "")).partition(":")
    if kind in RESOURCE_ENDPOINTS and slug:
        endpoint, arg = RESOURCE_ENDPOINTS[kind]
        try:
            return url_for(endpoint, cid=result.context_pk, **{arg: slug})
        except BuildError:
            pass
    return url_for("course.home", cid=result.context_pk)


@bp.get("/jwks")
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


@bp.app_errorhandler(LaunchRejected)
def rejected(exc: LaunchRejected) -> Response:
    """Log the reason and answer with a clear 4xx page."""
    p = exc.problem
    log.warning("lti launch rejected", extra={"code": p.code, "detail": p.detail})
    return launch_error_response(p.status, p.code, p.message, p.detail, p.relaunch_url)


# Deep-linking (picker and signed response) adds its routes to this blueprint from its own module.
if importlib.util.find_spec("course.lti.deep_link_views") is not None:
    importlib.import_module("course.lti.deep_link_views")
# Dynamic registration (the one-URL way to add the tool to an LMS) adds its page the same way.
importlib.import_module("course.lti.dynreg_views")
