"""The course audit trail: who changed what and when, per course context (any feature records)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, db, utcnow
from course.models import User

MAX_EVENTS = 500  # a page of the trail; older events stay in the table


class AuditEvent(Model):
    """One change: the actor, a kind ("override.add", "grade.override"...), its target and values."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_context_at", "context_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    # Kept when the person is deleted: the trail must outlive the account it names.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(255))  # what changed, in words a reader can follow
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def record(context_id: int, actor_id: int | None, kind: str, target: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           now: datetime | None = None) -> AuditEvent:
    """Add an event to the caller's transaction: it is saved with the change it describes."""
    event = AuditEvent(context_id=context_id, actor_id=actor_id, kind=kind, target=target[:255],
                       before=before, after=after, created_at=now or utcnow())
    db.session.add(event)
    return event


def events(context_id: int, kind_prefix: str = "", limit: int = MAX_EVENTS) -> list[AuditEvent]:
    """A course's events, newest first, optionally only kinds that start with a prefix."""
    query = select(AuditEvent).where(AuditEvent.context_id == context_id)
    if kind_prefix:
        query = query.where(AuditEvent.kind.startswith(kind_prefix, autoescape=True))
    return list(db.session.scalars(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)))


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """(name, old, new) for every value that differs between two snapshots, in a stable order."""
    old, new = before or {}, after or {}
    names = list(old) + [k for k in new if k not in old]
    return [(k, old.get(k), new.get(k)) for k in names if old.get(k) != new.get(k)]


@dataclass(frozen=True)
class TrailRow:
    """One event for a page: when, who by name, what, and the values that changed."""

    when: datetime
    actor: str
    kind: str
    target: str
    changes: list[tuple[str, Any, Any]]


def trail(context_id: int, kind_prefix: str = "", limit: int = MAX_EVENTS) -> list[TrailRow]:
    """A course's events for display, newest first (two queries)."""
    found = events(context_id, kind_prefix, limit)
    ids = {e.actor_id for e in found if e.actor_id is not None}
    names = {uid: name for uid, name in db.session.execute(
        select(User.id, User.name).where(User.id.in_(ids)))} if ids else {}
    return [TrailRow(e.created_at, names.get(e.actor_id or 0) or ("a deleted account" if e.actor_id
                     is None else f"user {e.actor_id}"), e.kind, e.target, changes(e.before, e.after))
            for e in found]
