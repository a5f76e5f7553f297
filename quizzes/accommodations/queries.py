"""Read side of accommodations: a learner's effective limits, the course's overrides and learners."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, or_, select

from course.db import db
from course.models import Membership, User
from course.roles import LEARNER
from quizzes.accommodations.models import LearnerGroup, LearnerGroupMember, QuizOverride
from quizzes.models import Quiz, aware
from quizzes.overrides import Base, Limits, Rule, resolve


def rule_of(row: QuizOverride) -> Rule:
    """An override row as a pure rule."""
    return Rule(time_multiplier=row.time_multiplier, extra_minutes=row.extra_minutes,
                unlimited_time=bool(row.unlimited_time), extra_attempts=row.extra_attempts,
                open_at=aware(row.open_at), close_at=aware(row.close_at))


def base_of(quiz: Quiz) -> Base:
    """The quiz's own limits: time, attempts, and its open and close dates."""
    return Base(time_limit_minutes=quiz.time_limit_minutes or None,
                attempts_allowed=quiz.attempts_allowed,
                open_at=aware(quiz.open_at), close_at=aware(quiz.close_at))


def applies_to_learner(cid: Any, uid: Any) -> ColumnElement[bool]:
    """The condition on QuizOverride: this course's overrides for the learner or their groups."""
    groups = select(LearnerGroupMember.group_id).where(LearnerGroupMember.user_id == uid)
    return and_(QuizOverride.context_id == cid,
                or_(QuizOverride.user_id == uid, QuizOverride.group_id.in_(groups)))


@functools.cache
def _rows_query() -> Select[QuizOverride]:
    """The overrides statement, built once with bound values (the course home runs it each time)."""
    # Building a select() cost more than the database took to answer it (issue 18's profile).
    return select(QuizOverride).where(applies_to_learner(
        bindparam("cid", type_=Integer), bindparam("uid", type_=Integer)))


def _rows_for(context_id: int, user_id: int) -> list[QuizOverride]:
    """Every override of this course that applies to the learner: their own or their groups'."""
    return list(db.session.scalars(_rows_query(), {"cid": context_id, "uid": user_id}))


def _resolve(quiz: Quiz, rows: Iterable[QuizOverride]) -> Limits:
    """Sort the learner's rows into the layers of quizzes.overrides.resolve for one quiz."""
    mine = [r for r in rows if r.quiz_id in (None, quiz.id)]
    own = {r.quiz_id: rule_of(r) for r in mine if r.user_id is not None}
    return resolve(base_of(quiz), quiz_user=own.get(quiz.id), course_user=own.get(None),
                   quiz_groups=[rule_of(r) for r in mine if r.group_id and r.quiz_id],
                   course_groups=[rule_of(r) for r in mine if r.group_id and not r.quiz_id])


def limits_for(quiz: Quiz, user_id: int) -> Limits:
    """One learner's effective limits for one quiz (one query)."""
    return _resolve(quiz, _rows_for(quiz.context_id, user_id))


def limits_by_quiz(context_id: int, user_id: int, quizzes: Iterable[Quiz]) -> dict[int, Limits]:
    """One learner's effective limits for several quizzes of a course (one query)."""
    return limits_from(quizzes, _rows_for(context_id, user_id))


def limits_from(quizzes: Iterable[Quiz], rows: Iterable[QuizOverride]) -> dict[int, Limits]:
    """Effective limits per quiz from the learner's override rows, already read by the caller."""
    rows = list(rows)
    return {q.id: _resolve(q, rows) for q in quizzes}


@dataclass(frozen=True)
class LearnerRow:
    """A learner of the course as the forms and the CSV name them."""

    user_id: int
    sub: str
    name: str
    email: str


def course_learners(context_id: int) -> list[LearnerRow]:
    """Current learners who have opened the tool in this course, by name."""
    rows = db.session.execute(
        select(User.id, User.sub, User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id, Membership.role == LEARNER,
               Membership.removed_at.is_(None)).order_by(User.name, User.sub))
    return [LearnerRow(uid, sub, name or sub, email or "") for uid, sub, name, email in rows]


def course_groups(context_id: int) -> list[LearnerGroup]:
    """The course's learner groups, by name, with their members."""
    return list(db.session.scalars(select(LearnerGroup).where(
        LearnerGroup.context_id == context_id).order_by(LearnerGroup.name)))


def course_overrides(context_id: int) -> list[QuizOverride]:
    """Every override of the course, course-wide ones first."""
    return list(db.session.scalars(select(QuizOverride).where(
        QuizOverride.context_id == context_id).order_by(QuizOverride.quiz_id.is_not(None),
                                                        QuizOverride.quiz_id, QuizOverride.id)))


def find_override(context_id: int, override_id: int) -> QuizOverride | None:
    """An override of this course only (tenant check)."""
    return db.session.scalars(select(QuizOverride).where(
        QuizOverride.id == override_id, QuizOverride.context_id == context_id)).first()


def find_group(context_id: int, group_id: int) -> LearnerGroup | None:
    """A group of this course only (tenant check)."""
    return db.session.scalars(select(LearnerGroup).where(
        LearnerGroup.id == group_id, LearnerGroup.context_id == context_id)).first()
