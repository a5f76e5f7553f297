"""The one `quizzes` blueprint: URL prefix, template filters, every controller's routes, setup()."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g
from markupsafe import Markup

from course.fragments import rendered
from course.home import NavItem, add_nav, add_panel
from course.markdown import render_inline, render_markdown
from course.registry import add_launch_hook
from quizzes import grading, lti_targets, models  # noqa: F401 - models registers the tables
from quizzes.accommodations import views as accommodation_views
from quizzes.authoring import instructor_quiz_views, instructor_views
from quizzes.corrections import views as correction_views
from quizzes.interchange import transfer_views
from quizzes.marking import views as marking_views
from quizzes.media import models as media_models  # noqa: F401 - registers the image table
from quizzes.media import views as media_views
from quizzes.media.service import RESOLVERS as IMAGE_RESOLVERS
from quizzes.reports import instructor_report_views, performance_views
from quizzes.reports.gradebook import duration
from quizzes.review import views as review_views
from quizzes.scores import resend_views
from quizzes.scores.line_items import on_launch
from quizzes.scores.scores_cli import scores
from quizzes.scores.worker import worker
from quizzes.taking import attempt_views, quiz_views
from quizzes.tutor import views as tutor_views
from quizzes.types import TOPIC_TITLES

bp = Blueprint("quizzes", __name__, url_prefix="/c/<int:cid>/quizzes",
               template_folder="templates", static_folder="static",
               static_url_path="/static/quizzes")

# Every controller's routes, in one place: a new controller is one line here.
for _routes in (quiz_views.routes, attempt_views.routes, media_views.routes, instructor_views.routes,
                instructor_quiz_views.routes, instructor_report_views.routes, transfer_views.routes,
                resend_views.routes, accommodation_views.routes, correction_views.routes,
                performance_views.routes):
    _routes.register(bp)
tutor_views.routes.register(bp)  # practice quizzes (tutor mode, never graded)
marking_views.routes.register(bp)  # Needs grading: essays scored by hand
review_views.routes.register(bp)  # spaced review sessions (practice, never graded)


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


def _shared(text: str) -> bool:
    """Whether a text renders the same for everyone, so course.fragments may keep it."""
    # A course image (image:N) has one course's URL and an alt text that can change.
    return "image:" not in text.lower()


def _md(text: str) -> str:
    """Block Markdown with this course's images."""
    return render_markdown(text, IMAGE_RESOLVERS)


def _inline(text: str) -> str:
    """Inline Markdown with this course's images."""
    return render_inline(text, IMAGE_RESOLVERS)


@bp.app_template_filter("quiz_md")
def quiz_md(text: Any) -> Markup:
    """Block Markdown, sanitised; ``![alt](image:N)`` shows this course's image N."""
    value = str(text or "")
    return Markup(rendered("quiz_md", value, _md) if _shared(value) else _md(value))


@bp.app_template_filter("quiz_inline")
def quiz_inline(text: Any) -> Markup:
    """Inline Markdown, sanitised; ``![alt](image:N)`` shows this course's image N."""
    value = str(text or "")
    return Markup(rendered("quiz_inline", value, _inline) if _shared(value) else _inline(value))


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


@bp.app_template_filter("quiz_duration")
def quiz_duration(seconds: int | None) -> str:
    """Seconds for people."""
    return duration(seconds)


@bp.app_template_filter("stat")
def stat(value: float | None, digits: int = 1, unit: str = "") -> Markup:
    """A statistic with its unit, or a dash that says why it is blank."""
    if value is None:
        return Markup('<span title="Not defined for these attempts">\u2014</span>')
    return Markup(f"{value:.{digits}f}{unit}")


def setup(app: Flask) -> None:
    """Nav links, home panels and the `flask worker`, `flask scores` and `flask quizzes` commands."""
    add_nav(app, NavItem("Quizzes", "quizzes.index", order=30))
    add_nav(app, NavItem("Scores", "quizzes.score_history", order=31))
    add_panel(app, quiz_views.home_panel)
    app.cli.add_command(worker)
    app.cli.add_command(scores)
    instructor_views.setup_instructor(app)
    performance_views.setup_performance(app)  # "My performance" and the class page
    review_views.setup_review(app)  # "Review now", the due count on the home, module answer hook
    lti_targets.register(app)  # launch target, deep-linking group, content check
    add_launch_hook(app, on_launch)  # course quizzes and the quiz link's line item, at launch
