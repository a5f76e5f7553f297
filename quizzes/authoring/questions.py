"""Course question bank service: create and edit questions with versions, copy shipped items."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from course.content import ContentError
from course.db import db
from quizzes.authoring.sanitise import clean_item, clean_text
from quizzes.bank_loader import get_bank
from quizzes.models import COURSE, IN_PROGRESS, Attempt, Question, QuestionVersion, Response
from quizzes.sync import content_hash
from quizzes.types import REGISTRY, get_type

MAX_TAGS = 20
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class SaveResult:
    """What an edit did: the version now current and whether it is a new one."""

    question: Question
    version: QuestionVersion
    new_version: bool
    changed: bool


def current_version(question: Question) -> QuestionVersion:
    """The newest version of a question (versions are ordered by number)."""
    return question.versions[-1]


def parse_tags(raw: str | Iterable[str] | None) -> list[str]:
    """Tags from a comma-separated string or a list: trimmed, lowercase-insensitive unique."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw or [])
    tags: list[str] = []
    for part in parts:
        tag = clean_text(str(part)).strip()[:60]
        if tag and tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    return tags[:MAX_TAGS]


def clean_category(raw: str | None) -> str:
    """A category name: plain text, trimmed, at most 100 characters."""
    return clean_text(raw or "").strip()[:100]


def get_course_question(context_id: int, question_id: int) -> Question | None:
    """A course question of this context (never a shipped row or another course's)."""
    return db.session.scalars(
        select(Question).where(Question.id == question_id, Question.context_id == context_id,
                               Question.source == COURSE)).first()


def course_questions(context_id: int, *, include_archived: bool = False) -> list[Question]:
    """Every course question of a context, newest first."""
    query = select(Question).where(Question.context_id == context_id, Question.source == COURSE)
    if not include_archived:
        query = query.where(Question.archived.is_(False))
    return list(db.session.scalars(query.order_by(Question.id.desc())))


def version_in_use(context_id: int, version_id: int) -> bool:
    """Whether any response, or any open attempt's layout, uses this version."""
    if db.session.scalars(select(Response.id).where(Response.question_version_id == version_id).limit(1)).first():
        return True
    layouts = db.session.scalars(select(Attempt.layout).where(
        Attempt.context_id == context_id, Attempt.state == IN_PROGRESS))
    return any(isinstance(entry, Mapping) and entry.get("question_version_id") == version_id
               for layout in layouts for entry in (layout or []))


def prepare_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Sanitise and validate an item dict; raises ContentError naming the field."""
    data = clean_item(dict(item))
    get_type(data).validate(data, "question")
    return data


def _slug(text: str) -> str:
    """A bank-style slug from free text."""
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:60].strip("-")


def _used_item_ids(context_id: int) -> set[str]:
    """Item ids already used by this course's questions (any version)."""
    rows = db.session.scalars(select(QuestionVersion.data).join(Question).where(
        Question.context_id == context_id, Question.source == COURSE))
    return {d["id"] for d in rows if isinstance(d, Mapping) and isinstance(d.get("id"), str)}


def unique_item_id(context_id: int, base: str, used: set[str] | None = None) -> str:
    """A slug id not yet used in this course's bank, derived from ``base``.

    A caller adding many questions passes ``used`` (from used_item_ids) and it is kept up to
    date here: reading every version's data per question made a 2,000-question import quadratic.
    """
    stem = _slug(base) or "question"
    taken = _used_item_ids(context_id) if used is None else used
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate)
    return candidate


def used_item_ids(context_id: int) -> set[str]:
    """Item ids already used in this course's bank, for a run of create_question calls."""
    return _used_item_ids(context_id)


def create_question(context_id: int, user_id: int | None, item: Mapping[str, Any], *,
                    category: str = "", tags: Iterable[str] | str = (), bank_id: str | None = None,
                    commit: bool = True, used_ids: set[str] | None = None) -> Question:
    """Add a course question with its first version; the item id is made unique in the course."""
    data = dict(item)
    data["id"] = unique_item_id(context_id, str(data.get("id") or data.get("title") or data.get("type", "")),
                                used_ids)
    data = prepare_item(data)
    question = Question(context_id=context_id, source=COURSE, bank_id=bank_id, type=data["type"],
                        category=clean_category(category), tags=parse_tags(tags), created_by=user_id)
    question.versions.append(QuestionVersion(number=1, data=data, content_hash=content_hash(data)))
    db.session.add(question)
    if commit:
        db.session.commit()
    return question


def update_question(question: Question, item: Mapping[str, Any], *, category: str | None = None,
                    tags: Iterable[str] | str | None = None) -> SaveResult:
    """Save an edit: a new version when the current one was answered, else in place."""
    current = current_version(question)
    data = dict(item)
    data["id"], data["type"] = current.data["id"], question.type  # identity never changes
    data = prepare_item(data)
    digest = content_hash(data)
    if category is not None:
        question.category = clean_category(category)
    if tags is not None:
        question.tags = parse_tags(tags)
    if digest == current.content_hash:
        db.session.commit()
        return SaveResult(question, current, new_version=False, changed=False)
    if version_in_use(question.context_id or 0, current.id):
        version = QuestionVersion(number=current.number + 1, data=data, content_hash=digest)
        question.versions.append(version)
        db.session.commit()
        return SaveResult(question, version, new_version=True, changed=True)
    current.data, current.content_hash = data, digest
    db.session.commit()
    return SaveResult(question, current, new_version=False, changed=True)


def set_labels(question: Question, category: str, tags: Iterable[str] | str) -> None:
    """Change a course question's category and tags (no new version: they are not content)."""
    question.category = clean_category(category)
    question.tags = parse_tags(tags)
    db.session.commit()


def set_archived(question: Question, archived: bool) -> None:
    """Hide a question from the bank and from random slots, or bring it back."""
    question.archived = archived
    db.session.commit()


def shipped_item(item_id: str) -> dict[str, Any] | None:
    """A shipped bank item by id (a copy, so callers may change it)."""
    found = get_bank().items.get(item_id)
    return dict(found) if found is not None else None


def copy_shipped(context_id: int, user_id: int | None, item_id: str) -> Question:
    """Copy a shipped item into the course bank; the shipped item itself stays read-only."""
    item = shipped_item(item_id)
    if item is None:
        raise LookupError(item_id)
    item.pop("stage", None)  # a stage only means something inside its case study
    return create_question(context_id, user_id, item, category=item.get("topic", ""),
                           tags=["shipped-copy"], bank_id=item_id)


def type_label(name: str) -> str:
    """The registry's human name for a type."""
    found = REGISTRY.get(name)
    return found.label if found else name


__all__ = ["ContentError", "SaveResult", "clean_category", "copy_shipped", "course_questions",
           "create_question", "current_version", "get_course_question", "parse_tags", "prepare_item",
           "set_archived", "set_labels", "shipped_item", "type_label", "unique_item_id", "used_item_ids",
           "update_question", "version_in_use"]
