"""Writes each answer into the learner's review schedule: one upsert, in the caller's transaction.

The insert carries the schedule after a first answer (quizzes.review_schedule.answer); when the
row exists, ON CONFLICT applies the same SM-2 rules in SQL to the stored values, so no read is
needed first. tests/quizzes/review/test_schedule_store.py checks the two agree.

A quiz Submit only marks its attempt `review_pending` (issue 18's storm): `catch_up` enters its
answers later, from the stored rows, called by the worker and first by every other write to the
learner's schedule, so SM-2 still sees a learner's answers in the order they were given.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, case, literal_column, select, update

from course.db import db
from course.writes import Write
from quizzes import row_source
from quizzes.models import Attempt, QuestionVersion, Response, aware
from quizzes.review.models import ReviewItem
from quizzes.review_schedule import (
    FIRST_INTERVAL,
    MIN_EASE,
    PASS,
    SECOND_INTERVAL,
    Schedule,
    answer,
    corrected,
    day_number,
    quality,
)
from quizzes.taking.pages import answered
from quizzes.types import REGISTRY


@dataclass(frozen=True)
class Answered:
    """One answered item: its key, points, and the step, topic and case it belongs to."""

    key: str
    points: float
    max_points: float
    answered: bool = True
    step: str = ""
    topic: str = ""
    case_id: str | None = None


def question_key(question_id: int) -> str:
    """The schedule key of a quiz-bank question (all its versions share it)."""
    return f"q:{question_id}"


def module_key(module_slug: str, item_id: str) -> str:
    """The schedule key of a teaching module's practice or check item."""
    return f"m:{module_slug}:{item_id}"


def _share(points: float, max_points: float) -> float:
    """The share of points, between 0 and 1."""
    return max(0.0, min(1.0, points / max_points)) if max_points > 0 else 0.0


def _row(context_id: int, user_id: int, item: Answered, now: datetime, today: int) -> dict[str, Any]:
    """The values of a first answer's row (and, as ``excluded``, the new answer for an update)."""
    grade = quality(item.points, item.max_points, item.answered)
    first = answer(Schedule(), grade, today)
    return {"context_id": context_id, "user_id": user_id, "item_key": item.key,
            "ease": first.ease, "interval": first.interval, "reps": first.reps,
            "lapses": first.lapses, "due_day": first.due_day, "last_day": today,
            "last_quality": grade, "last_score": _share(item.points, item.max_points),
            "step": item.step[:40], "topic": item.topic[:100], "case_id": item.case_id,
            "answered_at": now}


def _n(value: int) -> Any:
    """An integer constant written into the SQL, not bound."""
    # 16 fewer values to bind on every upsert, and about 700 bytes less SQL: the submission's one
    # statement (course/writes.py) stays under the length psycopg keeps the parsing of (4,096).
    return literal_column(str(int(value)), Integer)


