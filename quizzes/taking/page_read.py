"""The quiz attempt page's read: the learner's own attempt, the question shown and its answers.

The page needs the attempt with its quiz, the version of the question shown (found through the
layout's JSON), and the attempt's saved answers and flags for the navigation. On PostgreSQL the
answers and flags come in the same statement as JSON arrays, from subqueries correlated to the
attempt row the owner check returned, so they can only be that learner's own: one round trip and
one SQLAlchemy execution per page instead of two (docs/performance.md, issue 18). SQLite has no
round trips to save, so there they are read as before (attempt_layout.responses_and_marks).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Select, bindparam, func, select

from course.db import db
from course.reads import parse_datetime
from quizzes.models import Attempt, QuestionVersion, Response
from quizzes.taking.progress import MAX_POSITIONS, OWN_ATTEMPT
from quizzes.tutor.models import AttemptMark


class SavedAnswer(NamedTuple):
    """A saved response as the attempt page reads it (Response has the same attributes)."""

    position: int
    response: Any


class SavedMark(NamedTuple):
    """A flag or tutor check as the attempt page reads it (AttemptMark has the same attributes)."""

    position: int
    flagged: bool
    checked_at: datetime | None


@dataclass(frozen=True)
class AttemptPage:
    """What the page reads: ``answers`` and ``marks`` are None where they were not gathered."""

    attempt: Attempt
    version: QuestionVersion | None
    answers: dict[int, SavedAnswer] | None = None
    marks: dict[int, SavedMark] | None = None


# The version of the question shown, through the layout's JSON (slot = position - 1).
_SHOWN = Attempt.layout[bindparam("slot", type_=JSON.JSONIntIndexType())]["question_version_id"]
_ATTEMPT_PAGE = OWN_ATTEMPT.add_columns(QuestionVersion).outerjoin(
    QuestionVersion, QuestionVersion.id == _SHOWN.as_integer())
# PostgreSQL: the answers and flags of the attempt row found, each as a JSON array (NULL: none).
_ANSWERS = (select(func.json_agg(func.json_build_array(Response.position, Response.response),
                                 type_=JSON))
            .where(Response.attempt_id == Attempt.id).scalar_subquery())
_MARKS = (select(func.json_agg(func.json_build_array(AttemptMark.position, AttemptMark.flagged,
                                                     AttemptMark.checked_at), type_=JSON))
          .where(AttemptMark.attempt_id == Attempt.id).scalar_subquery())
_ATTEMPT_PAGE_GATHERED: Select[Any] = _ATTEMPT_PAGE.add_columns(_ANSWERS, _MARKS)


def own_attempt_page(context_id: int, user_id: int, attempt_id: int,
                     number: int) -> AttemptPage | None:
    """The learner's own attempt in this course with question ``number``'s version, else None."""
    values = {"aid": attempt_id, "cid": context_id, "uid": user_id,
              "slot": min(max(number, 1), MAX_POSITIONS) - 1}
    if db.engine.dialect.name != "postgresql":
        row = db.session.execute(_ATTEMPT_PAGE, values).first()
        return AttemptPage(row[0], row[1]) if row else None
    found = db.session.execute(_ATTEMPT_PAGE_GATHERED, values).first()
    if found is None:
        return None
    attempt, version, answers, marks = found
    return AttemptPage(
        attempt, version,
        {p: SavedAnswer(p, response) for p, response in answers or ()},
        {p: SavedMark(p, flagged, parse_datetime(checked)) for p, flagged, checked in marks or ()})
