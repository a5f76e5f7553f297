"""The course home's quizzes panel: course_statuses' read as plain columns, so the home gathers it.

progress.course_statuses reads the quizzes with the learner's attempts and overrides as ORM
objects, in its own statement. On the course home that statement and SQLAlchemy's ORM work
around it were the largest part of the page after the template (docs/performance.md, "The course
home in fewer statements"). Here the same joined read selects plain columns, which course/reads.py
can run in one statement with the other panels' reads; the rows become read-only Quiz, Attempt
and QuizOverride instances the way the ORM's loading fills them, and then the same QuizStatus.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, and_, bindparam, func, inspect, or_, select

from quizzes.accommodations.models import QuizOverride
from quizzes.accommodations.queries import applies_to_learner, limits_from
from quizzes.models import Attempt, Quiz
from quizzes.taking.progress import QuizStatus

T = TypeVar("T", Quiz, Attempt, QuizOverride)
MODELS: tuple[type[Any], ...] = (Quiz, Attempt, QuizOverride)


@functools.cache
def _keys() -> tuple[tuple[str, ...], ...]:
    """Each model's column attributes, in the order the read selects them."""
    return tuple(tuple(attr.key for attr in inspect(model).column_attrs) for model in MODELS)


@functools.cache
def _read() -> Select[Any]:
    """The joined read of course_statuses as columns, with the quiz order as a rank (built once)."""
    cid, uid = bindparam("cid", type_=Integer), bindparam("uid", type_=Integer)
    # A gathered read keeps no ORDER BY, so the database's quiz order comes along as a rank.
    rank = func.dense_rank().over(order_by=(Quiz.position, Quiz.title, Quiz.id)).label("rank")
    columns = [getattr(model, key) for model, keys in zip(MODELS, _keys(), strict=True)
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


def _instance(model: type[T], keys: Sequence[str], values: Sequence[Any]) -> T:
    """A read-only instance filled as the ORM's loading fills one (no events, no session)."""
    found = model.__mapper__.class_manager.new_instance()
    found.__dict__.update(zip(keys, values, strict=True))
    return found


def statuses_from(rows: Sequence[Sequence[Any]], drafts: bool) -> list[QuizStatus]:
    """course_statuses(..., sync=False) from the rows of read: each quiz in the course's order."""
    quiz_keys, attempt_keys, override_keys = _keys()
    ends = (1 + len(quiz_keys), 1 + len(quiz_keys) + len(attempt_keys))
    quizzes: dict[int, tuple[int, Quiz]] = {}
    attempts: dict[int, dict[int, Attempt]] = {}
    overrides: dict[int, QuizOverride] = {}
    for row in rows:
        quiz_part = row[1:ends[0]]
        quiz_id = quiz_part[0]
        if quiz_id not in quizzes:
            quizzes[quiz_id] = (row[0], _instance(Quiz, quiz_keys, quiz_part))
        mine = attempts.setdefault(quiz_id, {})
        attempt_part, override_part = row[ends[0]:ends[1]], row[ends[1]:]
        if attempt_part[0] is not None and attempt_part[0] not in mine:
            mine[attempt_part[0]] = _instance(Attempt, attempt_keys, attempt_part)
        if override_part[0] is not None and override_part[0] not in overrides:
            overrides[override_part[0]] = _instance(QuizOverride, override_keys, override_part)
    ordered = [quiz for _rank, quiz in sorted(quizzes.values(), key=lambda pair: pair[0])]
    shown = [q for q in ordered if drafts or q.published]
    limits = limits_from(shown, sorted(overrides.values(), key=lambda o: o.id))
    return [QuizStatus(q, sorted(attempts[q.id].values(), key=lambda a: a.number), None,
                       limits[q.id]) for q in shown]
