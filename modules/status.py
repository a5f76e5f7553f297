"""Pure progress rules: how far a learner is through sections and modules, and where to resume."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Protocol

from modules.schema import Module, PracticeItem, Section


class ProgressLike(Protocol):
    """A module's stored progress: the ORM row, or the light row a status-only read returns."""

    @property
    def last_section(self) -> str: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def last_activity_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...


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

    # The figures below are cached_property: the instance is frozen, so they cannot go stale,
    # and the course home's templates read each several times per module (issue 18's profile).

    slug: str
    title: str
    number: int
    sections: tuple[SectionStatus, ...]
    last_section: str = ""
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None

    @cached_property
    def sections_viewed(self) -> int:
        """Sections opened at least once."""
        return sum(s.viewed for s in self.sections)

    @cached_property
    def checks_total(self) -> int:
        """Knowledge checks in the module."""
        return sum(s.checks_total for s in self.sections)

    @cached_property
    def checks_answered(self) -> int:
        """Knowledge checks answered at least once, right or wrong."""
        return sum(min(s.checks_answered, s.checks_total) for s in self.sections)

    @cached_property
    def steps_total(self) -> int:
        """Units of progress: one per section view and one per knowledge check."""
        return len(self.sections) + self.checks_total

    @cached_property
    def steps_done(self) -> int:
        """Units of progress done so far."""
        return self.sections_viewed + self.checks_answered

    @cached_property
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

    @cached_property
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
                  row: ProgressLike | None = None) -> ModuleStatus:
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
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def section_item_kind(section: Section, item: PracticeItem) -> str:
    """"check" for a knowledge check, else "practice"."""
    return "check" if any(c.id == item.id for c in section.checks) else "practice"


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
