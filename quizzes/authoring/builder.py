"""Quiz builder service: settings, fixed and random slots, reordering, and a learner preview."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from course.db import db
from course.models import Membership
from course.roles import LEARNER
from quizzes.accommodations.service import refresh_deadlines
from quizzes.authoring.sanitise import clean_text
from quizzes.bank_loader import get_bank
from quizzes.grading import GRADING_METHODS, REVIEW_LEVELS, REVIEW_WHEN
from quizzes.layout import arrange
from quizzes.models import (
    COURSE,
    EXAM,
    IN_PROGRESS,
    SHIPPED,
    TUTOR,
    Attempt,
    Question,
    QuestionVersion,
    Quiz,
    QuizSlot,
    aware,
)
from quizzes.sync import course_quizzes, latest_version_ids, sync_bank
from quizzes.taking.attempt_layout import blocks_for

MAX_RANDOM = 50
_SLUG = re.compile(r"[^a-z0-9]+")


class BuilderError(ValueError):
    """A builder request that cannot be applied; the message is shown to the instructor."""


@dataclass(frozen=True)
class Settings:
    """The learner-facing quiz settings an instructor can change."""

    title: str
    description: str = ""
    attempts_allowed: int = 3  # 0 = unlimited
    grading: str = "highest"
    time_limit_minutes: int | None = None
    shuffle: bool = False
    review: str = "rationales"
    review_when: str = "after_each"
    pass_mark: float = 70.0
    published: bool = True
    mode: str = EXAM  # tutor: learners check each answer and see every rationale as they go
    tutor_gradebook: bool = False  # tutor mode scores go to the LMS only when this is set
    open_at: datetime | None = None  # timezone-aware; no attempt starts before it
    close_at: datetime | None = None  # nor after it, and one in progress is submitted then


@dataclass(frozen=True)
class SlotRow:
    """One slot as the builder lists it."""

    id: int
    position: int
    kind: str  # "question", "random", "case_study" or "missing"
    label: str
    detail: str
    pool: int | None = None


def get_quiz(context_id: int, quiz_id: int) -> Quiz | None:
    """A quiz of this course only."""
    return db.session.scalars(select(Quiz).where(Quiz.id == quiz_id, Quiz.context_id == context_id)).first()


def _check(settings: Settings) -> None:
    """Refuse settings the learner engine does not know."""
    if not settings.title.strip():
        raise BuilderError("Give the quiz a title.")
    if settings.grading not in GRADING_METHODS:
        raise BuilderError(f"Grading must be one of {', '.join(GRADING_METHODS)}.")
    if settings.review not in REVIEW_LEVELS or settings.review_when not in REVIEW_WHEN:
        raise BuilderError("Unknown review option.")
    if settings.attempts_allowed < 0 or (settings.time_limit_minutes or 1) < 1:
        raise BuilderError("Attempts and the time limit cannot be negative.")
    if settings.mode not in (EXAM, TUTOR):
        raise BuilderError("The mode is exam or tutor.")
    if not 0 <= settings.pass_mark <= 100:
        raise BuilderError("The pass mark is a percentage from 0 to 100.")
    if settings.open_at and settings.close_at and settings.close_at <= settings.open_at:
        raise BuilderError("The close date must come after the open date.")


def _unique_slug(context_id: int, title: str) -> str:
    """A slug for a new quiz, unique in the course."""
    base = _SLUG.sub("-", title.lower()).strip("-")[:80] or "quiz"
    used = set(db.session.scalars(select(Quiz.slug).where(Quiz.context_id == context_id)))
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_quiz(context_id: int, user_id: int | None, settings: Settings) -> Quiz:
    """A new, unpublished-by-choice course quiz with no slots yet."""
    _check(settings)
    last = max((q.position for q in course_quizzes(context_id)), default=0)
    quiz = Quiz(context_id=context_id, slug=_unique_slug(context_id, settings.title), source=COURSE,
                position=last + 1, created_by=user_id, title="")
    apply_settings(quiz, settings, commit=False)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def apply_settings(quiz: Quiz, settings: Settings, *, commit: bool = True) -> None:
    """Store the settings on the quiz (texts are sanitised Markdown).

    A new close date or time limit moves the deadlines of attempts in progress with it."""
    _check(settings)
    timing = (aware(quiz.close_at), quiz.time_limit_minutes)
    quiz.title = clean_text(settings.title).strip()[:255]
    quiz.description = clean_text(settings.description)
    quiz.attempts_allowed, quiz.grading = settings.attempts_allowed, settings.grading
    quiz.time_limit_minutes, quiz.shuffle = settings.time_limit_minutes, settings.shuffle
    quiz.review, quiz.review_when = settings.review, settings.review_when
    quiz.pass_mark, quiz.published = float(settings.pass_mark), settings.published
    quiz.mode, quiz.tutor_gradebook = settings.mode, settings.tutor_gradebook
    quiz.open_at, quiz.close_at = settings.open_at, settings.close_at
    if quiz.id is not None and timing != (settings.close_at, settings.time_limit_minutes):
        _refresh_open_attempts(quiz)
    if commit:
        db.session.commit()


def _refresh_open_attempts(quiz: Quiz) -> int:
    """Recompute learners' open deadlines, so the timer and the worker follow the new settings."""
    learners = list(db.session.scalars(select(Attempt.user_id).join(Membership, (
        Membership.user_id == Attempt.user_id) & (Membership.context_id == Attempt.context_id))
        .where(Attempt.quiz_id == quiz.id, Attempt.state == IN_PROGRESS,
               Membership.role == LEARNER)))
    return refresh_deadlines(quiz.context_id, learners, quiz.id)


