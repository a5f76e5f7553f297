"""Course-level pages: the landing page, the course home, and the health check."""
from flask import Blueprint, Response, current_app, g, jsonify, render_template, request
from sqlalchemy import text

from course.db import db
from course.extensions import cache
from course.home import nav_links, panels_for
from course.identity import course_view

bp = Blueprint("course", __name__, template_folder="templates", static_folder="static/course",
               static_url_path="/static/course")


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
