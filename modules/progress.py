"""Module progress: pure status arithmetic, and the service that records views and answers."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Iterable, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.db import db, utcnow
from course.models import Membership, User
from course.roles import LEARNER
from modules.models import ItemAnswer, ModuleProgress, SectionView
from modules.practice import PracticeResult
from modules.schema import Course, Module, PracticeItem, Section

Row = TypeVar("Row", ModuleProgress, SectionView, ItemAnswer)


# --- pure status ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SectionStatus:
    """How far a learner is through one section."""

    slug: str
    title: str
    number: int
    viewed: bool
    checks_total: int
    checks_answered: int

    @property
    def done(self) -> bool:
        """Viewed, with every knowledge check answered."""
        return self.viewed and self.checks_answered >= self.checks_total


@dataclass(frozen=True)
class ModuleStatus:
    """How far a learner is through one module; ``complete`` follows the current content."""

    slug: str
    title: str
    number: int
    sections: tuple[SectionStatus, ...]
    last_section: str = ""
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def sections_viewed(self) -> int:
        """Sections opened at least once."""
        return sum(s.viewed for s in self.sections)

    @property
    def checks_total(self) -> int:
        """Knowledge checks in the module."""
        return sum(s.checks_total for s in self.sections)

    @property
    def checks_answered(self) -> int:
        """Knowledge checks answered at least once, right or wrong."""
        return sum(min(s.checks_answered, s.checks_total) for s in self.sections)

    @property
    def steps_total(self) -> int:
        """Units of progress: one per section view and one per knowledge check."""
        return len(self.sections) + self.checks_total

    @property
    def steps_done(self) -> int:
        """Units of progress done so far."""
        return self.sections_viewed + self.checks_answered

    @property
    def percent(self) -> int:
        """Whole-number percentage for the progress bar."""
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def text(self) -> str:
        """The words beside a progress bar."""
        return (f"{self.sections_viewed} of {len(self.sections)} sections viewed, "
                f"{self.checks_answered} of {self.checks_total} checks answered")

    @property
    def started(self) -> bool:
        """Whether the learner has done anything in this module."""
        return self.steps_done > 0

    @property
    def complete(self) -> bool:
        """Every section viewed and every knowledge check answered."""
        return all(s.done for s in self.sections)

    @property
    def continue_slug(self) -> str | None:
        """The section to resume: the last one opened if unfinished, else the next unfinished."""
        if self.complete:
            return None
        slugs = [s.slug for s in self.sections]
        start = slugs.index(self.last_section) if self.last_section in slugs else 0
        ordered = self.sections[start:] + self.sections[:start]
        return next(s.slug for s in ordered if not s.done)


def module_status(module: Module, viewed: Iterable[str], answered: Iterable[str],
                  row: ModuleProgress | None = None) -> ModuleStatus:
    """Combine a module's content with the sections viewed and item ids answered."""
    seen, done_items = set(viewed), set(answered)
    sections = tuple(
        SectionStatus(slug=s.slug, title=s.title, number=s.number, viewed=s.slug in seen,
                      checks_total=len(s.checks),
                      checks_answered=sum(c.id in done_items for c in s.checks))
        for s in module.sections
    )
    return ModuleStatus(
        slug=module.slug, title=module.title, number=module.number, sections=sections,
        last_section=row.last_section if row else "",
        started_at=row.started_at if row else None,
        last_activity_at=row.last_activity_at if row else None,
        completed_at=row.completed_at if row else None,
    )


def resume_point(statuses: Iterable[ModuleStatus]) -> tuple[str, str] | None:
    """(module, section) for the course's Continue button: latest unfinished, else next one."""
    unfinished = [s for s in statuses if not s.complete]
    started = [s for s in unfinished if s.started and s.last_activity_at is not None]
    if started:
        latest = max(started, key=lambda s: as_utc(s.last_activity_at))
        return latest.slug, latest.continue_slug or ""
    if unfinished:
        first = unfinished[0]
        return first.slug, first.continue_slug or ""
    return None


def as_utc(when: datetime | None) -> datetime:
    """Compare timestamps safely: SQLite hands back naive UTC, new objects are aware."""
    if when is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def section_item_kind(section: Section, item: PracticeItem) -> str:
    """"check" for a knowledge check, else "practice"."""
    return "check" if any(c.id == item.id for c in section.checks) else "practice"


# --- queries -------------------------------------------------------------------------------

@dataclass
class Activity:
    """One learner's stored activity in a context, grouped by module."""

    rows: dict[str, ModuleProgress] = field(default_factory=dict)
    viewed: dict[str, set[str]] = field(default_factory=dict)
    answered: dict[str, set[str]] = field(default_factory=dict)

    def status(self, module: Module) -> ModuleStatus:
        """This learner's status in one module."""
        return module_status(module, self.viewed.get(module.slug, ()),
                             self.answered.get(module.slug, ()), self.rows.get(module.slug))


