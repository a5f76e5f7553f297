"""Override tables: learner groups kept in the tool and quiz overrides for a learner or a group."""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db import Model, utcnow

TOOL = "tool"  # LearnerGroup.source: kept in the tool by the instructor
PLATFORM = "lms"  # read from the LMS (LTI Course Groups or NRPS group_enrollments); replaced each sync


class LearnerGroup(Model):
    """A named list of learners in one course (e.g. "Extended time, 1.5x")."""

    __tablename__ = "quiz_learner_group"
    __table_args__ = (UniqueConstraint("context_id", "name"),
                      UniqueConstraint("context_id", "lms_group_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(10), default=TOOL, server_default=TOOL)
    lms_group_id: Mapped[str | None] = mapped_column(String(255))  # the platform's group id
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list["LearnerGroupMember"]] = relationship(cascade="all, delete-orphan")


class LearnerGroupMember(Model):
    """One learner in one group."""

    __tablename__ = "quiz_learner_group_member"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("quiz_learner_group.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)


class QuizOverride(Model):
    """Changed limits for one learner or one group, for one quiz or (quiz_id NULL) every quiz."""

    __tablename__ = "quiz_override"
    __table_args__ = (
        # One override per (scope, learner or group): NULL quiz ids never collide in a unique
        # constraint, so the scope is also spelled out in `key`.
        UniqueConstraint("context_id", "key"),
        CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name="one_subject"),
        Index("ix_quiz_override_context_user", "context_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # "q12:u5", "*:g3" (* = every quiz)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_learner_group.id", ondelete="CASCADE"), index=True)
    time_multiplier: Mapped[float | None] = mapped_column(Float)
    extra_minutes: Mapped[int | None] = mapped_column(Integer)
    unlimited_time: Mapped[bool] = mapped_column(Boolean, default=False)
    extra_attempts: Mapped[int | None] = mapped_column(Integer)
    open_at: Mapped[datetime | None] = mapped_column()
    close_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(String(255), default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("lti_user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    group: Mapped[LearnerGroup | None] = relationship()


def override_key(quiz_id: int | None, user_id: int | None, group_id: int | None) -> str:
    """The unique key of an override's scope and subject."""
    scope = f"q{quiz_id}" if quiz_id else "*"
    return f"{scope}:u{user_id}" if user_id else f"{scope}:g{group_id}"
