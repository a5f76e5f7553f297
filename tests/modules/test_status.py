"""Table tests of the pure progress rules in modules/status.py, at their edges."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from modules.status import (
    LearnerRow,
    ModuleStatus,
    SectionStatus,
    as_utc,
    module_status,
    resume_point,
    section_item_kind,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def sec(slug: str, viewed: bool, total: int = 0, answered: int = 0) -> SectionStatus:
    """A section status."""
    return SectionStatus(slug=slug, title=slug.title(), number=1, viewed=viewed, checks_total=total,
                         checks_answered=answered)


def mod(slug: str, *sections: SectionStatus, **extra: Any) -> ModuleStatus:
    """A module status."""
    return ModuleStatus(slug=slug, title=slug.title(), number=1, sections=sections, **extra)


@pytest.mark.parametrize(("viewed", "total", "answered", "done"), [
    (True, 0, 0, True),  # a section without checks is done once viewed
    (False, 0, 0, False),
    (True, 2, 1, False),
    (True, 2, 2, True),
    (True, 2, 3, True),
    (False, 2, 2, False),
])
def test_section_done(viewed: bool, total: int, answered: int, done: bool) -> None:
    assert sec("a", viewed, total, answered).done is done


# sections -> (viewed, checks answered, checks total, steps done, steps total, percent, started, complete)
@pytest.mark.parametrize(("sections", "expected"), [
    ((), (0, 0, 0, 0, 0, 0, False, True)),
    ((sec("a", False, 2),), (0, 0, 2, 0, 3, 0, False, False)),
    ((sec("a", True, 2),), (1, 0, 2, 1, 3, 33, True, False)),
    ((sec("a", True, 2, 2),), (1, 2, 2, 3, 3, 100, True, True)),
    ((sec("a", True, 1, 5), sec("b", False)), (1, 1, 1, 2, 3, 67, True, False)),  # extra answers capped
    ((sec("a", False), sec("b", False, 0, 0)), (0, 0, 0, 0, 2, 0, False, False)),
    ((sec("a", True), sec("b", True)), (2, 0, 0, 2, 2, 100, True, True)),
])
def test_module_counts(sections: tuple[SectionStatus, ...], expected: tuple[Any, ...]) -> None:
    m = mod("m", *sections)
    assert (m.sections_viewed, m.checks_answered, m.checks_total, m.steps_done, m.steps_total, m.percent,
            m.started, m.complete) == expected


def test_progress_text() -> None:
    m = mod("m", sec("a", True, 2, 1), sec("b", False, 1))
    assert m.text == "1 of 2 sections viewed, 1 of 3 checks answered"


@pytest.mark.parametrize(("last", "sections", "expected"), [
    ("", (sec("a", True), sec("b", False), sec("c", False)), "b"),
    ("c", (sec("a", False), sec("b", False), sec("c", False)), "c"),  # the last one opened, unfinished
    ("c", (sec("a", False), sec("b", False), sec("c", True)), "a"),  # wraps round after the last one
    ("b", (sec("a", True), sec("b", True), sec("c", False)), "c"),
    ("gone", (sec("a", True), sec("b", False)), "b"),  # a section removed from the content
    ("a", (sec("a", True), sec("b", True)), None),  # complete: nothing to resume
])
def test_continue_slug(last: str, sections: tuple[SectionStatus, ...], expected: str | None) -> None:
    assert mod("m", *sections, last_section=last).continue_slug == expected


def test_module_status_combines_content_with_views_and_answers() -> None:
    checks = [SimpleNamespace(id="c1"), SimpleNamespace(id="c2"), SimpleNamespace(id="c3")]
    module = SimpleNamespace(slug="m1", title="Module one", number=3, sections=[
        SimpleNamespace(slug="s1", title="One", number=1, checks=checks),
        SimpleNamespace(slug="s2", title="Two", number=2, checks=[]),
    ])
    status = module_status(module, ["s2", "elsewhere"], ["c2", "practice-9"])  # type: ignore[arg-type]
    assert status.sections == (
        SectionStatus("s1", "One", 1, False, 3, 1),
        SectionStatus("s2", "Two", 2, True, 0, 0),
    )
    assert (status.slug, status.title, status.number, status.last_section, status.started_at) == \
        ("m1", "Module one", 3, "", None)
    row = SimpleNamespace(last_section="s2", started_at=T0, last_activity_at=T0 + timedelta(hours=1),
                          completed_at=T0 + timedelta(hours=2))
    saved = module_status(module, [], [], row)  # type: ignore[arg-type]
    assert (saved.last_section, saved.started_at, saved.last_activity_at, saved.completed_at) == \
        ("s2", T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2))


def test_resume_point_prefers_the_latest_started_unfinished_module() -> None:
    done = mod("done", sec("a", True), last_activity_at=T0 + timedelta(days=9))
    old = mod("old", sec("a", True), sec("b", False), last_activity_at=T0)
    new = mod("new", sec("a", True), sec("b", False), last_activity_at=(T0 + timedelta(days=1)).replace(tzinfo=None))
    untouched = mod("untouched", sec("a", False))
    assert resume_point([done, old, new, untouched]) == ("new", "b")
    assert resume_point([done, untouched, old]) == ("old", "b")
    # Started but never timed counts as not started: the first unfinished module wins.
    assert resume_point([done, mod("x", sec("a", True), sec("b", False)), untouched]) == ("x", "b")
    assert resume_point([done, untouched]) == ("untouched", "a")
    # Timed but with nothing done (the content changed) does not count as started either.
    emptied = mod("emptied", sec("a", False), last_activity_at=T0 + timedelta(days=7))
    assert resume_point([old, emptied]) == ("old", "b")
    assert resume_point([done]) is None
    assert resume_point([]) is None


@pytest.mark.parametrize(("when", "expected"), [
    (None, datetime.min.replace(tzinfo=UTC)),
    (datetime(2026, 1, 5, 9, 0), T0),  # naive, as SQLite returns it, is UTC
    (T0, T0),
    (datetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=1))), T0),
])
def test_as_utc(when: datetime | None, expected: datetime) -> None:
    got = as_utc(when)
    assert got == expected and got.tzinfo is not None


def test_section_item_kind() -> None:
    section = SimpleNamespace(checks=[SimpleNamespace(id="c1")])
    assert section_item_kind(section, SimpleNamespace(id="c1")) == "check"  # type: ignore[arg-type]
    assert section_item_kind(section, SimpleNamespace(id="p1")) == "practice"  # type: ignore[arg-type]


def test_learner_row_summary() -> None:
    first = mod("a", sec("a", True), started_at=T0 + timedelta(days=2), last_activity_at=T0 + timedelta(days=3))
    second = mod("b", sec("a", True, 1), started_at=(T0 + timedelta(days=1)).replace(tzinfo=None),
                 last_activity_at=T0 + timedelta(days=5))
    # A start time on a module with nothing done (content changed since) does not count.
    idle = mod("c", sec("a", False), started_at=T0, last_activity_at=None)
    row = LearnerRow(user_id=1, name="Ana", statuses=(first, second, idle))
    assert row.started_at == (T0 + timedelta(days=1)).replace(tzinfo=None)
    assert row.last_activity_at == T0 + timedelta(days=5)
    assert row.modules_completed == 1
    empty = LearnerRow(user_id=2, name="Ben", statuses=(idle,))
    assert (empty.started_at, empty.last_activity_at, empty.modules_completed) == (None, None, 0)
