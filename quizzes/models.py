"""Quiz data: versioned questions, per-course quizzes and slots, attempts, responses, score outbox."""
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from course.db import Model, utcnow

# Timestamps keep their time zone on PostgreSQL; SQLite drops it, so reads go through aware().
TS = DateTime(timezone=True)

SHIPPED, COURSE = "shipped", "course"
IN_PROGRESS, SUBMITTED = "in_progress", "submitted"
EXAM, TUTOR = "exam", "tutor"  # quiz modes: tutor lets learners check each answer as they go
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def aware(value: datetime | None) -> datetime | None:
    """A stored timestamp as UTC-aware (SQLite hands back naive values)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class Question(Model):
    """A question: shipped bank items (context NULL, read-only) or a course's own questions."""

    __tablename__ = "quiz_question"
    __table_args__ = (Index("ix_quiz_question_context_source", "context_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("context.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20), default=COURSE)
    # The shipped item id, or for a course copy the id it was copied from.
    bank_id: Mapped[str | None] = mapped_column(String(100), index=True)
    # Set only on shipped rows: NULLs never collide, so this is a portable partial unique key.
    shipped_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)

    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", order_by="QuestionVersion.number",
        cascade="all, delete-orphan")


class QuestionVersion(Model):
    """One immutable content version of a question; attempts and statistics point here."""

    __tablename__ = "quiz_question_version"
    __table_args__ = (UniqueConstraint("question_id", "number"),
                      Index("ix_quiz_question_version_hash", "question_id", "content_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)  # the full item dict in the bank schema
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")


class Quiz(Model):
    """A quiz in one course with its settings; shipped quizzes are copied in on first access."""

    __tablename__ = "quiz"
    __table_args__ = (UniqueConstraint("context_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    module_slug: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default=COURSE)
    position: Mapped[int] = mapped_column(Integer, default=0)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=3)  # 0 = unlimited
    grading: Mapped[str] = mapped_column(String(10), default="highest")
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    # No attempt starts before open_at or after close_at; one in progress ends at close_at.
    open_at: Mapped[datetime | None] = mapped_column(TS)
    close_at: Mapped[datetime | None] = mapped_column(TS)
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False)
    review: Mapped[str] = mapped_column(String(20), default="rationales")
    review_when: Mapped[str] = mapped_column(String(20), default="after_each")
    pass_mark: Mapped[float] = mapped_column(Float, default=70.0)  # percent
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    mode: Mapped[str] = mapped_column(String(10), default=EXAM, server_default=EXAM)
    # Tutor mode scores go to the LMS gradebook only when the instructor says so.
    tutor_gradebook: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Hash of the shipped spec the slots were built from; lets a bank update refresh them.
    origin_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TS, default=utcnow, onupdate=utcnow)

    slots: Mapped[list["QuizSlot"]] = relationship(
        back_populates="quiz", order_by="QuizSlot.position", cascade="all, delete-orphan")


class QuizSlot(Model):
    """A place in a quiz: one question, N random questions, or a whole case study block."""

    __tablename__ = "quiz_slot"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_question.id", ondelete="SET NULL"), index=True)
    random_count: Mapped[int | None] = mapped_column(Integer)
    random_category: Mapped[str | None] = mapped_column(String(100))
    random_tag: Mapped[str | None] = mapped_column(String(100))
    case_study_id: Mapped[str | None] = mapped_column(String(100))  # shipped case study id

    quiz: Mapped[Quiz] = relationship(back_populates="slots")
    question: Mapped[Question | None] = relationship()


class Attempt(Model):
    """One learner's attempt at a quiz, with the frozen layout of question versions it used."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        # active is 1 while in progress and NULL after: at most one open attempt per quiz and user.
        UniqueConstraint("quiz_id", "user_id", "active", name="uq_quiz_attempt_one_active"),
        Index("ix_quiz_attempt_context_quiz_state", "context_id", "quiz_id", "state"),
        Index("ix_quiz_attempt_context_user", "context_id", "user_id"),
        # The few submitted attempts whose answers still wait to enter the review schedule.
        Index("ix_quiz_attempt_review_pending", "context_id", "user_id",
              postgresql_where=text("review_pending"), sqlite_where=text("review_pending")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    active: Mapped[int | None] = mapped_column(Integer, default=1)
    seed: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(TS)
    submitted_at: Mapped[datetime | None] = mapped_column(TS)
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)  # fraction 0..1
    # Set when an instructor reopened the submitted attempt: its grade waits for the learner.
    reopened_at: Mapped[datetime | None] = mapped_column(TS)
    # [{position, question_version_id, case_study_id, stage}] in the order shown.
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Set by the Submit; the worker (or the learner's next schedule write) enters the answers into
    # the spaced-review schedule and clears it (quizzes/review/schedule_store.py, catch_up).
    review_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    quiz: Mapped[Quiz] = relationship()
    responses: Mapped[list["Response"]] = relationship(
        back_populates="attempt", order_by="Response.position", cascade="all, delete-orphan")


class Response(Model):
    """The saved answer to one position of an attempt, scored on submission."""

    __tablename__ = "quiz_response"
    # The performance pages read these four columns for a course's attempts: a covering index.
    __table_args__ = (UniqueConstraint("attempt_id", "position"),
                      Index("ix_quiz_response_scored", "attempt_id", "question_version_id",
                            "points", "max_points"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_version_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_question_version.id", ondelete="CASCADE"), index=True)
    response: Mapped[dict | None] = mapped_column(JSON)
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float | None] = mapped_column(Float)
    parts: Mapped[list | None] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(TS, default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="responses")


class LineItem(Model):
    """The platform gradebook column (AGS line item) a quiz's scores go to in one course."""

    __tablename__ = "quiz_line_item"
    __table_args__ = (UniqueConstraint("context_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(1024))
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)


class ScoreOutbox(Model):
    """A score waiting for the platform; written in the same transaction as the attempt."""

    __tablename__ = "quiz_score_outbox"
    __table_args__ = (Index("ix_quiz_score_outbox_due", "status", "next_try_at"),
                      Index("ix_quiz_score_outbox_context_user", "context_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="SET NULL"), index=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"))
    # AGS score: userId, scoreGiven, scoreMaximum, activityProgress, gradingProgress, timestamp.
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(TS)  # when a worker took it
    last_error: Mapped[str | None] = mapped_column(Text)
    # Why the last try failed, when that matters for what happens next: "config" (a platform
    # setting refuses the tool: retried slowly), "learner" (refused for this learner: final).
    problem: Mapped[str | None] = mapped_column(String(12))
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    created_at: Mapped[datetime] = mapped_column(TS, default=utcnow)
