"""Marking service: essays waiting in a course, and grading one (re-score, outbox, audit, commit)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from course.audit import record
from course.db import db
from course.lti import ags
from course.models import User
from quizzes import grading
from quizzes.marking.models import ManualGrade
from quizzes.models import SUBMITTED, Attempt, QuestionVersion, Quiz, Response
from quizzes.scores import outbox
from quizzes.types import essay

MAX_COMMENT = 5000


def record_pending(attempt: Attempt, manual: list[tuple[int, int]], now: datetime) -> None:
    """In the submitting transaction: one waiting row per essay (no statement when there is none)."""
    if manual:
        db.session.execute(insert(ManualGrade), [
            {"context_id": attempt.context_id, "attempt_id": attempt.id, "position": position,
             "question_version_id": version_id, "created_at": now, "comment": ""}
            for position, version_id in manual])


@dataclass(frozen=True)
class Marking:
    """One essay answer with what the grading page shows."""

    grade: ManualGrade
    attempt: Attempt
    learner: str
    quiz_title: str
    item: dict[str, Any]
    text: str


def _rows(context_id: int) -> Any:
    """Manual grades of a course with their attempt, learner, quiz and question version."""
    return (select(ManualGrade, Attempt, User.name, User.sub, Quiz.title, QuestionVersion.data)
            .join(Attempt, Attempt.id == ManualGrade.attempt_id)
            .join(User, User.id == Attempt.user_id)
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .join(QuestionVersion, QuestionVersion.id == ManualGrade.question_version_id)
            .where(ManualGrade.context_id == context_id, Attempt.context_id == context_id))


def waiting(context_id: int) -> list[Marking]:
    """Every essay in the course still waiting for a score, oldest first (one query)."""
    found = db.session.execute(_rows(context_id).where(ManualGrade.graded_at.is_(None))
                               .order_by(ManualGrade.created_at, ManualGrade.id)).all()
    return [Marking(m, a, name or sub, title, data, "") for m, a, name, sub, title, data in found]


def load(context_id: int, grade_id: int) -> Marking | None:
    """One essay of this course with the learner's answer, or None (another course's is None too)."""
    row = db.session.execute(_rows(context_id).where(ManualGrade.id == grade_id)).first()
    if row is None:
        return None
    m, attempt, name, sub, title, data = row
    stored = db.session.scalar(select(Response.response).where(
        Response.attempt_id == attempt.id, Response.position == m.position))
    return Marking(m, attempt, name or sub, title, data, essay.typed(stored))


def grade(marking: Marking, posted: Mapping[str, Any], comment: str, grader_id: int | None,
          now: datetime) -> dict[str, str]:
    """Score the essay on its rubric; on success re-score the attempt, queue the grade and commit."""
    awarded, errors = essay.check_awarded(marking.item, posted)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Keep the comment under {MAX_COMMENT:,} characters."
    if errors:
        return errors
    m, attempt = marking.grade, marking.attempt
    before = {"points": m.points, "awarded": m.awarded, "attempt_points": attempt.points}
    result = essay.graded(marking.item, {"text": marking.text}, awarded, comment)
    response = db.session.scalars(select(Response).where(
        Response.attempt_id == attempt.id, Response.position == m.position)).one()
    response.points, response.max_points = result.points, result.max_points
    response.parts = [asdict(p) for p in result.parts]
    m.graded_at, m.grader_id, m.awarded, m.points, m.comment = now, grader_id, awarded, result.points, comment
    db.session.flush()
    attempt.points = float(db.session.scalar(select(func.sum(Response.points)).where(
        Response.attempt_id == attempt.id)) or 0.0)
    attempt.score = grading.fraction(attempt.points, attempt.max_points or 0.0)
    progress = ags.PENDING_MANUAL if still_waiting(attempt) else ags.FULLY_GRADED
    outbox.enqueue_change(attempt.context_id, attempt.quiz_id, attempt.user_id, attempt.id, now, progress)
    record(attempt.context_id, grader_id, "grade.essay", f"attempt:{attempt.id}:q{m.position}", before,
                 {"points": result.points, "awarded": awarded, "attempt_points": attempt.points,
                  "comment": comment}, now)
    db.session.commit()
    return {}


def still_waiting(attempt: Attempt) -> bool:
    """Whether any submitted attempt of this learner at this quiz has an essay not yet graded."""
    return db.session.scalar(select(func.count(ManualGrade.id)).join(
        Attempt, Attempt.id == ManualGrade.attempt_id).where(
        Attempt.quiz_id == attempt.quiz_id, Attempt.user_id == attempt.user_id,
        Attempt.state == SUBMITTED, ManualGrade.graded_at.is_(None))) != 0
