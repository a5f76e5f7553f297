"""Attempt service: start, autosave, submit and expire attempts. It owns the writes and commits."""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from course.db import db, utcnow
from course.lti import ags
from course.writes import write_together
from quizzes import grading
from quizzes.accommodations.queries import limits_for
from quizzes.layout import arrange
from quizzes.marking import service as marking
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, Quiz, Response, aware
from quizzes.overrides import CLOSED, NOT_OPEN
from quizzes.scores import outbox
from quizzes.taking.attempt_layout import blocks_for, prefix, versions_for
from quizzes.taking.submission import score_attempt
from quizzes.types import REGISTRY


class AttemptError(Exception):
    """An attempt cannot be started or changed; ``message`` is shown to the learner."""

    def __init__(self, message: str) -> None:
        """Keep the message for the view."""
        super().__init__(message)
        self.message = message


class AttemptClosed(AttemptError):
    """The attempt was submitted already, so it cannot change."""


class AttemptNotFound(AttemptError):
    """No such attempt for this learner in this course (views answer 404)."""


@dataclass
class SaveOutcome:
    """What an autosave or a form post did."""

    saved: list[int] = field(default_factory=list)
    problems: dict[int, list[str]] = field(default_factory=dict)
    unsaved: dict[int, dict[str, Any]] = field(default_factory=dict)  # rejected, to show back
    submitted: bool = False  # the deadline had passed, so the attempt was submitted instead


# --- start -------------------------------------------------------------------------------------

def open_attempt(quiz_id: int, user_id: int) -> Attempt | None:
    """The user's in-progress attempt at a quiz, if any."""
    return db.session.scalars(select(Attempt).where(
        Attempt.quiz_id == quiz_id, Attempt.user_id == user_id,
        Attempt.state == IN_PROGRESS)).first()


def attempts_used(quiz_id: int, user_id: int) -> int:
    """How many attempts (submitted or open) the user has made at a quiz."""
    return db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)) or 0


def _when(value: datetime | None) -> str:
    """A date in an error message."""
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""


def start_attempt(quiz: Quiz, user_id: int, now: datetime | None = None, *,
                  preview: bool = False) -> Attempt:
    """Resume the open attempt, or start a new one if attempts remain (safe under races).

    ``preview`` (an instructor trying the quiz) ignores the open and close dates."""
    now = now or utcnow()
    expire_overdue(quiz.context_id, user_id, now)
    current = open_attempt(quiz.id, user_id)
    if current is not None:
        return current
    limits = limits_for(quiz, user_id)  # quiz settings with this learner's accommodations
    if preview:
        limits = replace(limits, open_at=None, close_at=None)
    window = limits.window(now)
    if window == NOT_OPEN:
        raise AttemptError(f"This quiz opens for you on {_when(limits.open_at)}.")
    if window == CLOSED:
        raise AttemptError(f"This quiz closed for you on {_when(limits.close_at)}.")
    used = attempts_used(quiz.id, user_id)
    if grading.attempts_left(limits.attempts_allowed, used) == 0:
        raise AttemptError("You have used all the attempts this quiz allows.")
    seed = secrets.token_hex(8)
    layout = arrange(blocks_for(quiz, seed), seed, quiz.shuffle)
    if not layout:
        raise AttemptError("This quiz has no questions yet.")
    deadline = limits.deadline(now)  # the time limit, never past the close date
    attempt = Attempt(context_id=quiz.context_id, user_id=user_id, quiz_id=quiz.id,
                      number=used + 1, state=IN_PROGRESS, active=1, seed=seed, started_at=now,
                      deadline_at=deadline, layout=layout)
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another tab started one at the same moment: use that one
        db.session.rollback()
        current = open_attempt(quiz.id, user_id)
        if current is None:
            raise AttemptError("The attempt could not be started. Please try again.") from None
        return current
    return attempt


# --- autosave ----------------------------------------------------------------------------------

def _claim_open(attempt_id: int) -> bool:
    """Lock the attempt row for this transaction if it is still open (row lock / SQLite write lock)."""
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt_id, Attempt.state == IN_PROGRESS)
        .values(active=1).execution_options(synchronize_session=False))
    # Session.execute() is typed Result; an UPDATE gives a CursorResult, which has rowcount.
    return result.rowcount == 1  # type: ignore[attr-defined]


def _store(attempt: Attempt, answers: Mapping[int, tuple[int, dict[str, Any]]],
           now: datetime) -> None:
    """Insert or update the saved responses by position."""
    existing = {r.position: r for r in db.session.scalars(
        select(Response).where(Response.attempt_id == attempt.id,
                               Response.position.in_(list(answers))))}
    for position, (version_id, response) in answers.items():
        row = existing.get(position)
        if row is None:
            db.session.add(Response(attempt_id=attempt.id, position=position,
                                    question_version_id=version_id, response=response,
                                    saved_at=now))
        else:
            row.response, row.saved_at = response, now


