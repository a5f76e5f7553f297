"""Instructor grade corrections: the regrade preview and confirm, and an attempt's grade page."""
from __future__ import annotations

import math
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as WerkzeugResponse

from course.audit import AuditEvent, events
from course.db import db
from course.identity import instructor_view
from course.models import User
from course.numbers import whole_number
from course.routes import Routes
from quizzes.accommodations.queries import limits_for
from quizzes.authoring.instructor_views import PREFIX
from quizzes.authoring.questions import get_course_question
from quizzes.corrections import extra, regrade, service
from quizzes.corrections.models import WHOLE_ATTEMPT
from quizzes.models import Attempt, Question, Quiz
from quizzes.reports.gradebook import course_attempt
from quizzes.taking.attempt_layout import versions_for
from quizzes.taking.attempts import attempts_used
from quizzes.types import REGISTRY

routes = Routes()

MAX_POSITION = 500
KIND_LABELS = {"grade.override": "Score overridden", "grade.override.remove": "Override removed",
               "grade.regrade.attempt": "Regraded after a key fix", "attempt.reopen": "Reopened"}


def _question(qid: int) -> Question:
    """A course question of this course, else 404."""
    found = get_course_question(g.context.id, qid)
    if found is None:
        abort(404)
    return found


def _attempt(aid: int) -> Attempt:
    """Any learner's attempt in this course, else 404."""
    found = course_attempt(g.context.id, aid)
    if found is None:
        abort(404)
    return found


def _whole(name: str, low: int, high: int, required: bool = True) -> int | None:
    """A whole number from the form; 400 when it is required or given and not one."""
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    found = whole_number(raw, low, high)
    if found is None:
        abort(400, f"'{name}' must be a whole number from {low} to {high}.")
    return found


def _number(name: str) -> float | None:
    """A decimal from the form (a comma works as the point), or None when it is not one."""
    raw = request.form.get(name, "").strip().replace(",", ".")[:20]
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@routes.get(f"{PREFIX}/questions/<int:qid>/regrade")
@instructor_view
def regrade_preview(cid: int, qid: int) -> str:
    """Before and after for every attempt that answered an older version (nothing is written)."""
    question = _question(qid)
    plan = regrade.plan_regrade(g.context.id, question)
    data = question.versions[-1].data
    return render_template("quizzes/instructor/regrade.html", question=question, plan=plan,
                           title=data.get("title") or data.get("id"),
                           type_label=REGISTRY[question.type].label if question.type in REGISTRY
                           else question.type)


@routes.post(f"{PREFIX}/questions/<int:qid>/regrade")
@instructor_view
def regrade_apply(cid: int, qid: int) -> WerkzeugResponse:
    """Regrade existing attempts with the newest version, or leave them (new attempts only)."""
    question = _question(qid)
    choice = request.form.get("choice", "")
    if choice == "new_only":
        flash("Attempts already made keep the version they used; new attempts use the newest.",
              "success")
        return redirect(url_for("quizzes.edit_question", cid=cid, qid=qid))
    if choice != "regrade":
        abort(400, "Choose to regrade existing attempts or to change new attempts only.")
    version = _whole("version", 1, 2**31 - 1)
    try:
        plan = regrade.apply_regrade(g.context.id, question, version or 0, g.user.id)
    except service.CorrectionError as exc:
        abort(exc.status, exc.message)
    flash(f"Regraded {len(plan.rows)} submitted attempt(s) with version {plan.version_number}: "
          f"{len(plan.changed)} score(s) changed and are queued for the LMS gradebook; "
          f"{len(plan.open_attempts)} attempt(s) in progress will be scored with it.", "success")
    return redirect(url_for("quizzes.regrade_preview", cid=cid, qid=qid))


def _accommodations_url() -> str | None:
    """The Accommodations page, where every override lives (None until that page exists)."""
    try:
        return url_for("quizzes.accommodations", cid=g.context.id)
    except BuildError:
        return None


def _history(attempt: Attempt) -> list[AuditEvent]:
    """The trail's grade events about this attempt."""
    def about(event: AuditEvent) -> bool:
        return any(isinstance(v, dict) and v.get("attempt") == attempt.id
                   for v in (event.before, event.after))
    return [e for e in events(g.context.id) if e.kind.startswith(("grade.", "attempt."))
            and about(e)]


