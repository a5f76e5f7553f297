"""Manual overrides and reopening, each audited and sent to the LMS (the service commits)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.audit import record
from course.db import db, utcnow
from course.models import User
from quizzes.accommodations.queries import limits_for
from quizzes.corrections import rules
from quizzes.corrections.models import WHOLE_ATTEMPT, GradeOverride
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, Quiz, Response, aware
from quizzes.scores import outbox
from quizzes.taking.attempt_layout import versions_for
from quizzes.types import REGISTRY

MAX_REOPEN_MINUTES = 1440


class CorrectionError(Exception):
    """A correction cannot be made; ``message`` is shown, ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Keep the message and the status for the view."""
        super().__init__(message)
        self.message, self.status = message, status


def overrides_of(attempt_id: int) -> dict[int, GradeOverride]:
    """An attempt's overrides by position (WHOLE_ATTEMPT for the attempt's score)."""
    return {o.position: o for o in db.session.scalars(
        select(GradeOverride).where(GradeOverride.attempt_id == attempt_id))}


def describe(attempt: Attempt, position: int = WHOLE_ATTEMPT) -> str:
    """Whose attempt and which part, for the audit trail's target column."""
    user = db.session.get(User, attempt.user_id)
    quiz = db.session.get(Quiz, attempt.quiz_id)
    who = (user.name or user.sub) if user else f"learner {attempt.user_id}"
    where = f", question {position}" if position != WHOLE_ATTEMPT else ""
    return f"{who}, {quiz.title if quiz else 'quiz'}, attempt {attempt.number}{where}"


def grade_state(attempt: Attempt) -> dict[str, Any]:
    """An attempt's grade as plain values for the audit trail."""
    return {"attempt": attempt.id, "state": attempt.state, "points": attempt.points,
            "max_points": attempt.max_points, "score": attempt.score}


def learner_progress(quiz_id: int, user_id: int) -> str:
    """gradingProgress for a learner's quiz grade: waiting for a person, the learner, or neither."""
    found = db.session.execute(
        select(Attempt.state, Attempt.reopened_at, Response.parts, GradeOverride.id)
        .select_from(Attempt).outerjoin(Response, Response.attempt_id == Attempt.id)
        .outerjoin(GradeOverride, (GradeOverride.attempt_id == Attempt.id)
                   & (GradeOverride.position == Response.position))
        .where(Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)).all()
    manual = any(row.state == SUBMITTED and row.id is None and rules.waits_for_person(row.parts)
                 for row in found)
    reopened = any(row.state == IN_PROGRESS and row.reopened_at is not None for row in found)
    return rules.grading_progress(manual, reopened)


def queue_grade(attempt: Attempt, now: datetime) -> None:
    """Queue the learner's quiz grade after a change (one waiting row per learner and quiz)."""
    db.session.flush()
    outbox.enqueue_change(attempt.context_id, attempt.quiz_id, attempt.user_id, attempt.id, now,
                          learner_progress(attempt.quiz_id, attempt.user_id))


def recount(attempt: Attempt) -> None:
    """Set the attempt's totals from its scored answers and any override of its score."""
    marks = [(r.points or 0.0, r.max_points or 0.0) for r in db.session.scalars(
        select(Response).where(Response.attempt_id == attempt.id))]
    whole = overrides_of(attempt.id).get(WHOLE_ATTEMPT)
    result = rules.totals(marks, whole.given if whole else None)
    attempt.points, attempt.max_points, attempt.score = (result.points, result.max_points,
                                                         result.score)


def _submitted(attempt: Attempt) -> None:
    """Only a submitted attempt has a score to correct."""
    if attempt.state != SUBMITTED:
        raise CorrectionError("This attempt is in progress: its answers are scored when it is "
                              "submitted.", 409)


def _response(attempt: Attempt, position: int) -> Response:
    """The scored answer at a position of the attempt."""
    row = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id,
                                                    Response.position == position)).first()
    if row is None:
        raise CorrectionError(f"This attempt has no question {position}.")
    return row


