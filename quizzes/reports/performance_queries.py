"""Performance reads: a course's scored answers per learner and item version, and one learner's attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, cast, column, func, literal, select, union_all, values

from course.audit import AuditEvent
from course.db import db
from course.models import Membership, User
from course.roles import LEARNER
from quizzes.models import SUBMITTED, Attempt, QuestionVersion, Quiz, Response, aware
from quizzes.reports.performance import DIMENSIONS, Answer, Meta, meta_of

# A version's content never changes, so what it is about can be kept for the process's life.
_META: dict[int, Meta] = {}
_META_LIMIT = 20_000
_BLANK: dict[str, str | None] = {"step": None, "topic": None, "item_type": None}


@dataclass(frozen=True)
class AttemptInfo:
    """A submitted attempt as the trend shows it."""

    id: int
    quiz_title: str
    number: int
    submitted_at: datetime | None


def _learner_ids(context_id: int) -> Select[Any]:
    """Current learners of the course (instructors trying a quiz are not the cohort)."""
    return select(Membership.user_id).where(
        Membership.context_id == context_id, Membership.role == LEARNER,
        Membership.removed_at.is_(None))


def learner_names(context_id: int) -> dict[int, str]:
    """Current learners of the course by user id, with the name to show."""
    rows = db.session.execute(select(User.id, User.name, User.sub).where(
        User.id.in_(_learner_ids(context_id))))
    return {uid: name or sub for uid, name, sub in rows}


def version_meta(ids: set[int]) -> dict[int, Meta]:
    """Step, topic and type of these question versions: one query for the ones not seen yet."""
    missing = sorted(ids - _META.keys())
    if missing:
        if len(_META) + len(missing) > _META_LIMIT:
            _META.clear()
        rows = db.session.execute(select(QuestionVersion.id, QuestionVersion.data)
                                  .where(QuestionVersion.id.in_(missing)))
        _META.update({vid: meta_of(data or {}) for vid, data in rows})
    return {vid: _META.get(vid, Meta(None, None, None)) for vid in ids}


def _scored(context_id: int) -> list[Any]:
    """The conditions of a course's scored answers in learners' submitted attempts."""
    return [Attempt.context_id == context_id, Attempt.state == SUBMITTED,
            Attempt.user_id.in_(_learner_ids(context_id)),
            Response.points.is_not(None), Response.max_points > 0]


def cohort_marker(context_id: int) -> tuple[Any, ...]:
    """What changes when the cohort's figures may: submissions and their points, the learner
    roster, and the course's audit trail (every regrade, override, reopening and essay mark is
    recorded there, course/audit.py).

    One statement of scalar subqueries over the course's own rows (each indexed by context).
    """
    done = (Attempt.context_id == context_id, Attempt.state == SUBMITTED)
    members = (Membership.context_id == context_id,)
    row = db.session.execute(select(
        select(func.count()).select_from(Attempt).where(*done).scalar_subquery(),
        select(func.max(Attempt.submitted_at)).where(*done).scalar_subquery(),
        select(func.sum(Attempt.points)).where(*done).scalar_subquery(),
        select(func.count()).select_from(Membership).where(
            *members, Membership.role == LEARNER, Membership.removed_at.is_(None)).scalar_subquery(),
        select(func.max(Membership.id)).where(*members).scalar_subquery(),
        select(func.max(AuditEvent.created_at)).where(
            AuditEvent.context_id == context_id).scalar_subquery())).one()
    return tuple(row)


def cohort_answers(context_id: int) -> dict[str, list[Answer]]:
    """Every current learner's points per step, per topic and per item type, summed in SQL.

    The versions answered are read first (their meta is cached). Then one statement joins the
    scored answers to a VALUES list mapping each version to the numbers of its keys (a hash
    join; a CASE over 100 versions is a linear search per answer) and groups them per learner
    and key, once per dimension: the database returns learners x keys rows (9,600 for 300
    learners x 100 items), not one per answer. Fetching the 30,000 answers and summing them in
    Python was slower on both databases: more row objects, and the garbage collector runs
    more often (docs/performance.md, "The performance pages").
    """
    vids = set(db.session.scalars(select(Response.question_version_id).distinct()
                                  .join(Attempt, Attempt.id == Response.attempt_id)
                                  .where(*_scored(context_id))))
    out: dict[str, list[Answer]] = {d: [] for d in DIMENSIONS}
    if not vids:
        return out
    metas = version_meta(vids)
    names = {d: sorted({getattr(m, d) for m in metas.values()} - {None}) for d in DIMENSIONS}
    number = {d: {k: i for i, k in enumerate(names[d])} for d in DIMENSIONS}
    keys = values(column("vid", Integer), *(column(d, Integer) for d in DIMENSIONS),
                  name="version_keys").data(
        [(vid, *(number[d].get(getattr(m, d)) for d in DIMENSIONS)) for vid, m in metas.items()]
    ).cte("version_keys")
    # Cast: PostgreSQL types a VALUES column that holds only NULLs as text, and the UNION below
    # then cannot match it with the integer codes of the other dimensions.
    scored = (select(Attempt.user_id.label("uid"),
                     *(cast(keys.c[d], Integer).label(d) for d in DIMENSIONS),
                     Response.points.label("earned"), Response.max_points.label("possible"))
              .join(Attempt, Attempt.id == Response.attempt_id)
              .join(keys, keys.c.vid == Response.question_version_id)
              .where(*_scored(context_id)).cte("scored"))
    rows = db.session.connection().execute(union_all(*(
        select(literal(i), scored.c.uid, scored.c[d], func.sum(scored.c.earned),
               func.sum(scored.c.possible), func.count())
        .where(scored.c[d].is_not(None)).group_by(scored.c.uid, scored.c[d])
        for i, d in enumerate(DIMENSIONS))))
    shared = {d: [Meta(**{**_BLANK, d: k}) for k in names[d]] for d in DIMENSIONS}
    for i, uid, code, earned, possible, n in rows:
        d = DIMENSIONS[i]
        out[d].append(Answer(uid, float(earned or 0.0), float(possible or 0.0), shared[d][code],
                             count=int(n)))
    return out


def own_answers(context_id: int, user_id: int) -> tuple[list[AttemptInfo], list[Answer]]:
    """One user's submitted attempts in time order and their scored answers, in one query."""
    rows = db.session.execute(
        select(Attempt.id, Quiz.title, Attempt.number, Attempt.submitted_at,
               Response.question_version_id, Response.points, Response.max_points)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(Response, Response.attempt_id == Attempt.id)
        .where(Attempt.context_id == context_id, Attempt.user_id == user_id,
               Attempt.state == SUBMITTED, Response.points.is_not(None), Response.max_points > 0)
        .order_by(Attempt.submitted_at, Attempt.id)).all()
    metas = version_meta({row[4] for row in rows})
    attempts: dict[int, AttemptInfo] = {}
    answers = []
    for aid, title, number, submitted, vid, points, possible in rows:
        attempts.setdefault(aid, AttemptInfo(aid, title, number, aware(submitted)))
        answers.append(Answer(user_id, float(points or 0.0), float(possible or 0.0), metas[vid], aid))
    return list(attempts.values()), answers
