"""Module progress service: read a learner's stored activity, and record views and answers."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from sqlalchemy.exc import IntegrityError

from course.db import db, utcnow
from course.models import Membership, User
from course.registry import run_answer_hooks
from course.roles import LEARNER
from modules.models import ItemAnswer, ModuleProgress, SectionView
from modules.practice import PracticeResult
from modules.schema import Course, Module, PracticeItem, Section

# The pure rules live in modules.status; they are re-exported because callers know them here.
from modules.status import (
    LearnerRow,
    ModuleStatus,
    SectionStatus,
    as_utc,
    module_status,
    resume_point,
    section_item_kind,
)

__all__ = ["Activity", "LearnerRow", "ModuleStatus", "SectionStatus", "TOUCH_AFTER",
           "activity_by_user", "as_utc", "course_statuses", "learner_activity", "module_status",
           "open_section", "progress_table", "record_answer", "record_view", "resume_point",
           "section_item_kind"]

Row = TypeVar("Row", ModuleProgress, SectionView, ItemAnswer)

# Opening a page again within this window writes nothing. "Last viewed" and "last activity" only
# order the Continue button and fill the instructor's "last activity" column, where a few minutes
# do not matter; a write and a commit on every GET doubled the section page's cost and made a
# learner's requests queue on the same row locks (bench finding 2).
TOUCH_AFTER = timedelta(minutes=5)


# --- queries -------------------------------------------------------------------------------

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
        select(literal_column("0"), mp.module_slug, mp.last_section, mp.started_at,
               mp.last_activity_at, mp.completed_at).where(*mine(mp)),
        select(literal_column("1"), sv.module_slug, sv.section_slug, null(), null(), null())
        .where(*mine(sv)),
        select(literal_column("2"), ia.module_slug, ia.item_id, null(), null(), null())
        .where(*mine(ia)))


def course_statuses(context_id: int, user_id: int, course: Course) -> list[ModuleStatus]:
    """The learner's status in every module, in course order, from one read of their rows."""
    rows: dict[str, _Progress] = {}
    seen: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})  # views, answers
    for table, slug, key, started, last, completed in db.session.execute(
            _status_query(), {"cid": context_id, "uid": user_id}):
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


def open_section(context_id: int, user_id: int, module: Module,
                 section_slug: str) -> tuple[ModuleStatus, dict[str, Any]]:
    """Record a section view; return the module status and the stored answers by item id.

    One read when nothing needs writing (the page was opened within TOUCH_AFTER); otherwise the
    ORM rows are read and record_view writes, as before.
    """
    now = utcnow()
    row: _Progress | None = None
    viewed: dict[str, datetime] = {}
    answers: dict[str, Any] = {}
    for table, key, when, last, completed, answer in db.session.execute(
            _section_query(), {"cid": context_id, "uid": user_id, "slug": module.slug}):
        if table == 0:
            row = _Progress(key, when, last, completed)
        elif table == 1:
            viewed[key] = when
        else:
            answers[key] = answer
    status = module_status(module, viewed, answers, row)
    fresh = (row is not None and section_slug in viewed and row.last_section == section_slug
             and not _stale(viewed[section_slug], now) and not _stale(row.last_activity_at, now)
             and not (status.complete and row.completed_at is None))
    if fresh:
        return status, answers
    activity = learner_activity(context_id, user_id, module.slug)
    status = record_view(context_id, user_id, module, section_slug, activity)
    return status, {k: a.answer for k, a in activity.answers_in(module.slug).items()}


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


# --- writes --------------------------------------------------------------------------------

def record_view(context_id: int, user_id: int, module: Module, section_slug: str,
                activity: Activity | None = None) -> ModuleStatus:
    """Note that a learner opened a section; return the module status after it.

    ``activity`` is the learner's rows for this module when the caller has read them already;
    it is updated in place. Writes (and commits) only on the first view, on a move to another
    section, or when the stored times are older than TOUCH_AFTER.
    """
    now = utcnow()
    if activity is None:
        activity = learner_activity(context_id, user_id, module.slug)
    keys = _keys(context_id, user_id, module)
    views = activity.views.setdefault(module.slug, {})
    view = views.get(section_slug)
    changed = view is None or _stale(view.last_viewed_at, now)
    if changed:
        views[section_slug], _ = _save(SectionView, {**keys, "section_slug": section_slug},
                                       {"last_viewed_at": now}, view)
    mp = activity.rows.get(module.slug)
    if mp is None or mp.last_section != section_slug or _stale(mp.last_activity_at, now):
        mp, changed = _touch(activity, keys, section_slug, now), True
    return _finish(activity, module, mp, now, changed)


def record_answer(context_id: int, user_id: int, module: Module, section: Section,
                  item: PracticeItem, result: PracticeResult) -> ModuleStatus:
    """Store the latest answer to an item with its correctness; commit; return the status."""
    now = utcnow()
    activity = learner_activity(context_id, user_id, module.slug)
    keys = _keys(context_id, user_id, module)
    values = {"section_slug": section.slug, "kind": section_item_kind(section, item),
              "answer": result.chosen, "correct": result.correct, "score": result.score,
              "answered_at": now}
    answers = activity.answers.setdefault(module.slug, {})
    ans, created = _save(ItemAnswer, {**keys, "item_id": item.id}, values, answers.get(item.id))
    if not created:
        ans.attempts += 1
    answers[item.id] = ans
    # Other packages (the spaced review) note the answer in the same commit.
    run_answer_hooks(context_id, user_id, module.slug, item.id, result.score)
    mp = _touch(activity, keys, section.slug, now)
    return _finish(activity, module, mp, now, changed=True)


def _keys(context_id: int, user_id: int, module: Module) -> dict[str, Any]:
    """The columns that name one learner's rows in one module."""
    return {"context_id": context_id, "user_id": user_id, "module_slug": module.slug}


def _stale(when: datetime | None, now: datetime) -> bool:
    """Whether a stored time is old enough to be worth a write (see TOUCH_AFTER)."""
    return when is None or now - as_utc(when) >= TOUCH_AFTER


def _touch(activity: Activity, keys: dict[str, Any], section_slug: str,
           now: datetime) -> ModuleProgress:
    """Move the module's resume point to this section and stamp its activity time."""
    slug = keys["module_slug"]
    mp, _ = _save(ModuleProgress, keys, {"last_section": section_slug, "last_activity_at": now},
                  activity.rows.get(slug))
    activity.rows[slug] = mp
    return mp


def _finish(activity: Activity, module: Module, mp: ModuleProgress, now: datetime,
            changed: bool) -> ModuleStatus:
    """Stamp completion the first time the module is complete; commit only if anything changed."""
    status = activity.status(module)
    if status.complete and mp.completed_at is None:
        mp.completed_at = mp.last_activity_at = now
        status, changed = activity.status(module), True
    if changed:
        db.session.commit()
    return status


def _save(model: type[Row], keys: dict[str, Any], values: dict[str, Any],
          row: Row | None) -> tuple[Row, bool]:
    """(row, created): set ``values`` on the row already read, inserting it when it was missing."""
    if row is None:
        try:
            with db.session.begin_nested():
                row = model(**keys, **values)
                db.session.add(row)
            return row, True
        except IntegrityError:
            # Another request inserted the same row between our read and write (unique keys).
            row = db.session.scalars(select(model).filter_by(**keys)).one()
    for name, value in values.items():
        setattr(row, name, value)
    return row, False
