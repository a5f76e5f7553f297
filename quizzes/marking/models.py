"""ManualGrade: one essay answer that an instructor marks by hand, pending until graded."""
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, utcnow
from quizzes.models import TS


class ManualGrade(Model):
    """An answer scored by a person: written at submission, graded from the Needs grading page."""

    __tablename__ = "quiz_manual_grade"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),
                      Index("ix_quiz_manual_grade_context_graded", "context_id", "graded_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question_version.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    graded_at: Mapped[datetime | None] = mapped_column(TS)  # NULL while it waits
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"))
    awarded: Mapped[dict | None] = mapped_column(JSON)  # criterion id -> points
    points: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
