"""Read side of the instructor question bank: rows for the list, search and filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from course.db import db
from quizzes.authoring.questions import course_questions, current_version, type_label
from quizzes.bank_loader import get_bank
from quizzes.models import Question, QuestionVersion, Response

EXCERPT = 140


@dataclass(frozen=True)
class BankFilter:
    """What the instructor asked the bank list for; empty strings mean "any"."""

    q: str = ""
    type: str = ""
    topic: str = ""
    category: str = ""
    tag: str = ""
    archived: bool = False

    def active(self) -> bool:
        """Whether any filter is set."""
        return bool(self.q or self.type or self.topic or self.category or self.tag)


@dataclass(frozen=True)
class BankRow:
    """One line of the bank list, course question or shipped item."""

    item_id: str
    type: str
    type_label: str
    topic: str
    title: str
    excerpt: str
    source: str
    question_id: int | None = None
    category: str = ""
    tags: tuple[str, ...] = ()
    version: int = 1
    answered: int = 0
    archived: bool = False
    copied_from: str | None = None
    case_study: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _excerpt(text: str) -> str:
    """The first characters of a stem on one line, for lists."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def _matches(f: BankFilter, data: Mapping[str, Any], category: str, tags: Iterable[str]) -> bool:
    """Whether an item passes every filter (search looks at the stem and the title)."""
    if f.type and data.get("type") != f.type:
        return False
    if f.topic and data.get("topic") != f.topic:
        return False
    if f.category and category.lower() != f.category.lower():
        return False
    if f.tag and f.tag.lower() not in {t.lower() for t in tags}:
        return False
    if f.q:
        hay = f"{data.get('stem', '')} {data.get('title', '')} {data.get('id', '')}".lower()
        return all(word in hay for word in f.q.lower().split())
    return True


def _answer_counts(question_ids: list[int]) -> dict[int, int]:
    """How many responses each question has (all versions)."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(QuestionVersion.question_id, func.count(Response.id))
        .join(Response, Response.question_version_id == QuestionVersion.id)
        .where(QuestionVersion.question_id.in_(question_ids))
        .group_by(QuestionVersion.question_id))
    return {qid: n for qid, n in rows}


def course_rows(context_id: int, f: BankFilter) -> list[BankRow]:
    """The course's own questions that pass the filter."""
    questions = course_questions(context_id, include_archived=f.archived)
    counts = _answer_counts([q.id for q in questions])
    rows = []
    for q in questions:
        data = current_version(q).data
        if q.archived != f.archived or not _matches(f, data, q.category, q.tags or []):
            continue
        rows.append(BankRow(
            item_id=data["id"], type=q.type, type_label=type_label(q.type), topic=data.get("topic", ""),
            title=data.get("title") or _excerpt(data.get("stem", "")), excerpt=_excerpt(data.get("stem", "")),
            source="course", question_id=q.id, category=q.category, tags=tuple(q.tags or []),
            version=current_version(q).number, answered=counts.get(q.id, 0), archived=q.archived,
            copied_from=q.bank_id))
    return rows


def shipped_rows(f: BankFilter) -> list[BankRow]:
    """The shipped items (read-only) that pass the filter; their category is their topic."""
    bank = get_bank()
    rows = []
    for item_id, data in bank.items.items():
        if f.archived or not _matches(f, data, data.get("topic", ""), ()):
            continue
        rows.append(BankRow(
            item_id=item_id, type=data["type"], type_label=type_label(data["type"]), topic=data["topic"],
            title=data.get("title") or _excerpt(data["stem"]), excerpt=_excerpt(data["stem"]),
            source="shipped", category=data["topic"], case_study=bank.case_study_of(item_id)))
    return rows


def categories_and_tags(context_id: int) -> tuple[list[str], list[str]]:
    """Every category and tag in use in the course bank, sorted, for filters and random slots."""
    cats: set[str] = set()
    tags: set[str] = set()
    for q in db.session.scalars(select(Question).where(Question.context_id == context_id,
                                                       Question.archived.is_(False))):
        if q.category:
            cats.add(q.category)
        tags.update(t for t in (q.tags or []) if t)
    return sorted(cats, key=str.lower), sorted(tags, key=str.lower)


def versions_of(question: Question) -> list[dict[str, Any]]:
    """Each version of a question with how many responses it has, newest first."""
    counts = dict(db.session.execute(
        select(Response.question_version_id, func.count(Response.id))
        .where(Response.question_version_id.in_([v.id for v in question.versions]))
        .group_by(Response.question_version_id)).all())
    return [{"number": v.number, "id": v.id, "created_at": v.created_at, "responses": counts.get(v.id, 0)}
            for v in reversed(question.versions)]
