"""Module progress writes: record views and answers, and open a section (read, write if stale)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.db import db, utcnow
from course.registry import run_answer_hooks

# The reads live in modules.activity and the pure rules in modules.status; they are re-exported
# because callers know them here.
from modules.activity import (
    Activity,
    Row,
    activity_by_user,
    course_statuses,
    learner_activity,
    progress_table,
    section_rows,
    status_read,
    statuses_from,
)
from modules.models import ItemAnswer, ModuleProgress, SectionView
from modules.practice import PracticeResult
from modules.schema import Module, PracticeItem, Section
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
           "section_item_kind", "status_read", "statuses_from"]

# Opening a page again within this window writes nothing. "Last viewed" and "last activity" only
# order the Continue button and fill the instructor's "last activity" column, where a few minutes
# do not matter; a write and a commit on every GET doubled the section page's cost and made a
# learner's requests queue on the same row locks (bench finding 2).
TOUCH_AFTER = timedelta(minutes=5)


def open_section(context_id: int, user_id: int, module: Module,
                 section_slug: str) -> tuple[ModuleStatus, dict[str, Any]]:
    """Record a section view; return the module status and the stored answers by item id.

    One read when nothing needs writing (the page was opened within TOUCH_AFTER); otherwise the
    ORM rows are read and record_view writes, as before.
    """
    now = utcnow()
    row, viewed, answers = section_rows(context_id, user_id, module.slug)
    status = module_status(module, viewed, answers, row)
    fresh = (row is not None and section_slug in viewed and row.last_section == section_slug
             and not _stale(viewed[section_slug], now) and not _stale(row.last_activity_at, now)
             and not (status.complete and row.completed_at is None))
    if fresh:
        return status, answers
    activity = learner_activity(context_id, user_id, module.slug)
    status = record_view(context_id, user_id, module, section_slug, activity)
    return status, {k: a.answer for k, a in activity.answers_in(module.slug).items()}


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
