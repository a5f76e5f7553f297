"""Module progress reads: a learner's stored rows as ORM objects, statuses and the progress table."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    JSON,
    CompoundSelect,
    Select,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from course.db import db
from course.models import Membership, User
from course.roles import LEARNER
from modules.models import ItemAnswer, ModuleProgress, SectionView
from modules.schema import Course, Module
from modules.status import LearnerRow, ModuleStatus, ProgressLike, module_status

Row = TypeVar("Row", ModuleProgress, SectionView, ItemAnswer)


@dataclass
class Activity:
    """One learner's stored rows in a context, grouped by module slug."""

    rows: dict[str, ModuleProgress] = field(default_factory=dict)
    views: dict[str, dict[str, SectionView]] = field(default_factory=dict)  # by section slug
    answers: dict[str, dict[str, ItemAnswer]] = field(default_factory=dict)  # by item id

    def status(self, module: Module) -> ModuleStatus:
        """This learner's status in one module."""
        return module_status(module, self.views.get(module.slug, {}),
                             self.answers.get(module.slug, {}), self.rows.get(module.slug))

    def answers_in(self, module_slug: str) -> dict[str, ItemAnswer]:
        """The stored answers of one module by item id (item ids are unique within a module)."""
        return self.answers.get(module_slug, {})


@functools.cache
def _rows_query(model: type[Row], by_user: bool, by_module: bool) -> Select[Row]:
    """One progress table's select for a shape of filters, values bound at execution."""
    # Built once per shape: building a select() costs more than SQLite takes to run it.
    query = select(model).where(model.context_id == bindparam("cid"))
    if by_user:
        query = query.where(model.user_id == bindparam("uid"))
    if by_module:
        query = query.where(model.module_slug == bindparam("slug"))
    return query


def activity_by_user(context_id: int, user_id: int | None = None,
                     module_slug: str | None = None) -> dict[int, Activity]:
    """Stored progress in a context (tenant filter always on), optionally for one user/module."""
    found: dict[int, Activity] = {}
    params = {"cid": context_id, "uid": user_id, "slug": module_slug}

    def rows(model: type[Row]) -> Iterable[Row]:
        """Every row of one progress table within the filters."""
        query = _rows_query(model, user_id is not None, module_slug is not None)
        return db.session.scalars(query, params)

    for mp in rows(ModuleProgress):
        found.setdefault(mp.user_id, Activity()).rows[mp.module_slug] = mp
    for view in rows(SectionView):
        act = found.setdefault(view.user_id, Activity())
        act.views.setdefault(view.module_slug, {})[view.section_slug] = view
    for ans in rows(ItemAnswer):
        act = found.setdefault(ans.user_id, Activity())
        act.answers.setdefault(ans.module_slug, {})[ans.item_id] = ans
    return found


def learner_activity(context_id: int, user_id: int, module_slug: str | None = None) -> Activity:
    """One learner's activity in one context."""
    return activity_by_user(context_id, user_id, module_slug).get(user_id, Activity())


class _Progress(NamedTuple):
    """The columns of a ModuleProgress row a status needs (modules.status.ProgressLike)."""

    last_section: str
    started_at: datetime | None
    last_activity_at: datetime | None
    completed_at: datetime | None


@functools.cache
def _status_query() -> CompoundSelect:
    """The learner's rows of all three progress tables in one statement, values bound later."""
    # One round trip instead of three (on PostgreSQL the round trips are a quarter of the course
    # home), and plain tuples instead of ORM objects: the home and the module list only read.
    # Column 0 says which table; the first select's types (datetimes) apply to every row.
    def mine(model: Any) -> tuple[Any, Any]:
        """The tenant and learner filter on one table."""
        return model.context_id == bindparam("cid"), model.user_id == bindparam("uid")

    mp, sv, ia = ModuleProgress, SectionView, ItemAnswer
    return union_all(
        select(literal_column("0").label("tbl"), mp.module_slug, mp.last_section, mp.started_at,
               mp.last_activity_at, mp.completed_at).where(*mine(mp)),
        select(literal_column("1"), sv.module_slug, sv.section_slug, null(), null(), null())
        .where(*mine(sv)),
        select(literal_column("2"), ia.module_slug, ia.item_id, null(), null(), null())
        .where(*mine(ia)))


def status_read(context_id: int, user_id: int) -> tuple[CompoundSelect, dict[str, Any]]:
    """The read behind course_statuses (the course home gathers it with the other panels')."""
    return _status_query(), {"cid": context_id, "uid": user_id}


def course_statuses(context_id: int, user_id: int, course: Course) -> list[ModuleStatus]:
    """The learner's status in every module, in course order, from one read of their rows."""
    query, values = status_read(context_id, user_id)
    return statuses_from(db.session.execute(query, values), course)


def statuses_from(found: Iterable[Sequence[Any]], course: Course) -> list[ModuleStatus]:
    """Every module's status from the rows of status_read."""
    rows: dict[str, _Progress] = {}
    seen: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})  # views, answers
    for table, slug, key, started, last, completed in found:
        if table == 0:
            rows[slug] = _Progress(key, started, last, completed)
        else:
            seen[table - 1].setdefault(slug, []).append(key)
    views, answers = seen
    return [module_status(m, views.get(m.slug, ()), answers.get(m.slug, ()), rows.get(m.slug))
            for m in course.modules]


@functools.cache
def _section_query() -> CompoundSelect:
    """One learner's rows of one module in the three tables, one statement, values bound later."""
    # The section page's read: one round trip instead of three, plain tuples instead of ORM
    # objects. Column 0 says which table; the first select's types apply to every row.
    def mine(model: Any) -> tuple[Any, ...]:
        """The tenant, learner and module filter on one table."""
        return (model.context_id == bindparam("cid"), model.user_id == bindparam("uid"),
                model.module_slug == bindparam("slug"))

    mp, sv, ia = ModuleProgress, SectionView, ItemAnswer
    return union_all(
        select(literal_column("0"), mp.last_section, mp.started_at, mp.last_activity_at,
               mp.completed_at, cast(null(), JSON)).where(*mine(mp)),
        select(literal_column("1"), sv.section_slug, sv.last_viewed_at, null(), null(), null())
        .where(*mine(sv)),
        select(literal_column("2"), ia.item_id, null(), null(), null(), ia.answer)
        .where(*mine(ia)))


def section_rows(context_id: int, user_id: int, module_slug: str
                 ) -> tuple[ProgressLike | None, dict[str, datetime], dict[str, Any]]:
    """One learner's module row, section view times and answers by item id, as plain values."""
    row: _Progress | None = None
    viewed: dict[str, datetime] = {}
    answers: dict[str, Any] = {}
    for table, key, when, last, completed, answer in db.session.execute(
            _section_query(), {"cid": context_id, "uid": user_id, "slug": module_slug}):
        if table == 0:
            row = _Progress(key, when, last, completed)
        elif table == 1:
            viewed[key] = when
        else:
            answers[key] = answer
    return row, viewed, answers


def progress_table(context_id: int, course: Course) -> list[LearnerRow]:
    """Every learner of the context with their status per module, sorted by name."""
    learners = db.session.execute(
        select(User.id, User.name, User.sub).join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id, Membership.role == LEARNER)
    ).all()
    activity = activity_by_user(context_id)
    table = [
        LearnerRow(user_id=uid, name=name or sub,
                   statuses=tuple(activity.get(uid, Activity()).status(m) for m in course.modules))
        for uid, name, sub in learners
    ]
    return sorted(table, key=lambda r: (r.name.lower(), r.user_id))