def _update_set(new: Any) -> dict[str, Any]:
    """SM-2 on the stored row (the old values) with the new grade: review_schedule.answer in SQL."""
    t = ReviewItem.__table__.c
    grade = new.last_quality
    miss = _n(5) - grade
    ease = t.ease + (_n(10) - miss * (_n(8) + miss * _n(2)))
    wrong = grade < _n(PASS)
    interval = case((wrong, _n(0)), (t.reps == _n(0), _n(FIRST_INTERVAL)),
                    (t.reps == _n(1), _n(SECOND_INTERVAL)),
                    else_=(t.interval * t.ease + _n(50)) // _n(100))
    return {
        "ease": case((ease < _n(MIN_EASE), _n(MIN_EASE)), else_=ease),
        "interval": interval,
        "reps": case((wrong, _n(0)), else_=t.reps + _n(1)),
        "lapses": t.lapses + case((wrong, _n(1)), else_=_n(0)),
        "due_day": new.last_day + interval,
        **{name: getattr(new, name) for name in (
            "last_day", "last_quality", "last_score", "step", "topic", "case_id", "answered_at")},
    }


# The columns _row fills, in its order.
_COLUMNS = ("context_id", "user_id", "item_key", "ease", "interval", "reps", "lapses", "due_day",
            "last_day", "last_quality", "last_score", "step", "topic", "case_id", "answered_at")


@functools.cache
def _upsert(dialect_name: str) -> Any:
    """The upsert statement for a dialect, built once (building it cost more than running it)."""
    stmt = row_source.insert(ReviewItem, _COLUMNS, dialect_name)  # every row in one statement
    return stmt.on_conflict_do_update(index_elements=["context_id", "user_id", "item_key"],
                                      set_=_update_set(stmt.excluded))


def record(context_id: int, user_id: int, answered: Sequence[Answered], now: datetime) -> None:
    """Schedule every answered item: one statement, at most one row write per item, no commit.

    The learner's submitted quiz answers that still wait go in first (catch_up).
    """
    catch_up(context_id, user_id)
    write = record_write(context_id, user_id, answered, now)
    if write is not None:
        # Core on the session's connection, same transaction: the ORM's bulk-insert path added
        # ~7 ms per submission in issue 18's profile and syncs nothing for an upsert.
        db.session.connection().execute(*write)


def record_write(context_id: int, user_id: int, answered: Sequence[Answered],
                 now: datetime) -> Write | None:
    """record()'s upsert and its values, for a caller that sends it with other writes."""
    if not answered:
        return None
    today = day_number(now)
    latest = {a.key: a for a in answered}  # one write per item, the last answer wins
    rows = [_row(context_id, user_id, a, now, today) for a in latest.values()]
    dialect = db.engine.dialect.name
    return _upsert(dialect), row_source.rows(ReviewItem, dialect, rows)


# A learner's submitted attempts whose answers wait for the schedule, oldest first. FOR UPDATE:
# a second writer (the worker, a review answer) waits, then finds them done, so each attempt
# goes in once and in order. SQLite has no row locks; it runs one write at a time anyway.
_PENDING = (select(Attempt.id, Attempt.layout, Attempt.submitted_at)
            .where(Attempt.context_id == bindparam("cid", type_=Integer),
                   Attempt.user_id == bindparam("uid", type_=Integer),
                   Attempt.review_pending.is_(True))
            .order_by(Attempt.submitted_at, Attempt.id).with_for_update())
# Each scored answer of one attempt with its question: what the Submit scheduled from before.
_SCORED = (select(Response.position, Response.response, Response.points, Response.max_points,
                  QuestionVersion.question_id, QuestionVersion.data)
           .join(QuestionVersion, QuestionVersion.id == Response.question_version_id)
           .where(Response.attempt_id == bindparam("aid", type_=Integer)))
_DONE = (update(Attempt).where(Attempt.id.in_(bindparam("ids", expanding=True)))
         .values(review_pending=False).execution_options(synchronize_session=False))
_LEARNERS = (select(Attempt.context_id, Attempt.user_id).where(Attempt.review_pending.is_(True))
             .group_by(Attempt.context_id, Attempt.user_id).limit(bindparam("limit", type_=Integer)))


def catch_up(context_id: int, user_id: int) -> int:
    """Schedule the answers of the learner's submitted attempts that wait, oldest first; no commit.

    Dated at each submission. Returns how many attempts went in.
    """
    connection = db.session.connection()
    done = []
    for attempt in connection.execute(_PENDING, {"cid": context_id, "uid": user_id}).all():
        rows = {r.position: r for r in connection.execute(_SCORED, {"aid": attempt.id})}
        entries = []
        for entry in attempt.layout:  # the layout's order, as the Submit scored it
            row = rows.get(entry["position"])
            item = row and scored(row.question_id, row.data, entry.get("case_study_id"),
                                  row.response, row.points or 0.0, row.max_points or 0.0)
            entries += [item] if item else []
        when = aware(attempt.submitted_at)
        write = record_write(context_id, user_id, entries, when) if when else None
        if write is not None:
            connection.execute(*write)
        done.append(attempt.id)
    if done:
        connection.execute(_DONE, {"ids": done})
    return len(done)


def learners_waiting(limit: int = 500) -> list[tuple[int, int]]:
    """(context id, user id) of learners with submitted answers not yet in their schedule."""
    return [(r.context_id, r.user_id)
            for r in db.session.connection().execute(_LEARNERS, {"limit": limit})]


@dataclass(frozen=True)
class Regraded:
    """An answer a regrade rescored: whose, which item, when it was given, points before and after."""

    user_id: int
    key: str
    when: datetime
    old: tuple[float, float]  # (points, max points)
    new: tuple[float, float]
    answered: bool = True


def correct(context_id: int, fixes: Sequence[Regraded]) -> int:
    """Redo each learner's last answer to a regraded item with its new score; no commit.

    One read, then at most one row write per learner and item (their latest regraded answer
    counts, and only while it is still their last answer: review_schedule.corrected).
    """
    latest = {(f.user_id, f.key): f for f in sorted(fixes, key=lambda f: f.when)}
    if not latest:
        return 0
    changed = 0
    for row in db.session.scalars(select(ReviewItem).where(
            ReviewItem.context_id == context_id,
            ReviewItem.user_id.in_({user for user, _ in latest}),
            ReviewItem.item_key.in_({key for _, key in latest}))):
        fix = latest.get((row.user_id, row.item_key))
        if fix is None:
            continue
        new = quality(*fix.new, fix.answered)
        after = corrected(Schedule(row.ease, row.interval, row.reps, row.lapses, row.due_day),
                          row.last_day, row.last_quality, day_number(fix.when),
                          quality(*fix.old, fix.answered), new)
        if after is None:
            continue
        row.ease, row.interval, row.reps, row.lapses, row.due_day = (
            after.ease, after.interval, after.reps, after.lapses, after.due_day)
        row.last_quality, row.last_score = new, _share(*fix.new)
        changed += 1
    return changed


def scored(question_id: int, item: Any, case_id: str | None, response: Any,
           points: float, max_points: float) -> Answered | None:
    """A scored quiz answer as a schedule entry; None for items a person marks (essays)."""
    if REGISTRY[item["type"]].manual or max_points <= 0:
        return None
    return Answered(question_key(question_id), points, max_points, answered(response),
                    item.get("cjmm", ""), item.get("topic", ""), case_id)
