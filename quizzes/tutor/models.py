"""Per-question marks of an attempt (flagged, checked in tutor mode) and learner-built practice quizzes."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, utcnow
from quizzes.models import TS


class AttemptMark(Model):
    """A learner's mark on one position of an attempt: flagged for review, or checked (tutor mode)."""

    __tablename__ = "quiz_attempt_mark"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the learner checked the answer in tutor mode: it is locked from then on.
    checked_at: Mapped[datetime | None] = mapped_column(TS)


class PracticeQuiz(Model):
    """A practice quiz a learner built from the bank: tutor mode, never sent to the LMS gradebook."""

    __tablename__ = "quiz_practice"
    __table_args__ = (Index("ix_quiz_practice_context_user", "context_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    seed: Mapped[str] = mapped_column(String(32))
    # [{position, question_version_id, case_study_id, stage}], as an attempt's layout.
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # str(position) -> the saved response; str(position) -> {points, max_points, parts} once checked.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
