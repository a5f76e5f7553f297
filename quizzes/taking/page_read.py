"""The quiz attempt page's read: the learner's own attempt, the question shown and its answers.

The page needs the attempt with its quiz, the version of the question shown (found through the
layout's JSON), and the attempt's saved answers and flags for the navigation. On PostgreSQL the
answers and flags come in the same statement as JSON arrays, from subqueries correlated to the
attempt row the owner check returned, so they can only be that learner's own: one round trip and
one SQLAlchemy execution per page instead of two (docs/performance.md, issue 18). SQLite has no
round trips to save, so there they are read as before (attempt_layout.responses_and_marks).

A GET only reads, so the columns come back as plain rows (Core), not as ORM objects: building
an Attempt, its Quiz and a QuestionVersion with their JSON took about as long as the statement
(issue 18: "Core select() rather than ORM objects where a page only reads"). The rows have the
attributes of the models they stand for, so the page's code takes either.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Select, bindparam, func, select

from course.db import db
from course.reads import parse_datetime
from quizzes.models import Attempt, QuestionVersion, Quiz, Response
from quizzes.taking.progress import MAX_POSITIONS, OWN_ATTEMPT
from quizzes.tutor.models import AttemptMark


class ShownAttempt(NamedTuple):
    """The attempt's columns the page reads (an Attempt has the same attributes)."""

    id: int
    quiz_id: int
    number: int
    state: str
    seed: str
    deadline_at: datetime | None
    layout: list[dict[str, Any]]


class ShownQuiz(NamedTuple):
    """The quiz's columns the page reads (a Quiz has the same attributes)."""

    id: int
    slug: str
    title: str
    mode: str


class ShownVersion(NamedTuple):
    """The question version shown (a QuestionVersion has the same attributes)."""

    id: int
    data: dict[str, Any]


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

    attempt: ShownAttempt
    quiz: ShownQuiz
    version: ShownVersion | None
    answers: dict[int, SavedAnswer] | None = None
    marks: dict[int, SavedMark] | None = None


_A, _Q, _V = Attempt.__table__.c, Quiz.__table__.c, QuestionVersion.__table__.c
_COLUMNS = ([_A[name] for name in ShownAttempt._fields] + [_Q[name] for name in ShownQuiz._fields]
            + [_V[name] for name in ShownVersion._fields])
_SPLIT = (len(ShownAttempt._fields), len(ShownAttempt._fields) + len(ShownQuiz._fields))
# The version of the question shown, through the layout's JSON (slot = position - 1).
_SHOWN = _A.layout[bindparam("slot", type_=JSON.JSONIntIndexType())]["question_version_id"]
# OWN_ATTEMPT's owner check: this attempt only in this course and only for this learner.
_OWNER = OWN_ATTEMPT.whereclause
assert _OWNER is not None  # for mypy: OWN_ATTEMPT is built with its WHERE
_ATTEMPT_PAGE = (select(*_COLUMNS).select_from(Attempt.__table__)
                 .join(Quiz.__table__, _Q.id == _A.quiz_id)
                 .outerjoin(QuestionVersion.__table__, _V.id == _SHOWN.as_integer())
                 .where(_OWNER))
# PostgreSQL: the answers and flags of the attempt row found, each as a JSON array (NULL: none).
_R, _M = Response.__table__.c, AttemptMark.__table__.c
_ANSWERS = (select(func.json_agg(func.json_build_array(_R.position, _R.response), type_=JSON))
            .where(_R.attempt_id == _A.id).scalar_subquery())
_MARKS = (select(func.json_agg(func.json_build_array(_M.position, _M.flagged, _M.checked_at),
                               type_=JSON))
          .where(_M.attempt_id == _A.id).scalar_subquery())
_ATTEMPT_PAGE_GATHERED: Select[Any] = _ATTEMPT_PAGE.add_columns(_ANSWERS, _MARKS)


def own_attempt_page(context_id: int, user_id: int, attempt_id: int,
                     number: int) -> AttemptPage | None:
    """The learner's own attempt in this course with question ``number``'s version, else None."""
    values = {"aid": attempt_id, "cid": context_id, "uid": user_id,
              "slot": min(max(number, 1), MAX_POSITIONS) - 1}
    gathered = db.engine.dialect.name == "postgresql"
    row = db.session.connection().execute(
        _ATTEMPT_PAGE_GATHERED if gathered else _ATTEMPT_PAGE, values).first()
    if row is None:
        return None
    one, two = _SPLIT
    version = ShownVersion(*row[two:two + 2]) if row[two] is not None else None
    page = AttemptPage(ShownAttempt(*row[:one]), ShownQuiz(*row[one:two]), version)
    if not gathered:
        return page
    answers, marks = row[two + 2], row[two + 3]
    return AttemptPage(
        page.attempt, page.quiz, version,
        {p: SavedAnswer(p, response) for p, response in answers or ()},
        {p: SavedMark(p, flagged, parse_datetime(checked)) for p, flagged, checked in marks or ()})
