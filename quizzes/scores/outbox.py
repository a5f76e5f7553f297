"""Score outbox: queue the grades to send with the attempt; sync state for the pages (grade.py, sender.py)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, or_, select, true, update

from course.db import db
from course.lti.tokens import CONFIG
from course.models import Membership
from course.roles import INSTRUCTOR, OBSERVER
from course.writes import Write
from quizzes.corrections.rules import (  # AGS gradingProgress values and which one applies
    FULLY_GRADED,
    PENDING_MANUAL,  # noqa: F401 - re-exported for the essay queue
)
from quizzes.models import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    TUTOR,
    Attempt,
    Quiz,
    ScoreOutbox,
    aware,
)
from quizzes.scores import grade

# --- queue (inside the submitting or correcting transaction) -----------------------------------

def _column(name: str) -> Any:
    """A bound value typed as the outbox column it fills (PostgreSQL casts it as such)."""
    return bindparam(name, type_=ScoreOutbox.__table__.c[name].type)


_COLUMNS = ("attempt_id", "context_id", "user_id", "quiz_id", "payload", "status", "tries",
            "next_try_at", "created_at")


@functools.cache
def _insert_query() -> Any:
    """A new pending row, only when the learner's grade goes to the gradebook; built once."""
    values = {name: _column(name) for name in _COLUMNS}
    uid, qid = values["user_id"], values["quiz_id"]
    # Who gets a score is decided here, in the INSERT itself, so no statement reads first: staff,
    # observers, people who left and tutor-mode practice get no row. A row queued is sent.
    graded = (select(*values.values()).select_from(Quiz)
              .outerjoin(Membership, and_(Membership.user_id == uid,
                                          Membership.context_id == Quiz.context_id))
              .where(Quiz.id == qid, or_(Quiz.mode != TUTOR, Quiz.tutor_gradebook.is_(true())),
                     or_(Membership.role.is_(None), Membership.role.not_in((INSTRUCTOR, OBSERVER))),
                     Membership.removed_at.is_(None)))
    return insert(ScoreOutbox).from_select(list(_COLUMNS), graded).returning(ScoreOutbox.id)


def grade_write(attempt: Attempt, now: datetime, progress: str = FULLY_GRADED) -> Write | None:
    """Queue the learner's quiz grade after a submission: the INSERT for the caller to send.

    The row says whose grade for which quiz must be sent; the sender works the score out when it
    sends (grade.py), so a submission reads nothing for it. Staff get no row. None when a row
    still waiting was queued again instead (that UPDATE runs here, in the caller's transaction).
    """
    # A first attempt never reopened has no row waiting (rows are written only on a submission
    # or a correction of a submitted attempt), so it inserts without looking.
    if attempt.number > 1 or attempt.reopened_at is not None:
        if _replace_waiting(attempt.context_id, attempt.quiz_id, attempt.user_id, attempt.id,
                            progress, now) is not None:
            return None
    return _insert_query(), _insert_values(attempt.context_id, attempt.quiz_id, attempt.user_id,
                                           attempt.id, progress, now)


def enqueue_change(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
                   now: datetime, progress: str = FULLY_GRADED) -> int | None:
    """Queue a learner's quiz grade after a correction (regrade, override, reopen), no commit.

    A row still waiting is queued again for the new change, so each learner and quiz has one
    pending row; the sender sends the grade as it stands when it sends.
    """
    waiting = _replace_waiting(context_id, quiz_id, user_id, attempt_id, progress, now)
    if waiting is not None:
        return waiting
    return _insert(context_id, quiz_id, user_id, attempt_id, progress, now)


def _insert_values(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
                   progress: str, now: datetime) -> dict[str, Any]:
    """The values of a new pending row."""
    return {"attempt_id": attempt_id, "context_id": context_id, "user_id": user_id,
            "quiz_id": quiz_id, "payload": grade.queued(progress), "status": PENDING, "tries": 0,
            "next_try_at": now, "created_at": now}


def _insert(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
            progress: str, now: datetime) -> int | None:
    """A new pending row when the learner's grade goes to the gradebook; its id."""
    # Core on the session's connection: the ORM's unit of work cost ~3 ms per submission here,
    # and nothing in the transaction reads the row back as an object.
    found = db.session.connection().execute(_insert_query(), _insert_values(
        context_id, quiz_id, user_id, attempt_id, progress, now)).scalar_one_or_none()
    return None if found is None else int(found)


def _replace_waiting(context_id: int, quiz_id: int, user_id: int, attempt_id: int | None,
                     progress: str, now: datetime) -> int | None:
    """Queue the newest row still waiting again for this change (one is enough); its id."""
    newest = select(func.max(ScoreOutbox.id)).where(
        ScoreOutbox.context_id == context_id, ScoreOutbox.quiz_id == quiz_id,
        ScoreOutbox.user_id == user_id, ScoreOutbox.status == PENDING).scalar_subquery()
    # The status test is repeated so a row a worker claimed meanwhile is left alone.
    row = db.session.scalars(
        update(ScoreOutbox).where(ScoreOutbox.id == newest, ScoreOutbox.status == PENDING)
        .values(payload=grade.queued(progress), attempt_id=attempt_id, next_try_at=now, tries=0,
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