def settings_of(quiz: Quiz) -> Settings:
    """A quiz's current settings, to fill the form."""
    return Settings(quiz.title, quiz.description or "", quiz.attempts_allowed, quiz.grading,
                    quiz.time_limit_minutes, quiz.shuffle, quiz.review, quiz.review_when,
                    quiz.pass_mark, quiz.published, quiz.mode or EXAM, bool(quiz.tutor_gradebook),
                    aware(quiz.open_at), aware(quiz.close_at))


def _edited(quiz: Quiz) -> None:
    """Slots changed by hand: a bank update must no longer replace them (see sync.py)."""
    quiz.origin_hash = None


def _append(quiz: Quiz, slot: QuizSlot) -> QuizSlot:
    """Put a slot at the end of the quiz."""
    slot.position = max((s.position for s in quiz.slots), default=0) + 1
    quiz.slots.append(slot)
    _edited(quiz)
    db.session.commit()
    return slot


def usable_question(context_id: int, question_id: int) -> Question | None:
    """A live question this course may use: its own, or a shipped one."""
    return db.session.scalars(select(Question).where(
        Question.id == question_id, Question.archived.is_(False),
        or_(Question.context_id == context_id, Question.source == SHIPPED))).first()


def add_fixed(quiz: Quiz, question_id: int) -> QuizSlot:
    """Add one question (course or shipped) as a fixed slot."""
    if usable_question(quiz.context_id, question_id) is None:
        raise BuilderError("That question is not in this course's bank.")
    if any(s.question_id == question_id for s in quiz.slots):
        raise BuilderError("That question is already in this quiz.")
    return _append(quiz, QuizSlot(question_id=question_id))


def add_shipped(quiz: Quiz, item_id: str) -> QuizSlot:
    """Add a shipped bank item by its bank id as a fixed slot."""
    ref = sync_bank().get(item_id)
    if ref is None:
        raise BuilderError(f"No shipped question {item_id!r}.")
    return add_fixed(quiz, ref.question_id)


def random_pool(context_id: int, category: str | None, tag: str | None) -> list[int]:
    """Question ids a random slot would draw from (the same rule as the attempt service)."""
    rows = db.session.scalars(select(Question).where(
        Question.archived.is_(False), or_(Question.source == SHIPPED, Question.context_id == context_id)))
    return [q.id for q in rows if (not category or q.category == category) and (not tag or tag in (q.tags or []))]


