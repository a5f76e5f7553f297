"""A person's score for an attempt or one of its questions, with the comment the learner reads."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db import Model, utcnow
from quizzes.models import TS

WHOLE_ATTEMPT = 0  # the position of an override of the attempt's score (questions start at 1)


class GradeOverride(Model):
    """An instructor's score that replaces the scorer's: a question's points or an attempt's %."""

    __tablename__ = "quiz_grade_override"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"),
                                            index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # WHOLE_ATTEMPT or a question's position
    # Question: points out of the question's maximum. Whole attempt: percent (0..100).
    given: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text)
    # Kept when the person is deleted, as in the audit trail.
    created_by: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
