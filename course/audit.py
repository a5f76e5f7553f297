"""The course audit trail: who changed what and when, per course context (any feature records)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, db, utcnow

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
