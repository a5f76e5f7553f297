"""Score outbox: queue AGS scores with the attempt; sync state for the pages (delivery: sender.py)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, insert, select, true, update
from sqlalchemy.orm import aliased

from course.db import db
from course.lti import ags
from course.lti.tokens import CONFIG
from course.models import Membership, User
from course.roles import INSTRUCTOR, OBSERVER
from quizzes import grading
from quizzes.corrections.rules import (  # AGS gradingProgress values and which one applies
    FULLY_GRADED,
    PENDING_MANUAL,  # noqa: F401 - re-exported for the essay queue
)
from quizzes.models import (
    FAILED,
    IN_PROGRESS,
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

# --- queue (inside the submitting or correcting transaction) -----------------------------------

def fresh_timestamp(now: datetime, previous: str | None) -> datetime:
    """The change time, moved past the learner's previous score for this quiz when needed.

    Platforms keep a score only if its timestamp is newer (AGS 3.4.3), and Moodle compares whole
    seconds, refusing an equal one with 409: so the new time is at least the next whole second.
    """
    if not previous:
        return now
    try:
        before = datetime.fromisoformat(previous.replace("Z", "+00:00"))
    except ValueError:
        return now
    floor = before.replace(microsecond=0) + timedelta(seconds=1)
    return now if now >= floor else floor


@functools.cache
def _learner_query() -> Select[Any]:
    """The learner's rows for one quiz, built once with bound values (every submission runs it)."""
    # Plain columns, not a Quiz object per attempt row: building those was ~10 ms of a
    # submission in issue 18's profile, and the grade needs four of the quiz's columns.
    cid, qid, uid = (bindparam(name, type_=Integer) for name in ("cid", "qid", "uid"))
    newest = select(func.max(ScoreOutbox.id).label("id")).where(
        ScoreOutbox.context_id == cid, ScoreOutbox.user_id == uid,
        ScoreOutbox.quiz_id == qid).subquery()
    previous = aliased(ScoreOutbox)
    return (select(Quiz.mode, Quiz.tutor_gradebook, Quiz.grading, Quiz.attempts_allowed,
                   User.sub, Membership.role, Attempt.state, Attempt.score,
                   Membership.removed_at, previous.payload).select_from(Quiz)
            .join(User, User.id == uid)
            .join(Attempt, and_(Attempt.quiz_id == Quiz.id, Attempt.user_id == uid))
            .outerjoin(Membership, and_(Membership.user_id == uid,
                                        Membership.context_id == Quiz.context_id))
            .outerjoin(newest, true()).outerjoin(previous, previous.id == newest.c.id)
            .where(Quiz.id == qid).order_by(Attempt.number))


def _learner_rows(context_id: int, quiz_id: int, user_id: int) -> list[Any]:
    """One query: the quiz's grading columns, the learner's sub and role, every attempt of theirs
    at it, and the payload of their newest score row (its timestamp must be beaten)."""
    return list(db.session.execute(_learner_query(),
                                   {"cid": context_id, "qid": quiz_id, "uid": user_id}).all())


def _grade_payload(mine: list[Any], now: datetime, progress: str) -> dict[str, Any] | None:
    """The learner's quiz grade as an AGS score, or None for staff and people who left."""
    if not mine:
        return None
    first = mine[0]  # the quiz's, user's and membership's columns repeat on every row
    if first.role in (INSTRUCTOR, OBSERVER):  # staff and observers get no LMS score
        return None
    if first.mode == TUTOR and not first.tutor_gradebook:  # tutor mode is practice unless the instructor says
        return None
    if first.removed_at is not None:  # left the course (e.g. an expired attempt closed later)
        return None
    scores = [row.score or 0.0 for row in mine if row.state == SUBMITTED]
    grade = grading.quiz_grade(first.grading, scores) or 0.0
    if any(row.state == IN_PROGRESS for row in mine):
        activity = "InProgress"
    else:
        done = grading.attempts_left(first.attempts_allowed, len(mine)) == 0
        activity = "Completed" if done else "Submitted"
    comment = f"{len(scores)} attempt(s); {grading.GRADING_LABELS[first.grading]}."
    previous = (first.payload or {}).get("timestamp")
    return ags.score_payload(first.sub, round(grade * ags.SCORE_MAXIMUM, 2), float(ags.SCORE_MAXIMUM),
                             fresh_timestamp(now, previous), comment, activity=activity,
                             grading=progress)


