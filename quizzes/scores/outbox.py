"""Score outbox: queue AGS scores with the attempt; sync state for the pages (delivery: sender.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update

from course.db import db
from course.lti import ags
from course.lti.tokens import CONFIG
from course.models import Membership, User
from course.roles import INSTRUCTOR, OBSERVER
from quizzes import grading
from quizzes.models import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SUBMITTED,
    TUTOR,
    Attempt,
    Quiz,
    ScoreOutbox,
    aware,
)

# --- queue (inside the submitting transaction) ---------------------------------------------------

def enqueue_grade(attempt: Attempt, now: datetime) -> ScoreOutbox | None:
    """Queue the quiz grade after a submission, in the caller's transaction (no commit).

    Staff trying a quiz get no score row: the LMS gradebook is for learners.
    """
    # One query: the quiz, the learner's sub and role, and every attempt of theirs at it.
    mine = db.session.execute(
        select(Quiz, User.sub, Membership.role, Attempt.state, Attempt.score,
               Membership.removed_at).select_from(Quiz)
        .join(User, User.id == attempt.user_id)
        .join(Attempt, and_(Attempt.quiz_id == Quiz.id, Attempt.user_id == attempt.user_id))
        .outerjoin(Membership, and_(Membership.user_id == attempt.user_id,
                                    Membership.context_id == Quiz.context_id))
        .where(Quiz.id == attempt.quiz_id).order_by(Attempt.number)).all()
    quiz, sub, role = mine[0][:3]  # the submitted attempt itself is always there
    if role in (INSTRUCTOR, OBSERVER):  # staff and observers get no LMS score
        return None
    if quiz.mode == TUTOR and not quiz.tutor_gradebook:  # tutor mode is practice unless the instructor says
        return None
    if mine[0].removed_at is not None:  # left the course (e.g. an expired attempt closed later)
        return None
    scores = [row.score or 0.0 for row in mine if row.state == SUBMITTED]
    grade = grading.quiz_grade(quiz.grading, scores) or 0.0
    done = grading.attempts_left(quiz.attempts_allowed, len(mine)) == 0
    comment = f"{len(scores)} attempt(s); {grading.GRADING_LABELS[quiz.grading]}."
    payload = ags.score_payload(sub, round(grade * ags.SCORE_MAXIMUM, 2), float(ags.SCORE_MAXIMUM),
                                now, comment, activity="Completed" if done else "Submitted")
    # Rows are written only here, one per submission, so a first submission has none waiting.
    if len(scores) > 1:
        waiting = _replace_waiting(quiz, attempt, payload, now)
        if waiting is not None:
            return waiting
    row = ScoreOutbox(attempt_id=attempt.id, context_id=quiz.context_id, user_id=attempt.user_id,
                      quiz_id=quiz.id, payload=payload, status=PENDING, tries=0, next_try_at=now,
                      created_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def _replace_waiting(quiz: Quiz, attempt: Attempt, payload: dict[str, Any],
                     now: datetime) -> ScoreOutbox | None:
    """Put the new grade in the newest row still waiting: the platform needs only the newest."""
    newest = select(func.max(ScoreOutbox.id)).where(
        ScoreOutbox.context_id == quiz.context_id, ScoreOutbox.quiz_id == quiz.id,
        ScoreOutbox.user_id == attempt.user_id, ScoreOutbox.status == PENDING).scalar_subquery()
    # The status test is repeated so a row a worker claimed meanwhile is left alone.
    return db.session.scalars(
        update(ScoreOutbox).where(ScoreOutbox.id == newest, ScoreOutbox.status == PENDING)
        .values(payload=payload, attempt_id=attempt.id, next_try_at=now, tries=0,
                last_error=None, problem=None).returning(ScoreOutbox),
        execution_options={"populate_existing": True}).first()


# --- sync state for the views -------------------------------------------------------------------

@dataclass(frozen=True)
class SyncState:
    """Where a quiz grade stands on its way to the platform gradebook."""

    status: str
    score_given: float | None
    next_try_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    tries: int
    problem: str | None = None  # "config": an LMS setting refuses the tool; "learner"

    @property
    def arrived(self) -> bool:
        """Whether the LMS has the score (an instructor may resend the others)."""
        return self.status == SENT

    @property
    def label(self) -> str:
        """A short sentence for learners and instructors."""
        if self.status == SENT:
            return "Sent to the course gradebook"
        if self.status == FAILED:
            return f"Not sent: {self.last_error or 'unknown error'}"
        if self.status == SENDING:
            return "Sending to the course gradebook"
        if self.problem == CONFIG and self.next_try_at:
            return (f"Waiting for a setting in the LMS; next try {self.next_try_at:%d %b %H:%M}"
                    f" UTC. {self.last_error}")
        if self.tries and self.next_try_at:
            return f"Waiting to send; next try at {self.next_try_at:%H:%M} UTC ({self.last_error})"
        return "Waiting to send to the course gradebook"


def sync_states(context_id: int, user_id: int | None = None) -> dict[tuple[int, int], SyncState]:
    """The newest outbox row per (quiz id, user id) in a course, optionally for one user."""
    query = select(ScoreOutbox).where(ScoreOutbox.context_id == context_id)
    if user_id is not None:
        query = query.where(ScoreOutbox.user_id == user_id)
    states: dict[tuple[int, int], SyncState] = {}
    # Workers change these rows with plain UPDATEs: read them fresh, not from the session.
    for row in db.session.scalars(query.order_by(ScoreOutbox.id)
                                  .execution_options(populate_existing=True)):
        states[(row.quiz_id, row.user_id)] = SyncState(
            row.status, (row.payload or {}).get("scoreGiven"), aware(row.next_try_at),
            row.last_error, aware(row.sent_at), row.tries, row.problem)
    return states
