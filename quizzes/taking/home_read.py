"""The course home's quizzes panel: course_statuses' read as plain columns, so the home gathers it.

progress.course_statuses reads the quizzes with the learner's attempts and overrides as ORM
objects, in its own statement. On the course home that statement and SQLAlchemy's ORM work
around it were the largest part of the page after the template (docs/performance.md, "The course
home in fewer statements"). Here the same joined read selects plain columns, which course/reads.py
can run in one statement with the other panels' reads; the rows become read-only Quiz, Attempt
and QuizOverride instances the way the ORM's loading fills them, and then the same QuizStatus.
Only the columns the panel reads are selected (COLUMNS); the others are expired on the detached
instances, so reading one raises DetachedInstanceError rather than giving None.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, and_, bindparam, func, inspect, or_, select
from sqlalchemy.orm import object_mapper
from sqlalchemy.orm.attributes import instance_state

from quizzes.accommodations.models import QuizOverride
from quizzes.accommodations.queries import applies_to_learner, limits_from
from quizzes.models import Attempt, Quiz
from quizzes.taking.progress import QuizStatus

T = TypeVar("T", Quiz, Attempt, QuizOverride)
MODELS: tuple[type[Any], ...] = (Quiz, Attempt, QuizOverride)
# Only the columns the panel reads (the quiz's slug and title; QuizStatus's label, grade and
# limits, and what statuses_from sorts by), each model's key first. The rest (an attempt's
# layout JSON, a quiz's description) were half the statement's text and JSON for nothing; they
# are left expired on the instances, so reading one raises instead of giving None.
COLUMNS: tuple[tuple[str, ...], ...] = (
    ("id", "slug", "title", "published", "grading", "pass_mark", "attempts_allowed",
     "time_limit_minutes", "open_at", "close_at", "review", "review_when", "mode"),
    ("id", "number", "state", "deadline_at", "score", "submitted_at"),
    ("id", "quiz_id", "user_id", "group_id", "time_multiplier", "extra_minutes",
     "unlimited_time", "extra_attempts", "open_at", "close_at"),
)


@functools.cache
def _unread() -> tuple[frozenset[str], ...]:
    """Each model's column attributes the read leaves out."""
    return tuple(frozenset(attr.key for attr in inspect(model).column_attrs) - set(keys)
                 for model, keys in zip(MODELS, COLUMNS, strict=True))


@functools.cache
def _read() -> Select[Any]:
    """The joined read of course_statuses as columns, with the quiz order as a rank (built once)."""
    cid, uid = bindparam("cid", type_=Integer), bindparam("uid", type_=Integer)
    # A gathered read keeps no ORDER BY, so the database's quiz order comes along as a rank.
    rank = func.dense_rank().over(order_by=(Quiz.position, Quiz.title, Quiz.id)).label("rank")
    columns = [getattr(model, key) for model, keys in zip(MODELS, COLUMNS, strict=True)
               for key in keys]
    return (select(rank, *columns).where(Quiz.context_id == cid)
            .outerjoin(Attempt, and_(Attempt.quiz_id == Quiz.id, Attempt.context_id == cid,
                                     Attempt.user_id == uid))
            .outerjoin(QuizOverride, and_(applies_to_learner(cid, uid),
                                          or_(QuizOverride.quiz_id == Quiz.id,
                                              QuizOverride.quiz_id.is_(None)))))


def read(context_id: int, user_id: int) -> tuple[Select[Any], dict[str, Any]]:
    """The read and its values, for course.home's PanelRead."""
    return _read(), {"cid": context_id, "uid": user_id}


def _instance(model: type[T], keys: Sequence[str], values: Sequence[Any],
              unread: frozenset[str]) -> T:
    """A read-only detached instance filled as the ORM's loading fills one (no events, no session).

    It carries its identity key and the columns not read as expired, as a detached row loaded
    with load_only would: reading one of those raises DetachedInstanceError.
    """
    found = model.__mapper__.class_manager.new_instance()
    found.__dict__.update(zip(keys, values, strict=True))
    state = instance_state(found)
    state.key = object_mapper(found).identity_key_from_primary_key((values[0],))
    state.expired_attributes.update(unread)
    return found


def statuses_from(rows: Sequence[Sequence[Any]], drafts: bool) -> list[QuizStatus]:
    """course_statuses(..., sync=False) from the rows of read: each quiz in the course's order."""
    quiz_keys, attempt_keys, override_keys = COLUMNS
    quiz_unread, attempt_unread, override_unread = _unread()
    ends = (1 + len(quiz_keys), 1 + len(quiz_keys) + len(attempt_keys))
    quizzes: dict[int, tuple[int, Quiz]] = {}
    attempts: dict[int, dict[int, Attempt]] = {}
    overrides: dict[int, QuizOverride] = {}
    for row in rows:
        quiz_part = row[1:ends[0]]
        quiz_id = quiz_part[0]
        if quiz_id not in quizzes:
            quizzes[quiz_id] = (row[0], _instance(Quiz, quiz_keys, quiz_part, quiz_unread))
        mine = attempts.setdefault(quiz_id, {})
        attempt_part, override_part = row[ends[0]:ends[1]], row[ends[1]:]
        if attempt_part[0] is not None and attempt_part[0] not in mine:
            mine[attempt_part[0]] = _instance(Attempt, attempt_keys, attempt_part,
                                               attempt_unread)
        if override_part[0] is not None and override_part[0] not in overrides:
            overrides[override_part[0]] = _instance(QuizOverride, override_keys, override_part,
                                                      override_unread)
    ordered = [quiz for _rank, quiz in sorted(quizzes.values(), key=lambda pair: pair[0])]
    shown = [q for q in ordered if drafts or q.published]
    limits = limits_from(shown, sorted(overrides.values(), key=lambda o: o.id))
    return [QuizStatus(q, sorted(attempts[q.id].values(), key=lambda a: a.number), None,
                       limits[q.id]) for q in shown]