def save_answers(attempt: Attempt, form: Mapping[str, Any], positions: Iterable[int],
                 now: datetime | None = None) -> SaveOutcome:
    """Parse and save the answers for the given positions; after the deadline, submit instead."""
    now = now or utcnow()
    if grading.overdue(aware(attempt.deadline_at), now):
        submit_attempt(attempt.id, now)
        return SaveOutcome(submitted=True)
    versions = versions_for(attempt)
    outcome, answers = SaveOutcome(), {}
    for position in sorted(set(positions)):
        version = versions.get(position)
        if version is None:
            raise AttemptError(f"Question {position} is not part of this attempt.")
        parsed = REGISTRY[version.data["type"]].parse(version.data, form, prefix(position))
        if parsed.problems:
            outcome.problems[position] = list(parsed.problems)
            outcome.unsaved[position] = parsed.response
        else:
            answers[position] = (version.id, parsed.response)
    for tries in (1, 2):
        if not _claim_open(attempt.id):
            db.session.rollback()
            raise AttemptClosed("This attempt has already been submitted.")
        _store(attempt, answers, now)
        try:
            db.session.commit()
            break
        except IntegrityError:  # two tabs inserted the same answer at once: update instead
            db.session.rollback()
            if tries == 2:
                raise
    outcome.saved = sorted(answers)
    return outcome


# --- submit ------------------------------------------------------------------------------------

# Built once with bound values (every submission runs one): building and caching the ORM UPDATE
# afresh, and synchronizing the session by evaluating its criteria, cost more than running it.
# The conditional UPDATE is the claim: only the request that changed the row scores it.
# RETURNING hands back the claimed row into the session's object, so it is not selected again.
_CLAIM = (update(Attempt).where(Attempt.id == bindparam("aid", type_=Integer),
                                Attempt.state == IN_PROGRESS)
          .values(state=SUBMITTED, active=None, review_pending=True,
                  submitted_at=bindparam("now", type_=DateTime(timezone=True)))
          .returning(Attempt)
          .execution_options(populate_existing=True, synchronize_session=False))
_CLAIM_OWN = _CLAIM.where(Attempt.context_id == bindparam("cid", type_=Integer),
                          Attempt.user_id == bindparam("uid", type_=Integer))


def _claim(attempt_id: int, now: datetime, owner: tuple[int, int] | None) -> Attempt | None:
    """Mark the attempt submitted if it is still open (and the owner's); the claimed row."""
    if owner is None:
        return db.session.scalars(_CLAIM, {"aid": attempt_id, "now": now}).first()
    return db.session.scalars(_CLAIM_OWN, {"aid": attempt_id, "now": now, "cid": owner[0],
                                           "uid": owner[1]}).first()


def submit_attempt(attempt_id: int, now: datetime | None = None,
                   owner: tuple[int, int] | None = None) -> tuple[Attempt, bool]:
    """Submit once: returns the attempt and whether this call did it (False for repeats).

    ``owner`` is (context id, user id): the claim then also checks the attempt is theirs,
    and AttemptNotFound says it is not, so a view needs no separate ownership query.
    """
    now = now or utcnow()
    attempt = _claim(attempt_id, now, owner)
    if attempt is None:
        db.session.rollback()
        found = db.session.get(Attempt, attempt_id, populate_existing=True)
        if found is None or (owner is not None and (found.context_id, found.user_id) != owner):
            raise AttemptNotFound("This attempt does not exist.")
        return found, False
    deadline = aware(attempt.deadline_at)
    # What was saved by the deadline is what counts, so an overdue attempt is dated at it.
    scored = score_attempt(attempt, deadline if deadline is not None and now > deadline else now)
    marking.record_pending(attempt, scored.manual, now)  # essays wait for the instructor
    # Same transaction as the attempt: if this commit happens, the score row exists too.
    queued = outbox.grade_write(attempt, now,
                                ags.PENDING_MANUAL if scored.manual else ags.FULLY_GRADED)
    # The responses, the score and the outbox row write three tables and read none of the others:
    # one statement on PostgreSQL (issue 18's storm), one each on SQLite. The answers enter the
    # review schedule after the Submit (the claim set review_pending; schedule_store.catch_up).
    write_together([*scored.writes, *([queued] if queued is not None else [])])
    db.session.commit()
    return attempt, True


def expire_overdue(context_id: int | None = None, user_id: int | None = None,
                   now: datetime | None = None) -> int:
    """Submit in-progress attempts whose deadline has passed; returns how many this call did."""
    now = now or utcnow()
    query = select(Attempt.id).where(Attempt.state == IN_PROGRESS,
                                     Attempt.deadline_at.is_not(None), Attempt.deadline_at <= now)
    if context_id is not None:
        query = query.where(Attempt.context_id == context_id)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    done = 0
    for attempt_id in list(db.session.scalars(query)):
        done += submit_attempt(attempt_id, now)[1]
    return done
