"""Bring the shipped bank into the database: items as versioned questions, quizzes per course."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import bindparam, event, func, select
from sqlalchemy.exc import IntegrityError

from course.db import db
from quizzes.bank_loader import Bank, QuizSpec, get_bank
from quizzes.models import SHIPPED, Question, QuestionVersion, Quiz, QuizSlot

T = TypeVar("T")
RETRIES = 3  # two requests syncing at once: the loser retries against the winner's rows


@dataclass(frozen=True)
class ShippedRef:
    """Where a shipped bank item lives in the database."""

    question_id: int
    version_id: int


def plain(item: Any) -> Any:
    """A JSON-safe deep copy of an item (bank items may hold read-only mappings)."""
    return json.loads(json.dumps(item, default=_jsonable, ensure_ascii=False))


def _jsonable(value: Any) -> Any:
    """Mappings become dicts; anything else becomes its text."""
    return dict(value) if hasattr(value, "items") else str(value)


def content_hash(item: Any) -> str:
    """A stable digest of an item's content, independent of key order."""
    text = json.dumps(plain(item), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _retrying(work: Callable[[], T]) -> T:
    """Run a unit of work and commit; on a unique-key race roll back and run it again."""
    for attempt in range(RETRIES):
        try:
            result = work()
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _latest_versions(question_ids: list[int] | None = None) -> dict[int, QuestionVersion]:
    """The newest version of each question (of the given ids, or of every shipped question)."""
    newest = select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("n"))
    if question_ids is None:
        newest = newest.join(Question).where(Question.source == SHIPPED)
    else:
        newest = newest.where(QuestionVersion.question_id.in_(question_ids))
    sub = newest.group_by(QuestionVersion.question_id).subquery()
    rows = db.session.scalars(select(QuestionVersion).join(
        sub, (QuestionVersion.question_id == sub.c.question_id) & (QuestionVersion.number == sub.c.n)))
    return {v.question_id: v for v in rows}


def latest_version_ids(question_ids: list[int]) -> dict[int, int]:
    """Question id -> id of its newest version."""
    return {qid: v.id for qid, v in _latest_versions(question_ids).items()} if question_ids else {}


def _tags_for(bank: Bank, item: dict[str, Any]) -> list[str]:
    """Searchable tags of a shipped item: its CJMM step and case study, when it has them."""
    tags = [item["cjmm"]] if item.get("cjmm") else []
    case = bank.case_study_of(item["id"])
    return tags + ([f"case:{case}"] if case else [])


def _sync_items(bank: Bank) -> dict[str, ShippedRef]:
    """Create missing shipped questions and add a version wherever the content changed."""
    questions = {q.shipped_key: q for q in db.session.scalars(
        select(Question).where(Question.source == SHIPPED))}
    latest = _latest_versions()
    for bank_id, item in bank.items.items():
        digest = content_hash(item)
        question = questions.get(bank_id)
        if question is None:
            question = Question(context_id=None, source=SHIPPED, bank_id=bank_id,
                                shipped_key=bank_id, type=item["type"], tags=_tags_for(bank, item),
                                category=item.get("topic", ""), archived=False)
            db.session.add(question)
            questions[bank_id] = question
        version = latest.get(question.id) if question.id else None
        if version is None or version.content_hash != digest:
            number = version.number + 1 if version else 1
            question.versions.append(QuestionVersion(number=number, data=plain(item),
                                                     content_hash=digest))
            question.type, question.category = item["type"], item.get("topic", "")
        question.archived = False
    for key, question in questions.items():
        if key not in bank.items:
            question.archived = True  # removed from the bank: old attempts keep their versions
    db.session.flush()
    newest = _latest_versions()
    # Shipped rows always have a key; the None test is for the checker (shipped_key is nullable).
    return {k: ShippedRef(q.id, newest[q.id].id) for k, q in questions.items()
            if k is not None and k in bank.items}


_DIGESTS: dict[int, tuple[Bank, str]] = {}


def bank_digest(bank: Bank) -> str:
    """A digest of the whole bank (items and quiz specs), computed once per loaded bank."""
    known = _DIGESTS.get(id(bank))
    if known is not None and known[0] is bank:
        return known[1]
    parts = sorted(f"{k}:{content_hash(v)}" for k, v in bank.items.items())
    parts += [f"quiz:{q.slug}:{spec_hash(q)}" for q in bank.quizzes]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    _DIGESTS[id(bank)] = (bank, digest)  # keeps the bank alive, so the id cannot be reused
    return digest


def _memo() -> dict[Any, Any]:
    """What this app (process) has already synced; a new app, e.g. in each test, starts empty."""
    return current_app.extensions.setdefault("quizzes.sync", {})


def sync_bank(bank: Bank | None = None) -> dict[str, ShippedRef]:
    """Make the database match the shipped bank; returns bank item id -> question and version.

    The work runs once per process and bank digest: shipped rows are read-only afterwards.
    """
    bank = bank if bank is not None else get_bank()
    key = ("bank", bank_digest(bank))
    refs = _memo().get(key)
    if refs is None:
        refs = _retrying(lambda: _sync_items(bank))
        _memo()[key] = refs
    return refs


