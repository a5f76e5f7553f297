"""Scoring a claimed attempt: one read of its versions and answers, then the writes of the results."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm.attributes import set_committed_value

from course.db import db, utcnow
from course.writes import Write
from quizzes import grading, row_source
from quizzes.models import Attempt, QuestionVersion, Response
from quizzes.types import REGISTRY
from quizzes.types.base import PartResult

# dataclasses.asdict deep-copies every part (~40 us each, a third of a submission's scoring in
# the issue 18 profile); the parts go into a JSON column at once, so a shallow copy will do.
# A submission's row keeps the marks, not the version's own text: the label and rationale are
# the same for every learner and the version never changes, so the review takes them from it
# (pages.with_texts). Copied, they were half of the 23 kB a final-quiz submission sent.
PART_FIELDS = tuple(f.name for f in fields(PartResult) if f.name not in ("label", "rationale"))

# Built once. Each question version of the layout with the learner's saved answer to it, if any:
# one statement instead of one for the versions and one for the answers (issue 18's storm).
# Columns, not objects: scoring reads them once and writes through _scored_rows, not the ORM.
_ANSWERS = (select(QuestionVersion.id, QuestionVersion.data,
                   Response.position, Response.response)
            .outerjoin(Response, and_(Response.attempt_id == bindparam("aid", type_=Integer),
                                      Response.question_version_id == QuestionVersion.id))
            .where(QuestionVersion.id.in_(bindparam("ids", expanding=True))))

# The attempt's score, written by the transaction that claimed it (the claim holds the row).
# Core: the ORM flush of one object cost ~1.5 ms here. The SET values are named bound values, so
# the UPDATE can also go as a part of one statement with the other writes (course/writes.py).
_SCORE_COLUMNS = ("points", "max_points", "score", "submitted_at")
_SCORE = (update(Attempt).where(Attempt.id == bindparam("aid", type_=Integer))
          .values({n: bindparam(n, type_=Attempt.__table__.c[n].type) for n in _SCORE_COLUMNS}))


@dataclass
class Scored:
    """What scoring an attempt found: totals and the answers a person marks."""

    points: float = 0.0
    max_points: float = 0.0
    manual: list[tuple[int, int]] = field(default_factory=list)  # (position, version id): essays
    writes: list[Write] = field(default_factory=list)  # the results and the score, to send


# The columns of a scored row; a saved answer keeps its response and saved time on conflict.
_SCORED_COLUMNS = ("attempt_id", "position", "question_version_id", "response", "points",
                   "max_points", "parts", "saved_at")


@functools.cache
def _scored_rows(dialect_name: str) -> Any:
    """Insert an unanswered position's row or score the saved one: one statement for all."""
    stmt = row_source.insert(Response, _SCORED_COLUMNS, dialect_name)
    return stmt.on_conflict_do_update(
        index_elements=["attempt_id", "position"],
        set_={name: stmt.excluded[name] for name in ("points", "max_points", "parts")})


def _answers(connection: Connection, attempt: Attempt,
             ) -> tuple[dict[int, Any], dict[int, Any]]:
    """Version id -> (id, data), and position -> saved answer row."""
    versions: dict[int, Any] = {}
    saved: dict[int, Any] = {}
    for row in connection.execute(_ANSWERS, {"aid": attempt.id, "ids": [
            e["question_version_id"] for e in attempt.layout]}):
        versions[row.id] = row
        if row.position is not None:
            saved[row.position] = row
    return versions, saved


def score_attempt(attempt: Attempt, submitted_at: datetime) -> Scored:
    """Score every position (unanswered ones as empty); the writes of the results and the score.

    The caller has claimed the attempt in this transaction, sends ``writes`` (with its own, on
    course/writes.py) and commits; the object is updated to match without becoming dirty, so no
    ORM flush follows.
    """
    connection, now = db.session.connection(), utcnow()
    versions, saved = _answers(connection, attempt)
    out, rows = Scored(), []
    for entry in attempt.layout:
        position, version = entry["position"], versions.get(entry["question_version_id"])
        if version is None:  # the version was deleted: the position is not scored, as before
            continue
        answer = saved.get(position)
        response = answer.response if answer is not None else None
        kind = REGISTRY[version.data["type"]]
        result = kind.score(version.data, response or {})
        if kind.manual:
            out.manual.append((position, version.id))
        rows.append({"attempt_id": attempt.id, "position": position,
                     "question_version_id": version.id, "response": None,
                     "points": result.points, "max_points": result.max_points,
                     "parts": [{n: getattr(p, n) for n in PART_FIELDS} for p in result.parts],
                     "saved_at": now})
        out.points, out.max_points = out.points + result.points, out.max_points + result.max_points
    if rows:  # one statement: new rows for the unanswered, the score of the saved ones
        dialect = connection.dialect.name
        out.writes.append((_scored_rows(dialect), row_source.rows(Response, dialect, rows)))
    values = {"points": out.points, "max_points": out.max_points,
              "score": grading.fraction(out.points, out.max_points), "submitted_at": submitted_at}
    out.writes.append((_SCORE, {"aid": attempt.id, **values}))
    for name, value in values.items():  # what the row now holds; nothing left to flush
        set_committed_value(attempt, name, value)
    return out
