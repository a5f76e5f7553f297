"""Who is still in a course: the platform's roster and administrators remove memberships.

A removed membership keeps its row (and so its attempts in the gradebook) with `removed_at` set;
`load_identity` ends the session of anyone removed, and a new launch from the platform brings
them back (`course/lti/service.py`).
"""
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from course.db import db, utcnow
from course.identity import forget as forget_checked_grants
from course.lti.nrps import NrpsError, fetch_roster
from course.models import Context, Membership, User
from course.roles import context_role


class MemberError(Exception):
    """A removal that cannot be done, with a message for the administrator."""


def enrolled_by_platform(lti_roles: Iterable[object]) -> bool:
    """Whether the last launch named a course (context) role, so the roster must list the person.

    NRPS lists enrolments only: an LMS administrator who opened the tool without being enrolled
    is never on it, and must not lose access every time the roster is read.
    """
    return any(isinstance(r, str) and context_role(r) for r in lti_roles or ())


def apply_roster(context_pk: int, active_subs: set[str], now: datetime | None = None) -> list[str]:
    """Mark removed every current member not active on a COMPLETE roster; returns their subs.

    Call only with a roster read to its last page: a partial list would remove people wrongly.
    """
    if not active_subs:  # a course with nobody in it is a platform fault, not a mass departure
        return []
    rows = db.session.execute(
        select(Membership, User.sub).join(User, User.id == Membership.user_id)
        .where(Membership.context_id == context_pk, Membership.removed_at.is_(None))).all()
    when = now or utcnow()
    gone = []
    for member, sub in rows:
        if sub not in active_subs and enrolled_by_platform(member.lti_roles):
            member.removed_at = when
            gone.append(sub)
    if gone:
        db.session.commit()
        forget_checked_grants(context_pk)  # this process ends their sessions now, others within a minute
    return sorted(gone)


def _course(context_pk: int) -> Context:
    """The course with this number, or a MemberError that says where the number comes from."""
    context = db.session.get(Context, context_pk)
    if context is None:
        raise MemberError(f"No course {context_pk} (the number in the tool's /c/<number>/ URLs).")
    return context


def remove_member(context_pk: int, sub: str, now: datetime | None = None) -> bool:
    """Remove one person from a course; False when they were already removed."""
    context = _course(context_pk)
    member = db.session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.context_id == context_pk, User.sub == sub,
               User.registration_id == context.registration_id)).first()
    if member is None:
        raise MemberError(f"User {sub!r} has never opened course {context_pk} "
                          f"({context.title or context.context_id}).")
    if member.removed_at is not None:
        return False
    member.removed_at = now or utcnow()
    db.session.commit()
    forget_checked_grants(context_pk)  # this process ends the session now, others within a minute
    return True


def sync_from_platform(context_pk: int) -> list[str]:
    """Read the whole roster from the platform (NRPS) and apply it; returns the subs removed."""
    try:
        members = fetch_roster(_course(context_pk))
    except NrpsError as exc:  # nothing read, or not every page: remove nobody
        raise MemberError(f"Roster not read, nobody removed: {exc.message}") from exc
    return apply_roster(context_pk, {m.sub for m in members if m.active})

