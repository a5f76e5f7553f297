"""Instructor "Needs grading" pages: the queue of essays and the rubric grading form."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Optional

from course.db import utcnow
from course.forms import AppForm
from course.identity import instructor_view
from course.routes import Routes
from quizzes.marking import service

routes = Routes()
PAGE = "/instructor/grading"


class GradeForm(AppForm):
    """CSRF and the comment; the rubric points are read per criterion (``points-<id>``)."""

    comment = TextAreaField("Comment for the learner (optional)", validators=[Optional()])


@routes.get(PAGE)
@instructor_view
def grading_queue(cid: int) -> str:
    """Essay answers waiting for a score, oldest first."""
    return render_template("quizzes/instructor/grading.html", waiting=service.waiting(g.context.id))


@routes.route(f"{PAGE}/<int:gid>", methods=["GET", "POST"])
@instructor_view
def grade_essay(cid: int, gid: int) -> Response | tuple[str, int] | str:
    """Show one answer with its rubric; a valid post scores it and returns to the queue."""
    marking = service.load(g.context.id, gid)
    if marking is None:
        abort(404)
    form = GradeForm()
    errors: dict[str, str] = {}
    posted = {c["id"]: request.form.get(f"points-{c['id']}", "") for c in marking.item["rubric"]}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired or was not sent from this page. Reload it and try again.")
        errors = service.grade(marking, posted, form.comment.data or "", g.user.id, utcnow())
        if not errors:
            flash("Graded. The new score is queued for the LMS gradebook.", "success")
            return redirect(url_for("quizzes.grading_queue", cid=cid))
    elif marking.grade.graded_at is not None:
        posted = {k: str(v) for k, v in (marking.grade.awarded or {}).items()}
        form.comment.data = marking.grade.comment
    page = render_template("quizzes/instructor/grade_essay.html", m=marking, form=form,
                           posted=posted, errors=errors)
    return (page, 400) if errors else page
