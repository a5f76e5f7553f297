"""A learner's quiz grade as an AGS score, worked out by the sender when it sends a queued row.

A submission or a correction queues only "this learner's grade for this quiz must be sent" (an
outbox row whose payload is ``queued(progress)``); the sender turns it into the score here, from
the attempts as they stand then. The timestamp is taken before the attempts are read, so a
score with a later timestamp never carries an older grade (the platform keeps the latest one).
"""
from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, select, update

from course.db import db
from course.lti import ags
from course.models import User
from quizzes import grading
from quizzes.models import (
    FAILED,
    IN_PROGRESS,
    SENDING,
    SUBMITTED,
    Attempt,
    Quiz,
    ScoreOutbox,
)


def queued(progress: str) -> dict[str, Any]:
    """The payload of a row whose score the sender has still to work out."""
    return {"gradingProgress": progress}


def is_score(payload: dict[str, Any] | None) -> bool:
    """Whether a row's payload is a worked-out AGS score (it has its timestamp)."""
    return bool(payload) and "timestamp" in payload  # type: ignore[operator]


def fresh_timestamp(now: datetime, previous: str | None) -> datetime:
    """The score's time, moved past the learner's previous score for this quiz when needed.

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
    """The learner's rows for one quiz, built once with bound values."""
    # Plain columns, not a Quiz object per attempt row: the grade needs two of the quiz's columns.
    cid, qid, uid = (bindparam(name, type_=Integer) for name in ("cid", "qid", "uid"))
    # ISO 8601 in one fixed width (ags.score_payload), so the largest string is the latest time.
    previous = select(func.max(ScoreOutbox.payload["timestamp"].as_string())).where(
        ScoreOutbox.context_id == cid, ScoreOutbox.user_id == uid,
        ScoreOutbox.quiz_id == qid).scalar_subquery()
    return (select(Quiz.grading, Quiz.attempts_allowed, User.sub, Attempt.state, Attempt.score,
                   previous.label("previous")).select_from(Quiz)
            .join(User, User.id == uid)
            .join(Attempt, and_(Attempt.quiz_id == Quiz.id, Attempt.user_id == uid))
            .where(Quiz.id == qid).order_by(Attempt.number))


def _payload(mine: list[Any], now: datetime, progress: str) -> dict[str, Any] | None:
    """The learner's quiz grade as an AGS score; None when they have no attempt at it.

    Who gets a score (learners still in the course, not tutor-mode practice) was decided when
    the row was queued (outbox._insert_query): a score queued is sent, as before this moved.
    """
    if not mine:
        return None
    first = mine[0]  # the quiz's and user's columns repeat on every row
    scores = [row.score or 0.0 for row in mine if row.state == SUBMITTED]
    grade = grading.quiz_grade(first.grading, scores) or 0.0
    if any(row.state == IN_PROGRESS for row in mine):
        activity = "InProgress"
    else:
        done = grading.attempts_left(first.attempts_allowed, len(mine)) == 0
        activity = "Completed" if done else "Submitted"
    comment = f"{len(scores)} attempt(s); {grading.GRADING_LABELS[first.grading]}."
    return ags.score_payload(first.sub, round(grade * ags.SCORE_MAXIMUM, 2), float(ags.SCORE_MAXIMUM),
                             fresh_timestamp(now, first.previous), comment, activity=activity,
                             grading=progress)


def learner_score(context_id: int, quiz_id: int, user_id: int, progress: str,
                  now: datetime) -> dict[str, Any] | None:
    """The learner's grade now, as the score to send; None when they have no attempt at it.

    ``now`` must be taken before this read: every change committed by then is in the grade.
    """
    mine = list(db.session.execute(_learner_query(),
                                   {"cid": context_id, "qid": quiz_id, "uid": user_id}).all())
    return _payload(mine, now, progress)


def current_score(row: Any, now: datetime) -> dict[str, Any] | None:
    """The score a row sends: its stored one, or for a queued row the learner's grade now."""
    if is_score(row.payload):
        return dict(row.payload)
    progress = (row.payload or {}).get("gradingProgress") or ags.FULLY_GRADED
    return learner_score(row.context_id, row.quiz_id, row.user_id, progress, now)


NO_SCORE = "No score to send: the learner has no attempt at this quiz any more."


def work_out(row: Any, now: datetime) -> dict[str, Any] | None:
    """A claimed row's score from the attempts as they stand, stored (committed) before it is posted.

    The sender took ``now`` before this read. Storing the score first means a retry posts the
    same score, and a newer row's timestamp is moved past this one (fresh_timestamp).
    """
    progress = (row.payload or {}).get("gradingProgress") or ags.FULLY_GRADED
    payload = learner_score(row.context_id, row.quiz_id, row.user_id, progress, now)
    values: dict[str, Any] = {"payload": payload}
    if payload is None:  # the attempts were deleted since it was queued: nothing to send
        values = {"status": FAILED, "claimed_at": None, "last_error": NO_SCORE}
    db.session.execute(update(ScoreOutbox).where(ScoreOutbox.id == row.id,
                                                 ScoreOutbox.status == SENDING)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return payload