def set_override(attempt: Attempt, position: int, value: float | None, comment: str | None,
                 actor_id: int | None, now: datetime | None = None) -> GradeOverride:
    """Give a question's points or the attempt's percent, with a comment; audited, sent, committed."""
    now = now or utcnow()
    _submitted(attempt)
    text, problem = rules.clean_comment(comment)
    row = _response(attempt, position) if position != WHOLE_ATTEMPT else None
    problem = problem or (rules.percent_problem(value) if row is None
                          else rules.points_problem(value, row.max_points or 0.0))
    if problem or value is None:
        raise CorrectionError(problem or "Give a score.")
    found = overrides_of(attempt.id).get(position)
    before = {**grade_state(attempt), "question_points": row.points if row else None,
              "override": {"given": found.given, "comment": found.comment} if found else None}
    if found is None:
        found = GradeOverride(context_id=attempt.context_id, attempt_id=attempt.id,
                              position=position, given=value, comment=text)
        db.session.add(found)
    found.given, found.comment, found.created_by, found.created_at = value, text, actor_id, now
    if row is not None:
        row.points = value
    db.session.flush()
    recount(attempt)
    after = {**grade_state(attempt), "question_points": row.points if row else None,
             "override": {"given": value, "comment": text}}
    record(attempt.context_id, actor_id, "grade.override", describe(attempt, position),
                 before, after, now)
    queue_grade(attempt, now)
    db.session.commit()
    return found


def remove_override(attempt: Attempt, position: int, actor_id: int | None,
                    now: datetime | None = None) -> None:
    """Give the scorer's mark back to a question or the attempt; audited, sent, committed."""
    now = now or utcnow()
    _submitted(attempt)
    found = overrides_of(attempt.id).get(position)
    if found is None:
        raise CorrectionError("There is no override there to remove.", 404)
    before = {**grade_state(attempt), "override": {"given": found.given, "comment": found.comment}}
    if position != WHOLE_ATTEMPT:
        row = _response(attempt, position)
        version = versions_for(attempt).get(position)
        if version is not None:  # the pure scorer, on the version the answer was given to
            row.points = REGISTRY[version.data["type"]].score(version.data, row.response or {}).points
    db.session.delete(found)
    db.session.flush()
    recount(attempt)
    record(attempt.context_id, actor_id, "grade.override.remove",
                 describe(attempt, position), before, grade_state(attempt), now)
    queue_grade(attempt, now)
    db.session.commit()


def _new_deadline(attempt: Attempt, minutes: int | None, now: datetime) -> datetime | None:
    """The reopened attempt's deadline: the minutes given, else the learner's own time limit."""
    if minutes is not None:
        if not 1 <= minutes <= MAX_REOPEN_MINUTES:
            raise CorrectionError(f"Give from 1 to {MAX_REOPEN_MINUTES} minutes.")
        return now + timedelta(minutes=minutes)
    limits = limits_for(db.session.get_one(Quiz, attempt.quiz_id), attempt.user_id)
    deadline = limits.deadline(now)
    if deadline is not None and deadline <= now:
        raise CorrectionError("The quiz has closed for this learner: say how many minutes to "
                              "allow.", 409)
    return deadline


def reopen(attempt: Attempt, minutes: int | None, actor_id: int | None,
           now: datetime | None = None) -> None:
    """Put a submitted attempt back in progress (overrides of it end); audited, sent, committed."""
    now = now or utcnow()
    _submitted(attempt)
    before = {**grade_state(attempt), "submitted_at": _iso(attempt.submitted_at),
              "overrides": {str(p): {"given": o.given, "comment": o.comment}
                            for p, o in overrides_of(attempt.id).items()}}
    deadline = _new_deadline(attempt, minutes, now)
    for found in overrides_of(attempt.id).values():  # the answers may change: scored afresh
        db.session.delete(found)
    attempt.state, attempt.active, attempt.submitted_at = IN_PROGRESS, 1, None
    attempt.deadline_at, attempt.reopened_at = deadline, now
    attempt.points = attempt.max_points = attempt.score = None
    try:
        db.session.flush()
    except IntegrityError:  # one open attempt per learner and quiz
        db.session.rollback()
        raise CorrectionError("The learner has another attempt at this quiz in progress: it "
                              "must be submitted first.", 409) from None
    record(attempt.context_id, actor_id, "attempt.reopen", describe(attempt), before,
                 {**grade_state(attempt), "deadline_at": _iso(deadline)}, now)
    queue_grade(attempt, now)
    db.session.commit()


def _iso(value: datetime | None) -> str | None:
    """A time for the audit trail's JSON."""
    found = aware(value)
    return found.isoformat() if found else None
