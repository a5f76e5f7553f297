"""The course roster for the gradebook: the platform's NRPS list, cached briefly, merged with launches."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from course.db import db
from course.extensions import cache
from course.members import apply_roster
from course.models import Context, Membership, User
from course.roles import LEARNER

log = logging.getLogger(__name__)
ROSTER_SECONDS = 300  # long enough for paging through reports, short enough to see new enrolments


@dataclass(frozen=True)
class Learner:
    """One learner line: known to the tool (user_id set) or only on the platform's roster."""

    user_id: int | None
    sub: str
    name: str
    email: str
    launched: bool
    active: bool = True
    removed: bool = False  # left the course (roster or administrator); attempts stay listed


@dataclass(frozen=True)
class Roster:
    """Learners of a course and, when the platform's list could not be read, why."""

    learners: list[Learner]
    from_platform: bool
    notice: str | None = None


def _known(context: Context) -> dict[str, Learner]:
    """Learners who have launched into this context, by LTI sub."""
    rows = db.session.execute(
        select(User.id, User.sub, User.name, User.email, Membership.removed_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context.id, Membership.role == LEARNER))
    return {sub: Learner(uid, sub, name or sub, email or "", True, removed=gone is not None)
            for uid, sub, name, email, gone in rows}


def _platform_members(context: Context) -> list[tuple[str, str, str, str, bool]]:
    """(sub, name, email, role, active) for every platform member, cached per context."""
    key = f"quizzes:roster:{context.id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    from course.lti.nrps import fetch_roster
    fetched = fetch_roster(context)  # raises unless every page was read
    # A complete roster: whoever it no longer lists as active has left the course.
    apply_roster(context.id, {m.sub for m in fetched if m.active})
    members = [(m.sub, m.name, m.email, m.role, m.active) for m in fetched]
    cache.set(key, members, timeout=ROSTER_SECONDS)
    return members


def forget_roster(context_id: int) -> None:
    """Drop the cached roster (after a refresh request)."""
    cache.delete(f"quizzes:roster:{context_id}")


def course_roster(context: Context) -> Roster:
    """Every learner: the platform roster merged with those who launched; launches alone on failure."""
    try:
        members = _platform_members(context)
    except Exception as exc:  # NRPS down or not enabled: the known learners still make a gradebook
        known = _known(context)
        message = getattr(exc, "message", None) or exc.__class__.__name__
        log.info("roster unavailable for context %s: %s", context.id, message)
        notice = ("The course roster could not be read from the learning platform, so only learners "
                  f"who have opened this tool are listed. ({message})")
        return Roster(sorted(known.values(), key=_order), False, notice)
    merged = _known(context)  # read after the roster, so removals it just made show at once
    for sub, name, email, role, active in members:
        if role != LEARNER:
            continue
        if sub in merged:
            mine = merged[sub]
            merged[sub] = Learner(mine.user_id, sub, mine.name or name, mine.email or email, True, active,
                                  mine.removed)
        else:
            merged[sub] = Learner(None, sub, name or sub, email, False, active)
    return Roster(sorted(merged.values(), key=_order), True)


def _order(learner: Learner) -> tuple[str, str]:
    """Sort by name, then by platform id."""
    return (learner.name.lower(), learner.sub)