def activity_by_user(context_id: int, user_id: int | None = None,
                     module_slug: str | None = None) -> dict[int, Activity]:
    """Stored progress in a context (tenant filter always on), optionally for one user/module."""
    found: dict[int, Activity] = {}

    def rows(model: type[Row]) -> Iterable[Row]:
        """Every row of one progress table within the filters."""
        query = select(model).where(model.context_id == context_id)
        if user_id is not None:
            query = query.where(model.user_id == user_id)
        if module_slug is not None:
            query = query.where(model.module_slug == module_slug)
        return db.session.scalars(query)

    for mp in rows(ModuleProgress):
        found.setdefault(mp.user_id, Activity()).rows[mp.module_slug] = mp
    for view in rows(SectionView):
        act = found.setdefault(view.user_id, Activity())
        act.viewed.setdefault(view.module_slug, set()).add(view.section_slug)
    for ans in rows(ItemAnswer):
        act = found.setdefault(ans.user_id, Activity())
        act.answered.setdefault(ans.module_slug, set()).add(ans.item_id)
    return found


def learner_activity(context_id: int, user_id: int, module_slug: str | None = None) -> Activity:
    """One learner's activity in one context."""
    return activity_by_user(context_id, user_id, module_slug).get(user_id, Activity())


def course_statuses(context_id: int, user_id: int, course: Course) -> list[ModuleStatus]:
    """The learner's status in every module, in course order."""
    activity = learner_activity(context_id, user_id)
    return [activity.status(m) for m in course.modules]


def section_answers(context_id: int, user_id: int, module_slug: str,
                    section_slug: str) -> dict[str, ItemAnswer]:
    """The learner's stored answers for the items of one section, by item id."""
    query = select(ItemAnswer).where(
        ItemAnswer.context_id == context_id, ItemAnswer.user_id == user_id,
        ItemAnswer.module_slug == module_slug, ItemAnswer.section_slug == section_slug)
    return {a.item_id: a for a in db.session.scalars(query)}


@dataclass(frozen=True)
class LearnerRow:
    """One line of the instructor's progress table."""

    user_id: int
    name: str
    statuses: tuple[ModuleStatus, ...]

    @property
    def started_at(self) -> datetime | None:
        """When the learner first did anything in any module."""
        times = [s.started_at for s in self.statuses if s.started_at and s.started]
        return min(times, key=as_utc) if times else None

    @property
    def last_activity_at(self) -> datetime | None:
        """The learner's latest activity in any module."""
        times = [s.last_activity_at for s in self.statuses if s.last_activity_at]
        return max(times, key=as_utc) if times else None

    @property
    def modules_completed(self) -> int:
        """How many modules are complete."""
        return sum(s.complete for s in self.statuses)


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

def record_view(context_id: int, user_id: int, module: Module, section_slug: str) -> ModuleStatus:
    """Note that a learner opened a section; commit; return the module status after it."""
    now = utcnow()
    keys = {"context_id": context_id, "user_id": user_id, "module_slug": module.slug}
    _upsert(SectionView, {**keys, "section_slug": section_slug}, {"last_viewed_at": now})
    mp, _ = _upsert(ModuleProgress, keys, {"last_section": section_slug, "last_activity_at": now})
    return _finish(context_id, user_id, module, mp)


def record_answer(context_id: int, user_id: int, module: Module, section: Section,
                  item: PracticeItem, result: PracticeResult) -> ModuleStatus:
    """Store the latest answer to an item with its correctness; commit; return the status."""
    now = utcnow()
    keys = {"context_id": context_id, "user_id": user_id, "module_slug": module.slug}
    values = {"section_slug": section.slug, "kind": section_item_kind(section, item),
              "answer": result.chosen, "correct": result.correct, "score": result.score,
              "answered_at": now}
    ans, created = _upsert(ItemAnswer, {**keys, "item_id": item.id}, values)
    if not created:
        ans.attempts += 1
    mp, _ = _upsert(ModuleProgress, keys, {"last_section": section.slug, "last_activity_at": now})
    return _finish(context_id, user_id, module, mp)


def _finish(context_id: int, user_id: int, module: Module, mp: ModuleProgress) -> ModuleStatus:
    """Stamp completion the first time the module is complete, then commit."""
    db.session.flush()
    status = learner_activity(context_id, user_id, module.slug).status(module)
    if status.complete and mp.completed_at is None:
        mp.completed_at = mp.last_activity_at
    db.session.commit()
    return replace(status, completed_at=mp.completed_at)


def _upsert(model: type[Row], keys: dict[str, Any], values: dict[str, Any]) -> tuple[Row, bool]:
    """(row, created): set ``values`` on the row with ``keys``, inserting it when missing."""
    query = select(model).filter_by(**keys)
    row = db.session.scalars(query).first()
    if row is None:
        try:
            with db.session.begin_nested():
                row = model(**keys, **values)
                db.session.add(row)
            return row, True
        except IntegrityError:
            # Another request inserted the same row between our read and write (unique keys).
            row = db.session.scalars(query).one()
    for name, value in values.items():
        setattr(row, name, value)
    return row, False
