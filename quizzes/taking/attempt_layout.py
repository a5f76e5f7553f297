"""What an attempt holds: the quiz's slots drawn into a seeded layout, its versions and answers."""
from __future__ import annotations

import functools

from sqlalchemy import Integer, Select, and_, bindparam, or_, select, union

from course.db import db
from quizzes.bank_loader import get_bank
from quizzes.layout import Block, RandomSlot, draw, entry
from quizzes.models import SHIPPED, Attempt, Question, QuestionVersion, Quiz, Response
from quizzes.sync import latest_version_ids, sync_bank
from quizzes.tutor.models import AttemptMark


def prefix(position: int) -> str:
    """The form-field prefix of the question at a position."""
    return f"q{position}-"


def _random_pool(quiz: Quiz, category: str | None, tag: str | None) -> list[int]:
    """Latest version ids of live questions a random slot may draw from in this course."""
    rows = db.session.scalars(select(Question).where(
        Question.archived.is_(False),
        or_(Question.source == SHIPPED, Question.context_id == quiz.context_id)))
    picked = [q.id for q in rows if (not category or q.category == category)
              and (not tag or tag in (q.tags or []))]
    return list(latest_version_ids(picked).values())


def blocks_for(quiz: Quiz, seed: str) -> list[Block]:
    """Resolve the quiz's slots into layout blocks for one attempt (previews use it too)."""
    bank, refs = get_bank(), sync_bank()
    fixed = latest_version_ids([s.question_id for s in quiz.slots if s.question_id])
    blocks: list[Block] = []
    for slot in quiz.slots:
        if slot.case_study_id:
            case = bank.case_studies.get(slot.case_study_id)
            if case is None:
                continue  # case study removed from the bank since the quiz was built
            blocks.append(Block(tuple(entry(refs[i["id"]].version_id, case.id, i["stage"])
                                      for i in case.items), movable=False))
        elif slot.question_id and slot.question_id in fixed:
            blocks.append(Block((entry(fixed[slot.question_id]),)))
        elif slot.random_count:
            pool = _random_pool(quiz, slot.random_category, slot.random_tag)
            used = {e["question_version_id"] for b in blocks for e in b.entries}
            used |= set(fixed.values())
            blocks += draw(RandomSlot(slot.random_count, pool), seed, f"slot{slot.position}", used)
    return blocks


def versions_for(attempt: Attempt) -> dict[int, QuestionVersion]:
    """Layout position -> question version of an attempt."""
    ids = [e["question_version_id"] for e in attempt.layout]
    found = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    return {e["position"]: found[e["question_version_id"]] for e in attempt.layout
            if e["question_version_id"] in found}


# Built once (every attempt page reads it): the values are bound at execution.
_RESPONSES = select(Response).where(Response.attempt_id == bindparam("aid"))


def saved_responses(attempt: Attempt) -> dict[int, Response]:
    """Position -> saved response row."""
    return {r.position: r for r in db.session.scalars(_RESPONSES, {"aid": attempt.id})}


@functools.cache
def _responses_and_marks() -> Select[Response, AttemptMark]:
    """Each position of an attempt with its saved response and its mark, either may be absent."""
    aid = bindparam("aid", type_=Integer)
    # A position may have an answer and no mark or a flag and no answer: both sides are
    # outer-joined to the union of their positions (SQLite has no FULL JOIN before 3.39).
    held = union(select(Response.position).where(Response.attempt_id == aid),
                 select(AttemptMark.position).where(AttemptMark.attempt_id == aid)).subquery()
    return (select(Response, AttemptMark).select_from(held)
            .outerjoin(Response, and_(Response.attempt_id == aid,
                                      Response.position == held.c.position))
            .outerjoin(AttemptMark, and_(AttemptMark.attempt_id == aid,
                                         AttemptMark.position == held.c.position)))


def responses_and_marks(attempt_id: int) -> tuple[dict[int, Response], dict[int, AttemptMark]]:
    """Position -> saved response and position -> mark, in one statement (the attempt page)."""
    responses: dict[int, Response] = {}
    marks: dict[int, AttemptMark] = {}
    for response, mark in db.session.execute(_responses_and_marks(), {"aid": attempt_id}):
        if response is not None:
            responses[response.position] = response
        if mark is not None:
            marks[mark.position] = mark
    return responses, marks