def add_random(quiz: Quiz, count: int, category: str = "", tag: str = "") -> QuizSlot:
    """Add "N random questions from category/tag"; an empty pool is refused."""
    if not 1 <= count <= MAX_RANDOM:
        raise BuilderError(f"Draw between 1 and {MAX_RANDOM} questions.")
    category, tag = category.strip(), tag.strip()
    if not random_pool(quiz.context_id, category, tag):
        raise BuilderError("No question matches that category and tag.")
    return _append(quiz, QuizSlot(random_count=count, random_category=category or None, random_tag=tag or None))


def _slot(quiz: Quiz, slot_id: int) -> QuizSlot:
    """A slot of this quiz, or BuilderError."""
    found = next((s for s in quiz.slots if s.id == slot_id), None)
    if found is None:
        raise BuilderError("That slot is not in this quiz.")
    return found


def _renumber(quiz: Quiz, ordered: list[QuizSlot]) -> None:
    """Write positions 1..n; parked at negative numbers first so the unique key never clashes."""
    for i, slot in enumerate(ordered):
        slot.position = -(i + 1)
    db.session.flush()
    for i, slot in enumerate(ordered):
        slot.position = i + 1
    _edited(quiz)
    db.session.commit()
    db.session.refresh(quiz)


def remove_slot(quiz: Quiz, slot_id: int) -> None:
    """Take a slot out of the quiz and close the gap."""
    slot = _slot(quiz, slot_id)
    quiz.slots.remove(slot)
    db.session.flush()
    _renumber(quiz, sorted(quiz.slots, key=lambda s: s.position))


def move_slot(quiz: Quiz, slot_id: int, step: int) -> None:
    """Move a slot up (-1) or down (+1); moving past either end does nothing."""
    ordered = sorted(quiz.slots, key=lambda s: s.position)
    slot = _slot(quiz, slot_id)
    i = ordered.index(slot)
    j = i + (1 if step > 0 else -1)
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
        _renumber(quiz, ordered)


def _question_label(question: Question | None, version: QuestionVersion | None) -> tuple[str, str]:
    """Title and detail of a fixed slot's question."""
    if question is None or version is None:
        return "Question no longer available", "It was deleted; remove this slot."
    data = version.data
    where = "shipped" if question.source == SHIPPED else f"course, version {version.number}"
    title = data.get("title") or " ".join(str(data.get("stem", "")).split())[:100]
    return title, f"{data.get('type')} · {data.get('topic')} · {where}"


def slot_rows(quiz: Quiz) -> list[SlotRow]:
    """The quiz's slots in order, with words for each and the size of each random pool."""
    ids = [s.question_id for s in quiz.slots if s.question_id]
    latest = latest_version_ids(ids)
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.id.in_(list(latest.values()))))} if latest else {}
    rows: list[SlotRow] = []
    for s in sorted(quiz.slots, key=lambda s: s.position):
        if s.case_study_id:
            case = get_bank().case_studies.get(s.case_study_id)
            label = case.title if case else s.case_study_id
            rows.append(SlotRow(s.id, s.position, "case_study", label, "Case study: six questions in order"))
        elif s.random_count:
            where = ", ".join(x for x in (f"category “{s.random_category}”" if s.random_category else "",
                                          f"tag “{s.random_tag}”" if s.random_tag else "") if x) or "the whole bank"
            pool = len(random_pool(quiz.context_id, s.random_category, s.random_tag))
            rows.append(SlotRow(s.id, s.position, "random", f"{s.random_count} random question(s)",
                                f"From {where}", pool))
        else:
            version = versions.get(latest.get(s.question_id or 0, 0))
            title, detail = _question_label(s.question, version)
            rows.append(SlotRow(s.id, s.position, "question" if version else "missing", title, detail))
    return rows


def preview_layout(quiz: Quiz, seed: str) -> list[dict[str, Any]]:
    """The layout a learner would get with this seed, without creating an attempt."""
    return arrange(blocks_for(quiz, seed), seed, quiz.shuffle)  # the attempts' own resolver
