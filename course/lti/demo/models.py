"""What the demo platform's gradebook holds: line items the tool made and scores it sent."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db import Model, utcnow


class DemoLineItem(Model):
    """A grade column in one demo course, created by the tool through AGS."""

    __tablename__ = "demo_line_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    course: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(String(255))
    score_maximum: Mapped[float]
    resource_id: Mapped[str] = mapped_column(String(255), default="")
    tag: Mapped[str] = mapped_column(String(255), default="")
    resource_link_id: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DemoScore(Model):
    """The latest score for one learner in one line item (AGS 3.4: newer timestamps win)."""

    __tablename__ = "demo_score"
    __table_args__ = (UniqueConstraint("line_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(
        ForeignKey("demo_line_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float | None]
    score_maximum: Mapped[float | None]
    activity_progress: Mapped[str] = mapped_column(String(32), default="")
    grading_progress: Mapped[str] = mapped_column(String(32), default="")
    comment: Mapped[str] = mapped_column(String(1000), default="")
    timestamp: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    line_item: Mapped[DemoLineItem] = relationship()