def _grade_page(attempt: Attempt, errors: dict[str, str] | None = None, status: int = 200,
                ) -> tuple[str, int]:
    """The attempt's grade page, with any form's problem next to it."""
    rows = {r.position: r for r in attempt.responses}
    items = [{"position": p, "type_label": REGISTRY[v.data["type"]].label, "version": v.number,
              "points": rows[p].points if p in rows else None,
              "max_points": rows[p].max_points if p in rows else None}
             for p, v in sorted(versions_for(attempt).items())]
    quiz = db.session.get_one(Quiz, attempt.quiz_id)
    history = _history(attempt)
    actors = {u.id: u.name or u.sub for u in db.session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in history if e.actor_id})))}
    return render_template(
        "quizzes/instructor/grade.html", attempt=attempt, quiz=quiz, items=items,
        person=db.session.get(User, attempt.user_id), overrides=service.overrides_of(attempt.id),
        whole=WHOLE_ATTEMPT, history=history, actors=actors, labels=KIND_LABELS, errors=errors or {},
        form=request.form if errors else {}, limits=limits_for(quiz, attempt.user_id),
        used=attempts_used(quiz.id, attempt.user_id),
        accommodations_url=_accommodations_url()), status


@routes.get(f"{PREFIX}/attempts/<int:aid>/grade")
@instructor_view
def attempt_grade(cid: int, aid: int) -> Any:
    """Override scores, reopen the attempt or give another attempt, with the history."""
    return _grade_page(_attempt(aid))


def _done(aid: int, message: str) -> WerkzeugResponse:
    """Back to the grade page with what happened."""
    flash(message, "success")
    return redirect(url_for("quizzes.attempt_grade", cid=g.context.id, aid=aid))


@routes.post(f"{PREFIX}/attempts/<int:aid>/override")
@instructor_view
def override(cid: int, aid: int) -> Any:
    """Give a question's points (position >= 1) or the attempt's percent (position 0)."""
    attempt = _attempt(aid)
    position = _whole("position", 0, MAX_POSITION) or 0
    try:
        service.set_override(attempt, position, _number("value"), request.form.get("comment"),
                             g.user.id)
    except service.CorrectionError as exc:
        db.session.rollback()
        if exc.status == 400:
            return _grade_page(attempt, {str(position): exc.message}, 400)
        abort(exc.status, exc.message)
    return _done(aid, "Score overridden and queued for the LMS gradebook; the learner sees "
                      "your comment in their review.")


@routes.post(f"{PREFIX}/attempts/<int:aid>/override/remove")
@instructor_view
def override_remove(cid: int, aid: int) -> Any:
    """Give the scorer's mark back."""
    attempt = _attempt(aid)
    try:
        service.remove_override(attempt, _whole("position", 0, MAX_POSITION) or 0, g.user.id)
    except service.CorrectionError as exc:
        db.session.rollback()
        abort(exc.status, exc.message)
    return _done(aid, "Override removed: the scorer's mark counts again, and the LMS is told.")


@routes.post(f"{PREFIX}/attempts/<int:aid>/reopen")
@instructor_view
def reopen(cid: int, aid: int) -> Any:
    """Put a submitted attempt back in progress, with a new deadline if the quiz is timed."""
    attempt = _attempt(aid)
    minutes = _whole("minutes", 1, service.MAX_REOPEN_MINUTES, required=False)
    try:
        service.reopen(attempt, minutes, g.user.id)
    except service.CorrectionError as exc:
        db.session.rollback()
        abort(exc.status, exc.message)
    return _done(aid, "Attempt reopened: the learner can change their answers and submit "
                      "again. The LMS shows the grade as pending until then.")


@routes.post(f"{PREFIX}/attempts/<int:aid>/extra-attempt")
@instructor_view
def extra_attempt(cid: int, aid: int) -> Any:
    """One more attempt at this quiz for the attempt's learner (an accommodation override)."""
    attempt = _attempt(aid)
    try:
        total = extra.give_extra_attempt(db.session.get_one(Quiz, attempt.quiz_id),
                                         attempt.user_id, g.user.id)
    except service.CorrectionError as exc:
        abort(exc.status, exc.message)
    return _done(aid, f"The learner now has {total} extra attempt(s) at this quiz (listed on "
                      "the Accommodations page).")
