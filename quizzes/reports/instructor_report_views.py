"""Instructor reports: gradebook (+ CSV and drill-down) and item analysis."""

from __future__ import annotations

from flask import Response, abort, g, render_template, request
from sqlalchemy import select

from course.db import db
from course.identity import instructor_view
from course.models import User
from course.routes import Routes
from quizzes.authoring.instructor_views import PREFIX
from quizzes.corrections.service import overrides_of
from quizzes.models import Quiz
from quizzes.reports.analysis import WHICH_LABELS, analyse_quiz
from quizzes.reports.gradebook import (
    attempt_seconds,
    build_gradebook,
    course_attempt,
    gradebook_csv,
    learner_attempts,
    learner_in_course,
)
from quizzes.reports.roster import forget_roster
from quizzes.reports.statistics_responses import WHICH_ATTEMPTS
from quizzes.scores import resend
from quizzes.sync import course_quizzes
from quizzes.taking.attempt_layout import versions_for
from quizzes.taking.pages import review_view

routes = Routes()


def _quizzes() -> list[Quiz]:
    """This course's quizzes in display order."""
    return course_quizzes(g.context.id)


@routes.get(f"{PREFIX}/gradebook")
@instructor_view
def gradebook(cid: int) -> str:
    """Learners x quizzes, with module progress and the roster from the platform."""
    if request.args.get("refresh") == "1":
        forget_roster(g.context.id)
    book = build_gradebook(g.context, _quizzes())
    unsent = resend.summarise(g.context, resend.unsent(g.context.id))
    return render_template("quizzes/instructor/gradebook.html", book=book, unsent=unsent)


@routes.get(f"{PREFIX}/gradebook.csv")
@instructor_view
def gradebook_download(cid: int) -> Response:
    """The gradebook as CSV (cells that a spreadsheet could run as formulas are neutralised)."""
    text = gradebook_csv(build_gradebook(g.context, _quizzes()))
    return Response("\ufeff" + text, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="gradebook-course-{g.context.id}.csv"'})


@routes.get(f"{PREFIX}/gradebook/learners/<int:uid>")
@instructor_view
def learner(cid: int, uid: int) -> str:
    """One learner's attempts in this course."""
    if not learner_in_course(g.context.id, uid):
        abort(404)
    person = db.session.get(User, uid)
    attempts = learner_attempts(g.context.id, uid)
    quizzes = {q.id: q for q in _quizzes()}
    return render_template("quizzes/instructor/learner.html", person=person, attempts=attempts, quizzes=quizzes,
                           seconds={a.id: attempt_seconds(a) for a in attempts})


@routes.get(f"{PREFIX}/attempts/<int:aid>")
@instructor_view
def attempt_review(cid: int, aid: int) -> str:
    """Any learner's attempt in this course, with every answer, the key and the rationales."""
    attempt = course_attempt(g.context.id, aid)
    if attempt is None:
        abort(404)
    rows = {r.position: r for r in attempt.responses}
    items = []
    for position, version in sorted(versions_for(attempt).items()):
        row = rows.get(position)
        review = review_view(version.data, position, row.parts if row else None, row.points if row else None,
                             row.max_points if row else None, True, True,
                             response=row.response if row else None)
        review["version"] = version.number
        items.append(review)
    person = db.session.get(User, attempt.user_id)
    return render_template("quizzes/instructor/attempt.html", attempt=attempt, person=person, items=items,
                           quiz=db.session.get(Quiz, attempt.quiz_id), notes=overrides_of(attempt.id))


@routes.get(f"{PREFIX}/quizzes/<int:quiz_id>/statistics")
@instructor_view
def statistics(cid: int, quiz_id: int) -> str:
    """Item analysis of one quiz for the chosen attempts (Moodle's definitions)."""
    quiz = db.session.scalars(select(Quiz).where(Quiz.id == quiz_id, Quiz.context_id == g.context.id)).first()
    if quiz is None:
        abort(404)
    which = request.args.get("which", "highest")
    if which not in WHICH_ATTEMPTS:
        abort(400, f"Choose which attempts to analyse: {', '.join(WHICH_ATTEMPTS)}.")
    return render_template("quizzes/instructor/statistics.html", report=analyse_quiz(quiz, which),
                           which_labels=WHICH_LABELS)
