"""Learner quiz pages: the quiz list, a quiz's start page and score history; the home panel."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.home import Panel, PanelRead
from course.identity import course_view, refuse_observer
from course.models import Context, User
from course.reads import Rows
from course.roles import INSTRUCTOR
from course.routes import Routes
from quizzes import models
from quizzes.taking import home_read
from quizzes.taking.attempts import AttemptError, start_attempt
from quizzes.taking.progress import course_statuses, find_quiz, history, quiz_status

routes = Routes()


@routes.get("/")
@course_view()
def index(cid: int) -> str:
    """The quiz list: status, attempts used, grade and gradebook sync state per quiz."""
    rows = course_statuses(g.context.id, g.user.id, drafts=g.role == INSTRUCTOR)
    return render_template("quizzes/index.html", rows=rows)


@routes.get("/history")
@course_view()
def score_history(cid: int) -> str:
    """Every attempt of this learner in this course, newest first."""
    statuses = {s.quiz.id: s for s in course_statuses(g.context.id, g.user.id,
                                                      drafts=g.role == INSTRUCTOR)}
    quizzes = {quiz_id: s.quiz for quiz_id, s in statuses.items()}
    attempts = [a for a in history(g.context.id, g.user.id) if a.quiz_id in quizzes]
    return render_template("quizzes/history.html", attempts=attempts, quizzes=quizzes,
                           statuses=statuses)


def _quiz_or_404(slug: str) -> models.Quiz:
    """The course's quiz by slug; drafts only for instructors."""
    quiz = find_quiz(g.context.id, slug, published_only=g.role != INSTRUCTOR)
    if quiz is None:
        abort(404, "There is no quiz at this address in this course. It may have been removed or renamed.")
    return quiz


@routes.get("/<slug>/")
@course_view()
def quiz(cid: int, slug: str) -> str:
    """A quiz's start page: settings in plain words, attempts so far and the grade."""
    found = _quiz_or_404(slug)
    status = quiz_status(found, g.user.id, preview=g.role == INSTRUCTOR)
    return render_template("quizzes/quiz.html", quiz=found, status=status)


@routes.post("/<slug>/start")
@course_view()
def start(cid: int, slug: str) -> WerkzeugResponse:
    """Start a new attempt or resume the open one, then show its first question."""
    refuse_observer()  # observers read the course; they take no attempts and get no score
    found = _quiz_or_404(slug)
    try:
        attempt = start_attempt(found, g.user.id, preview=g.role == INSTRUCTOR)
    except AttemptError as exc:
        abort(409, exc.message)
    return redirect(url_for("quizzes.attempt", cid=cid, aid=attempt.id))


def home_panel(ctx: Context, user: User, role: str) -> PanelRead:
    """The course home block: each quiz with the learner's status."""
    # The panel shows no gradebook sync state, so it skips reading the score outbox; its read
    # goes with the other panels' (course.home), and its rows give course_statuses' answer.
    def build(found: Rows) -> Panel | None:
        """The panel from the joined rows (None when the course has no quiz to show)."""
        rows = home_read.statuses_from(found, drafts=role == INSTRUCTOR)
        return Panel("quizzes/panel.html", {"rows": rows, "cid": ctx.id}, order=30) if rows else None
    return PanelRead(*home_read.read(ctx.id, user.id), build)