def spec_hash(spec: QuizSpec) -> str:
    """Digest of what a shipped quiz contains, so a bank update can refresh its slots."""
    return content_hash({"items": list(spec.items), "case_studies": list(spec.case_studies)})


def _slots_for(spec: QuizSpec, refs: dict[str, ShippedRef]) -> list[QuizSlot]:
    """Slots for a shipped quiz: its standalone items, then one block per case study."""
    slots = [QuizSlot(position=i + 1, question_id=refs[item_id].question_id)
             for i, item_id in enumerate(spec.items)]
    start = len(slots)
    slots += [QuizSlot(position=start + i + 1, case_study_id=case_id)
              for i, case_id in enumerate(spec.case_studies)]
    return slots


def _new_quiz(context_id: int, spec: QuizSpec, order: int, refs: dict[str, ShippedRef]) -> Quiz:
    """A course copy of a shipped quiz with the bank's default settings."""
    s = spec.settings
    quiz = Quiz(context_id=context_id, slug=spec.slug, title=spec.title,
                description=spec.description, module_slug=spec.module, source=SHIPPED,
                position=order, attempts_allowed=s.attempts_allowed or 0, grading=s.grading,
                time_limit_minutes=s.time_limit_minutes, shuffle=s.shuffle, review=s.review,
                review_when=s.review_when, pass_mark=s.pass_mark, published=True,
                origin_hash=spec_hash(spec))
    quiz.slots = _slots_for(spec, refs)
    return quiz


def _materialise(context_id: int, bank: Bank, refs: dict[str, ShippedRef]) -> None:
    """Add shipped quizzes a course lacks; refresh slots of untouched shipped quizzes."""
    existing = {q.slug: q for q in db.session.scalars(
        select(Quiz).where(Quiz.context_id == context_id))}
    for order, spec in enumerate(bank.quizzes):
        quiz = existing.get(spec.slug)
        if quiz is None:
            db.session.add(_new_quiz(context_id, spec, order, refs))
        elif quiz.source == SHIPPED and quiz.origin_hash and quiz.origin_hash != spec_hash(spec):
            # Authoring clears origin_hash when an instructor edits slots, so edits are kept.
            quiz.slots.clear()
            db.session.flush()
            quiz.slots.extend(_slots_for(spec, refs))
            quiz.origin_hash = spec_hash(spec)
    db.session.flush()


# Built once (the course home and the quiz list read it on every request); bound at execution.
_COURSE_QUIZZES = (select(Quiz).where(Quiz.context_id == bindparam("cid"))
                   .order_by(Quiz.position, Quiz.title, Quiz.id))


def course_quizzes(context_id: int) -> list[Quiz]:
    """Every quiz of a course in display order; read only (launches add the shipped ones)."""
    return list(db.session.scalars(_COURSE_QUIZZES, {"cid": context_id}))


def _up_to_date(context_id: int, bank: Bank) -> bool:
    """Whether the course has every shipped quiz, each with the bank's current slots (one query)."""
    have = {q.slug: q for q in db.session.scalars(select(Quiz).where(Quiz.context_id == context_id))}
    return all(spec.slug in have and not (have[spec.slug].source == SHIPPED
                                          and have[spec.slug].origin_hash
                                          and have[spec.slug].origin_hash != spec_hash(spec))
               for spec in bank.quizzes)


def add_course_quizzes(context_id: int, bank: Bank | None = None) -> None:
    """Add the bank's quizzes a course lacks, in the caller's transaction (a launch): no commit."""
    bank = bank if bank is not None else get_bank()
    key = ("launch", context_id, bank_digest(bank))
    if key in _memo():  # seen complete by this process: a returning launch reads nothing more
        return
    if _up_to_date(context_id, bank):
        _memo()[key] = True  # only a committed, complete course is remembered
        return
    for attempt in range(RETRIES):
        try:
            with db.session.begin_nested():  # a race rolls back this savepoint, not the launch
                _materialise(context_id, bank, _sync_items(bank))
            # Remembered once the launch commits: a rolled-back launch leaves the course unsynced.
            event.listen(db.session(), "after_commit",
                         lambda _session: _memo().__setitem__(key, True), once=True)
            return
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise


def ensure_course_quizzes(context_id: int, bank: Bank | None = None) -> list[Quiz]:
    """Every quiz of a course, shipped ones materialised on first access, in display order."""
    bank = bank if bank is not None else get_bank()
    refs = sync_bank(bank)
    key = ("course", context_id, bank_digest(bank))
    if key not in _memo():  # once per course and process: quizzes are not recreated per request
        _retrying(lambda: _materialise(context_id, bank, refs))
        _memo()[key] = True
    return list(db.session.scalars(select(Quiz).where(Quiz.context_id == context_id)
                                   .order_by(Quiz.position, Quiz.title, Quiz.id)))
