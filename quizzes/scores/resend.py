"""Resend scores that have not reached the LMS, and say in the gradebook why they have not.

A resend puts the newest outbox row of each (course, quiz, learner) back in the queue with its
payload untouched, so the score keeps the timestamp of the latest attempt's grade: the LMS
treats it as the same score (Canvas accepts an equal timestamp, refuses an older one), so a
resend can never add a second score or undo a newer one.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from course.db import db
from course.lti.grade_advice import advice
from course.lti.tokens import CONFIG
from course.models import Context, User
from quizzes.models import FAILED, PENDING, Quiz, ScoreOutbox

WAITING = "waiting"  # the CLI's and the forms' word for rows still pending
STATUSES = {FAILED: (FAILED,), WAITING: (PENDING,), None: (FAILED, PENDING)}


@dataclass(frozen=True)
class Unsent:
    """One score the LMS does not have yet."""

    row_id: int
    context_id: int
    quiz_id: int
    quiz_title: str
    user_id: int
    learner: str
    status: str
    score_given: float | None
    timestamp: str | None
    problem: str | None


def _newest_rows(context_id: int | None) -> Any:
    """The id of the newest outbox row per (course, quiz, learner): the score that counts."""
    newest = select(func.max(ScoreOutbox.id).label("id")).group_by(
        ScoreOutbox.context_id, ScoreOutbox.quiz_id, ScoreOutbox.user_id)
    if context_id is not None:
        newest = newest.where(ScoreOutbox.context_id == context_id)
    return newest.subquery()


def unsent(context_id: int | None = None, user_id: int | None = None,
           quiz_id: int | None = None, status: str | None = None) -> list[Unsent]:
    """Newest scores that have not arrived (failed, or waiting when `status` allows it)."""
    newest = _newest_rows(context_id)
    query = (select(ScoreOutbox, Quiz.title, User.sub, User.name)
             .join(newest, newest.c.id == ScoreOutbox.id)
             .join(Quiz, Quiz.id == ScoreOutbox.quiz_id).join(User, User.id == ScoreOutbox.user_id)
             .where(ScoreOutbox.status.in_(STATUSES[status])))
    if user_id is not None:
        query = query.where(ScoreOutbox.user_id == user_id)
    if quiz_id is not None:
        query = query.where(ScoreOutbox.quiz_id == quiz_id)
    found = db.session.execute(query.order_by(ScoreOutbox.context_id, Quiz.title, User.sub)
                               .execution_options(populate_existing=True))
    return [Unsent(row.id, row.context_id, row.quiz_id, title, row.user_id, name or sub,
                   row.status, (row.payload or {}).get("scoreGiven"),
                   (row.payload or {}).get("timestamp"), row.problem)
            for row, title, sub, name in found]


def resend(items: Sequence[Unsent], now: datetime) -> int:
    """Queue these rows to be sent at the next worker pass; returns how many were queued."""
    if not items:
        return 0
    # The status test keeps a row a worker took (or delivered) meanwhile out of the resend.
    queued = db.session.execute(
        update(ScoreOutbox).where(ScoreOutbox.id.in_([i.row_id for i in items]),
                                  ScoreOutbox.status.in_((FAILED, PENDING)))
        .values(status=PENDING, tries=0, next_try_at=now, claimed_at=None, last_error=None,
                problem=None).execution_options(synchronize_session=False))
    db.session.commit()
    # Session.execute() is typed Result; an UPDATE gives a CursorResult, which has rowcount.
    return int(queued.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class UnsentSummary:
    """What the gradebook's resend section lists: totals per quiz and per learner."""

    total: int
    by_quiz: list[tuple[int, str, int]]  # (quiz id, title, count)
    by_learner: list[tuple[int, str, int]]  # (user id, name, count)
    config_notice: str | None


def summarise(context: Context, items: Iterable[Unsent]) -> UnsentSummary:
    """Counts for the resend buttons, and the banner when an LMS setting refuses the grades."""
    items = list(items)
    quizzes = Counter((i.quiz_id, i.quiz_title) for i in items)
    learners = Counter((i.user_id, i.learner) for i in items)
    refused = sum(1 for i in items if i.problem == CONFIG)
    notice = None
    if refused:
        notice = (f"{refused} score(s) are waiting because the LMS refuses grades from this "
                  f"tool. {advice(context.registration)} They are sent automatically within a "
                  "few hours of the change, or at once with Resend below.")
    return UnsentSummary(len(items), [(q, t, n) for (q, t), n in quizzes.items()],
                         [(u, name, n) for (u, name), n in sorted(learners.items(),
                                                                   key=lambda kv: kv[0][1])],
                         notice)
