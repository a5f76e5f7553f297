"""Learner quiz pages: the quiz list, a quiz's start page and score history; setup() wiring."""
from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

from flask import Blueprint, Flask, abort, g, redirect, render_template, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from course.home import NavItem, Panel, add_nav, add_panel
from course.identity import course_view, refuse_observer
from course.markdown import render_inline, render_markdown
from course.models import Context, User
from course.roles import INSTRUCTOR
from quizzes import grading, models  # noqa: F401 - models registers the tables
from quizzes.attempts import AttemptError, expire_overdue, start_attempt
from quizzes.cli import worker
from quizzes.progress import find_quiz, history, quiz_status, quiz_statuses
from quizzes.scores_cli import scores
from quizzes.sync import ensure_course_quizzes
from quizzes.types import TOPIC_TITLES

bp = Blueprint("quizzes", __name__, url_prefix="/c/<int:cid>/quizzes",
               template_folder="templates", static_folder="static",
               static_url_path="/static/quizzes")
log = logging.getLogger(__name__)


@bp.url_defaults
def _static_cid(endpoint: str, values: dict[str, Any]) -> None:
    """The blueprint prefix puts <cid> in the static URL too: fill it from the current course."""
    if endpoint == "quizzes.static" and "cid" not in values:
        values["cid"] = getattr(g.get("context"), "id", 0)


@bp.url_value_preprocessor
def _drop_static_cid(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Static files are the same in every course, and send_static_file takes no cid."""
    if endpoint == "quizzes.static" and values is not None:
        values.pop("cid", None)


@bp.app_template_filter("quiz_md")
def quiz_md(text: Any) -> Markup:
    """Block Markdown, sanitised."""
    return Markup(render_markdown(str(text or "")))


@bp.app_template_filter("quiz_inline")
def quiz_inline(text: Any) -> Markup:
    """Inline Markdown, sanitised."""
    return Markup(render_inline(str(text or "")))


@bp.app_template_filter("quiz_percent")
def quiz_percent(score: float | None) -> str:
    """A 0..1 score as a percent."""
    return grading.percent(score)


@bp.app_template_filter("quiz_topic")
def quiz_topic(slug: str) -> str:
    """A topic's module title ("Contractures and skin"), or the value itself if unknown."""
    return TOPIC_TITLES.get(slug, slug)


@bp.app_template_filter("a_an")
def a_an(noun: str) -> str:
    """The noun with its indefinite article: "an option", "a row"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@bp.app_template_filter("quiz_grading")
def quiz_grading(method: str) -> str:
    """A grading method in words, e.g. 'your highest attempt counts'."""
    return grading.GRADING_LABELS.get(method, method)


def _visible_quizzes(context_id: int) -> list[models.Quiz]:
    """Quizzes of the course a learner may see (instructors also see drafts)."""
    quizzes = ensure_course_quizzes(context_id)
    return [q for q in quizzes if q.published or g.role == INSTRUCTOR]


@bp.get("/")
@course_view()
def index(cid: int) -> str:
    """The quiz list: status, attempts used, grade and gradebook sync state per quiz."""
    expire_overdue(g.context.id, g.user.id)
    rows = quiz_statuses(g.context.id, g.user.id, _visible_quizzes(g.context.id))
    return render_template("quizzes/index.html", rows=rows)


@bp.get("/history")
@course_view()
def score_history(cid: int) -> str:
    """Every attempt of this learner in this course, newest first."""
    expire_overdue(g.context.id, g.user.id)
    quizzes = {q.id: q for q in _visible_quizzes(g.context.id)}
    statuses = {s.quiz.id: s for s in quiz_statuses(g.context.id, g.user.id, quizzes.values())}
    attempts = [a for a in history(g.context.id, g.user.id) if a.quiz_id in quizzes]
    return render_template("quizzes/history.html", attempts=attempts, quizzes=quizzes,
                           statuses=statuses)


def _quiz_or_404(slug: str) -> models.Quiz:
    """The course's quiz by slug; drafts only for instructors."""
    ensure_course_quizzes(g.context.id)
    quiz = find_quiz(g.context.id, slug, published_only=g.role != INSTRUCTOR)
    if quiz is None:
        abort(404, "There is no quiz at this address in this course. It may have been removed or renamed.")
    return quiz


@bp.get("/<slug>/")
@course_view()
def quiz(cid: int, slug: str) -> str:
    """A quiz's start page: settings in plain words, attempts so far and the grade."""
    found = _quiz_or_404(slug)
    _remember_launch_line_item(found)
    expire_overdue(g.context.id, g.user.id)
    return render_template("quizzes/quiz.html", quiz=found, status=quiz_status(found, g.user.id))


@bp.post("/<slug>/start")
@course_view()
def start(cid: int, slug: str) -> WerkzeugResponse:
    """Start a new attempt or resume the open one, then show its first question."""
    refuse_observer()  # observers read the course; they take no attempts and get no score
    found = _quiz_or_404(slug)
    try:
        attempt = start_attempt(found, g.user.id)
    except AttemptError as exc:
        abort(409, exc.message)
    return redirect(url_for("quizzes.attempt", cid=cid, aid=attempt.id))


def _remember_launch_line_item(found: models.Quiz) -> None:
    """When this quiz was launched from its own LMS link, keep that link's line item."""
    if not g.get("launch_id"):
        return
    from quizzes.outbox import remember_launch_line_item
    try:
        from course.lti.launch import restore_launch
        body = restore_launch(g.launch_id).get_launch_data()
    except Exception:  # the launch may have expired from the cache: nothing to remember
        return
    remember_launch_line_item(g.context.id, found, body)


def home_panel(ctx: Context, user: User, role: str) -> Panel | None:
    """The course home block: each quiz with the learner's status."""
    expire_overdue(ctx.id, user.id)
    rows = quiz_statuses(ctx.id, user.id, [q for q in ensure_course_quizzes(ctx.id)
                                           if q.published or role == INSTRUCTOR])
    if not rows:
        return None
    return Panel("quizzes/panel.html", {"rows": rows, "cid": ctx.id}, order=30)


def setup(app: Flask) -> None:
    """Nav link, home panel and the `flask worker` command."""
    add_nav(app, NavItem("Quizzes", "quizzes.index", order=30))
    add_nav(app, NavItem("Scores", "quizzes.score_history", order=31))
    add_panel(app, home_panel)
    app.cli.add_command(worker)
    app.cli.add_command(scores)


# --- Hook: more routes on this blueprint -------------------------------------------------------
# Every module named quizzes/*_views.py adds routes with `from quizzes.views import bp`: the
# learner attempt pages (attempt_views.py) and the instructor workspace (e.g.
# instructor_views.py). Each is imported here when it exists, so a new one needs no edit here.
def _route_modules() -> list[str]:
    """Names of the modules that add routes to `bp`."""
    import quizzes
    names = [m.name for m in pkgutil.iter_modules(quizzes.__path__)]
    return [f"quizzes.{n}" for n in sorted(names) if n.endswith("_views")]


for _module in _route_modules():
    importlib.import_module(_module)
