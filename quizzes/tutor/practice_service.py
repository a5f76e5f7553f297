"""Practice quiz service: build from the bank, check one answer at a time; it owns these writes.

A practice quiz has no Attempt, so no score row is ever written for the LMS gradebook.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from sqlalchemy import or_, select, true

from course.db import db, utcnow
from quizzes.bank_loader import get_bank
from quizzes.models import SHIPPED, Question, QuestionVersion
from quizzes.review import schedule_store as review
from quizzes.sync import latest_version_ids, sync_bank
from quizzes.taking.attempt_layout import prefix
from quizzes.tutor.models import PracticeQuiz
from quizzes.tutor.practice import Filters, choose, layout, title
from quizzes.types import REGISTRY

RECENT = 10  # practice quizzes listed on the build page


class PracticeError(ValueError):
    """A practice quiz that cannot be built or answered; the message is shown to the learner."""


def _candidates(context_id: int) -> list[tuple[int, dict[str, Any]]]:
    """(version id, item) of every live standalone question this course may practise."""
    sync_bank()
    in_cases = {i for case in get_bank().case_studies.values() for i in case.item_ids}
    ids = list(db.session.scalars(select(Question.id).where(
        Question.archived.is_(False), or_(Question.source == SHIPPED, Question.context_id == context_id),
        or_(Question.bank_id.is_(None), Question.bank_id.not_in(in_cases) if in_cases else true()))))
    versions = list(latest_version_ids(ids).values())
    rows = db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(versions)))
    return [(v.id, v.data) for v in rows if not REGISTRY[v.data["type"]].manual]


def build(context_id: int, user_id: int, filters: Filters, names: Mapping[str, str]) -> PracticeQuiz:
    """Choose the questions and store a new practice quiz for this learner."""
    seed = secrets.token_hex(8)
    chosen = choose(_candidates(context_id), filters, seed)
    if not chosen:
        raise PracticeError("No questions in the bank match that choice. Choose "
                            "another module, step or question type.")
    practice = PracticeQuiz(context_id=context_id, user_id=user_id, title=title(filters, names)[:255],
                            seed=seed, layout=layout(chosen), answers={}, results={})
    db.session.add(practice)
    db.session.commit()
    return practice


def own(context_id: int, user_id: int, practice_id: int) -> PracticeQuiz | None:
    """This learner's practice quiz in this course, else None."""
    return db.session.scalars(select(PracticeQuiz).where(
        PracticeQuiz.id == practice_id, PracticeQuiz.context_id == context_id,
        PracticeQuiz.user_id == user_id)).first()


def recent(context_id: int, user_id: int) -> list[PracticeQuiz]:
    """This learner's newest practice quizzes in this course."""
    return list(db.session.scalars(select(PracticeQuiz).where(
        PracticeQuiz.context_id == context_id, PracticeQuiz.user_id == user_id)
        .order_by(PracticeQuiz.id.desc()).limit(RECENT)))


def items(practice: PracticeQuiz) -> dict[int, dict[str, Any]]:
    """Position -> item of a practice quiz."""
    ids = [e["question_version_id"] for e in practice.layout]
    found = {v.id: v.data for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    return {e["position"]: found[e["question_version_id"]] for e in practice.layout
            if e["question_version_id"] in found}


def check(practice: PracticeQuiz, item: Mapping[str, Any], position: int, form: Mapping[str, Any]) -> list[str]:
    """Save and score one answer (once: a checked answer is locked); returns problems, if any."""
    key = str(position)
    if key in practice.results:
        return []
    parsed = REGISTRY[item["type"]].parse(item, form, prefix(position))
    if parsed.problems:
        return list(parsed.problems)
    result = REGISTRY[item["type"]].score(item, parsed.response)
    # New dicts, so the JSON columns see the change.
    practice.answers = {**practice.answers, key: parsed.response}
    practice.results = {**practice.results, key: {
        "points": result.points, "max_points": result.max_points, "parts": [asdict(p) for p in result.parts]}}
    _schedule(practice, position, item, parsed.response, result.points, result.max_points)
    db.session.commit()
    return []


def _schedule(practice: PracticeQuiz, position: int, item: Mapping[str, Any], response: Any,
              points: float, max_points: float) -> None:
    """Put the checked answer into the spaced-review schedule, in the same commit (one upsert)."""
    vid = next(e["question_version_id"] for e in practice.layout if e["position"] == position)
    version = db.session.get(QuestionVersion, vid)  # items() loaded it: no query
    entry = version and review.scored(version.question_id, item, None, response, points, max_points)
    if entry:
        review.record(practice.context_id, practice.user_id, [entry], utcnow())
