"""Course-level pages: the landing page, the course home, and the health check."""
from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    send_from_directory,
)
from sqlalchemy import text

from course.db import db
from course.extensions import cache
from course.home import nav_links, panels_for
from course.identity import course_view, sign_out
from course.times import local_time

bp = Blueprint("course", __name__, template_folder="templates", static_folder="static/course",
               static_url_path="/static/course")
bp.add_app_template_filter(local_time, "local_time")


@bp.app_context_processor
def navigation() -> dict:
    """Expose nav_items() to every template; empty outside a course."""
    def nav_items() -> list[dict]:
        """Links for the current course and role."""
        if getattr(g, "context", None) is None:
            return []
        return nav_links(g.context.id, g.role, request.endpoint)
    return {"nav_items": nav_items}


@bp.get("/")
def index() -> str:
    """What the tool is, for someone who opens it outside an LMS."""
    return render_template("course/index.html", demo=current_app.config["DEMO_PLATFORM"])


@bp.get("/c/<int:cid>/")
@course_view()
def home(cid: int) -> str:
    """The course home: the learner's or the instructor's view of this course."""
    return render_template("course/home.html", panels=panels_for(g.context, g.user, g.role))


@bp.post("/sign-out")
def signed_out() -> str:
    """Forget every course grant in this browser (a CSRF-protected POST) and say so."""
    sign_out()
    return render_template("course/signed_out.html")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on every site; answer with the course's small SVG icon."""
    assert bp.static_folder is not None  # given to Blueprint() above
    response = send_from_directory(bp.static_folder, "favicon.svg", mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Database and cache reachability, for load balancers and uptime checks."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    ok = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ok else "degraded", **checks}), 200 if ok else 503


def _check_database() -> str:
    """Run a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any driver error means "unreachable" here
        db.session.rollback()
        return f"error: {exc.__class__.__name__}"


def _check_cache() -> str:
    """Write and read back a key."""
    try:
        cache.set("healthz", "1", timeout=10)
        return "ok" if cache.get("healthz") == "1" else "error: read back failed"
    except Exception as exc:  # Redis down raises from the client library
        return f"error: {exc.__class__.__name__}"
