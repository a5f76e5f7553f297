"""Learner progress through the teaching modules, stored per course context and user."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, utcnow

SLUG_LEN = 120  # content slugs are short; this leaves room without allowing abuse


class ModuleProgress(Model):
    """One learner in one module of one context: when they started, where they were, completion."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(SLUG_LEN))
    # The section the learner last opened: "continue where you left off" starts from here.
    last_section: Mapped[str] = mapped_column(String(SLUG_LEN), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once, the first time every section is viewed and every check answered.
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class SectionView(Model):
    """A section page a learner has opened at least once."""

    __tablename__ = "module_section_view"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug", "section_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(SLUG_LEN))
    section_slug: Mapped[str] = mapped_column(String(SLUG_LEN))
    first_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemAnswer(Model):
    """The latest answer to one practice or knowledge-check item, with its correctness."""

    __tablename__ = "module_item_answer"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(SLUG_LEN))
    section_slug: Mapped[str] = mapped_column(String(SLUG_LEN))
    item_id: Mapped[str] = mapped_column(String(SLUG_LEN))
    kind: Mapped[str] = mapped_column(String(10))  # "practice" or "check"
    # An option id, or the list of ladder step ids in the submitted order.
    answer: Mapped[Any] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float] = mapped_column(default=0.0)
    attempts: Mapped[int] = mapped_column(default=1)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
