"""Spaced-review tables: each learner's schedule per item, review sessions and the summary setting."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, utcnow
from quizzes.models import TS
from quizzes.review_schedule import START_EASE

KEY_LEN = 255  # "q:<question id>" or "m:<module slug>:<item id>"


class ReviewItem(Model):
    """One learner's SM-2 schedule for one item in one course (quizzes/review_schedule.py)."""

    __tablename__ = "quiz_review_item"
    __table_args__ = (
        UniqueConstraint("context_id", "user_id", "item_key", name="uq_quiz_review_item_key"),
        # The course home's due count reads only this index.
        Index("ix_quiz_review_item_due", "context_id", "user_id", "due_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(KEY_LEN))
    ease: Mapped[int] = mapped_column(Integer, default=START_EASE)  # hundredths: 250 is 2.5
    interval: Mapped[int] = mapped_column(Integer, default=0)  # days
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    due_day: Mapped[int] = mapped_column(Integer)  # days since 1970-01-01, UTC
    last_day: Mapped[int] = mapped_column(Integer)
    last_quality: Mapped[int] = mapped_column(Integer)  # SM-2 grade 0-5 of the last answer
    last_score: Mapped[float] = mapped_column(Float, default=0.0)  # share of points, 0..1
    step: Mapped[str] = mapped_column(String(40), default="")  # NCJMM step, when the item has one
    topic: Mapped[str] = mapped_column(String(100), default="")
    case_id: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class ReviewSession(Model):
    """A "Review now" session: practice with every option's rationale, never sent to the LMS."""

    __tablename__ = "quiz_review_session"
    __table_args__ = (Index("ix_quiz_review_session_context_user", "context_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    seed: Mapped[str] = mapped_column(String(32))
    # [{position, question_version_id, case_study_id, stage, key}], as an attempt's layout.
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_count: Mapped[int] = mapped_column(Integer, default=0)  # items that were due, the rest fill
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class ReviewSetting(Model):
    """A learner's choice to see the weekly review summary on the course home."""

    __tablename__ = "quiz_review_setting"
    __table_args__ = (UniqueConstraint("context_id", "user_id", name="uq_quiz_review_setting"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    weekly_summary: Mapped[bool] = mapped_column(Boolean, default=False)