def enqueue_grade(attempt: Attempt, now: datetime,
                  progress: str = FULLY_GRADED) -> int | None:
    """Queue the quiz grade after a submission, in the caller's transaction (no commit); the row id.

    Staff trying a quiz get no score row: the LMS gradebook is for learners.
    """
    mine = _learner_rows(attempt.context_id, attempt.quiz_id, attempt.user_id)
    payload = _grade_payload(mine, now, progress)
    if payload is None:
        return None
    # A first submission has no row waiting (rows are written only on a submission or a
    # correction), so it inserts without looking; a reopened attempt may have one.
    submitted = sum(1 for row in mine if row.state == SUBMITTED)
    if submitted > 1 or attempt.reopened_at is not None:
        waiting = _replace_waiting(attempt.context_id, attempt.quiz_id, attempt.user_id,
                                   attempt.id, payload, now)
        if waiting is not None:
            return waiting
    return _insert(attempt.context_id, attempt.quiz_id, attempt.user_id, attempt.id, payload, now)


def enqueue_change(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
                   now: datetime, progress: str = FULLY_GRADED) -> int | None:
    """Queue a learner's quiz grade after a correction (regrade, override, reopen), no commit.

    A row still waiting takes the new grade, so each learner and quiz has one pending row and
    the newest grade wins; the timestamp is the change time (never older than the last one).
    """
    payload = _grade_payload(_learner_rows(context_id, quiz_id, user_id), now, progress)
    if payload is None:
        return None
    waiting = _replace_waiting(context_id, quiz_id, user_id, attempt_id, payload, now)
    if waiting is not None:
        return waiting
    return _insert(context_id, quiz_id, user_id, attempt_id, payload, now)


# Built once (every submission sends one): the statement and its cache key are not rebuilt.
_INSERT = insert(ScoreOutbox).returning(ScoreOutbox.id)


def _insert(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
            payload: dict[str, Any], now: datetime) -> int:
    """A new pending row; its id."""
    # Core on the session's connection: the ORM's unit of work cost ~3 ms per submission here,
    # and nothing in the transaction reads the row back as an object.
    return int(db.session.connection().execute(_INSERT, {
        "attempt_id": attempt_id, "context_id": context_id, "user_id": user_id,
        "quiz_id": quiz_id, "payload": payload, "status": PENDING, "tries": 0,
        "next_try_at": now, "created_at": now}).scalar_one())


def _replace_waiting(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
                     payload: dict[str, Any], now: datetime) -> int | None:
    """Put the new grade in the newest row still waiting (the platform needs only the newest); its id."""
    newest = select(func.max(ScoreOutbox.id)).where(
        ScoreOutbox.context_id == context_id, ScoreOutbox.quiz_id == quiz_id,
        ScoreOutbox.user_id == user_id, ScoreOutbox.status == PENDING).scalar_subquery()
    # The status test is repeated so a row a worker claimed meanwhile is left alone.
    row = db.session.scalars(
        update(ScoreOutbox).where(ScoreOutbox.id == newest, ScoreOutbox.status == PENDING)
        .values(payload=payload, attempt_id=attempt_id, next_try_at=now, tries=0,
                last_error=None, problem=None).returning(ScoreOutbox),
        execution_options={"populate_existing": True}).first()
    return None if row is None else row.id


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


# Built once (every course home reads one): workers change these rows with plain UPDATEs, so
# they are read fresh, not from the session.
_STATES = (select(ScoreOutbox).where(ScoreOutbox.context_id == bindparam("cid"))
           .order_by(ScoreOutbox.id).execution_options(populate_existing=True))
_STATES_OF_USER = _STATES.where(ScoreOutbox.user_id == bindparam("uid"))


def sync_states(context_id: int, user_id: int | None = None) -> dict[tuple[int, int], SyncState]:
    """The newest outbox row per (quiz id, user id) in a course, optionally for one user."""
    query = _STATES_OF_USER if user_id is not None else _STATES
    states: dict[tuple[int, int], SyncState] = {}
    for row in db.session.scalars(query, {"cid": context_id, "uid": user_id}):
        states[(row.quiz_id, row.user_id)] = SyncState(
            row.status, (row.payload or {}).get("scoreGiven"), aware(row.next_try_at),
            row.last_error, aware(row.sent_at), row.tries, row.problem)
    return states
