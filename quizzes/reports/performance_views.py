"""Performance by NCJMM step and topic: the learner's "My performance" page and the class pages."""

from __future__ import annotations

import math

from flask import Flask, Response, abort, g, render_template, request

from course.home import NavItem, add_nav
from course.identity import course_view, instructor_view
from course.roles import INSTRUCTOR, LEARNER
from course.routes import Routes
from quizzes.authoring.instructor_views import PREFIX
from quizzes.reports.performance_pages import (
    AT_RISK_BELOW,
    at_risk_csv,
    class_page,
    learner_page,
)
from quizzes.types import CJMM_STEPS

routes = Routes()
SORTS = ("name", "overall", *CJMM_STEPS)


def _threshold() -> float:
    """The at-risk line from ?below= (percent, 0 to 100), or the default; anything else is a 400."""
    raw = request.args.get("below", "").strip()
    if not raw:
        return AT_RISK_BELOW
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0.0 <= value <= 100.0:
        abort(400, "The at-risk threshold must be a percentage from 0 to 100.")
    return value


@routes.get("/performance")
@course_view()
def my_performance(cid: int) -> str:
    """The learner's points by step, topic and item type beside the class, a trend, what to study."""
    return render_template("quizzes/performance.html", **learner_page(g.context.id, g.user.id))


@routes.get(f"{PREFIX}/performance")
@instructor_view
def class_performance(cid: int) -> str:
    """The class by step and topic, the learners x steps heat map and learners at risk."""
    sort = request.args.get("sort", "overall")
    order = request.args.get("order", "asc")
    if sort not in SORTS or order not in ("asc", "desc"):
        abort(400, f"Sort by one of: {', '.join(SORTS)}; order asc or desc.")
    page = class_page(g.context.id, sort, order == "desc", _threshold())
    return render_template("quizzes/instructor/performance.html", sorts=SORTS, **page)


@routes.get(f"{PREFIX}/performance/at-risk.csv")
@instructor_view
def at_risk_download(cid: int) -> Response:
    """Learners below the threshold as CSV (formula-like cells neutralised)."""
    below = _threshold()
    return Response("\ufeff" + at_risk_csv(g.context.id, below), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="at-risk-course-{g.context.id}.csv"'})


def setup_performance(app: Flask) -> None:
    """The learner's and the instructor's navigation links."""
    add_nav(app, NavItem("My performance", "quizzes.my_performance", role=LEARNER, order=32))
    add_nav(app, NavItem("Performance", "quizzes.class_performance", role=INSTRUCTOR, order=42))
