"""Review service: the due count and weekly summary, building "Review now" sessions, checking answers.

A session has no Attempt, so nothing is ever sent to the LMS gradebook. Each checked answer is
written into the schedule in the same commit as the answer.
"""
from __future__ import annotations

import functools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, case, func, or_, select

from course.db import db, utcnow
from modules.schema import Course
from quizzes.bank_loader import get_bank
from quizzes.models import SHIPPED, Question, QuestionVersion
from quizzes.review import module_items
from quizzes.review.models import ReviewItem, ReviewSession, ReviewSetting
from quizzes.review.module_items import ModuleItem
from quizzes.review.schedule_store import Answered, catch_up, question_key, record
from quizzes.review_schedule import Candidate, Entry, build_session, day_number
from quizzes.sync import latest_version_ids, sync_bank
from quizzes.taking.attempt_layout import prefix
from quizzes.types import REGISTRY

WEEK = 7
RECENT = 5  # sessions listed on the review page


class ReviewError(ValueError):
    """A session that cannot be built; the message is shown to the learner."""


@dataclass(frozen=True)
class Summary:
    """The learner's review figures for the course home and the review page."""

    due: int
    answered_week: int  # items answered in the last 7 days (quizzes, practice, checks, reviews)
    right_week: int
    coming_week: int  # items falling due in the next 7 days
    weekly: bool  # the learner asked for the weekly summary


@functools.cache
def _summary_query() -> Select[Any]:
    """The summary's statement, built once with bound values (the course home runs it each time)."""
    # Building this select() cost more than the database took to answer it (issue 18's profile).
    r = ReviewItem
    today, week_ago, week_on, cid, uid = (bindparam(name, type_=Integer) for name in (
        "today", "week_ago", "week_on", "cid", "uid"))

    def count(condition: Any) -> Any:
        """How many of the learner's rows meet a condition (0 when there are none)."""
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    recent = r.last_day > week_ago
    weekly = (select(ReviewSetting.weekly_summary).where(
        ReviewSetting.context_id == cid, ReviewSetting.user_id == uid).scalar_subquery())
    return select(
        count(r.due_day <= today), count(recent), count(and_(recent, r.last_quality >= 3)),
        count(and_(r.due_day > today, r.due_day <= week_on)), weekly,
    ).where(r.context_id == cid, r.user_id == uid)


def summary_read(context_id: int, user_id: int,
                 now: datetime | None = None) -> tuple[Select[Any], dict[str, Any]]:
    """The read behind summary (the course home gathers it with the other panels')."""
    today = day_number(now or utcnow())
    return _summary_query(), {"cid": context_id, "uid": user_id, "today": today,
                              "week_ago": today - WEEK, "week_on": today + WEEK}


def bring_up_to_date(context_id: int, user_id: int) -> None:
    """Schedule the learner's submitted quiz answers that still wait (the worker's job) now."""
    if catch_up(context_id, user_id):  # a learner who opens Review straight after a quiz
        db.session.commit()


def summary(context_id: int, user_id: int, now: datetime | None = None) -> Summary:
    """One indexed statement: due now, this week's answers, due next week, and the summary switch."""
    query, values = summary_read(context_id, user_id, now)
    return summary_from(db.session.execute(query, values).one())


def summary_from(row: Sequence[Any]) -> Summary:
    """The summary from the one row of summary_read."""
    return Summary(int(row[0]), int(row[1]), int(row[2]), int(row[3]), bool(row[4]))


def set_weekly(context_id: int, user_id: int, on: bool) -> None:
    """Switch the weekly summary on the course home on or off for this learner."""
    found = db.session.scalars(select(ReviewSetting).where(
        ReviewSetting.context_id == context_id, ReviewSetting.user_id == user_id)).first()
    if found is None:
        db.session.add(ReviewSetting(context_id=context_id, user_id=user_id, weekly_summary=on))
    else:
        found.weekly_summary = on
    db.session.commit()


def _entries(context_id: int, user_id: int) -> list[ReviewItem]:
    """Every schedule row of this learner in this course."""
    return list(db.session.scalars(select(ReviewItem).where(
        ReviewItem.context_id == context_id, ReviewItem.user_id == user_id)))


def due_module_items(context_id: int, user_id: int, course: Course, now: datetime | None = None
                     ) -> list[ModuleItem]:
    """Teaching-module items due for review, each with its module and section to link to."""
    today = day_number(now or utcnow())
    found = (module_items.find(course, r.item_key) for r in _entries(context_id, user_id)
             if r.due_day <= today)
    return [f for f in found if f is not None]


def _candidates(context_id: int) -> tuple[list[Candidate], dict[str, dict[str, Any]]]:
    """Every live, automatically scored question this course may review, cases in their order.

    Returns the candidates and, by key, the layout entry (version id, case and stage) to show.
    """
    bank, refs = get_bank(), sync_bank()
    rows = db.session.execute(select(Question.id, Question.source, Question.bank_id).where(
        Question.archived.is_(False), or_(Question.source == SHIPPED, Question.context_id == context_id))).all()
    latest = latest_version_ids([r.id for r in rows])
    data = {v.id: v.data for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(list(latest.values()))))}
    in_case = {i for study in bank.case_studies.values() for i in study.item_ids}
    candidates: list[Candidate] = []
    places: dict[str, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        item = data.get(latest.get(r.id, -1))
        if item is None or REGISTRY[item["type"]].manual:
            continue
        if r.source == SHIPPED and r.bank_id in in_case:
            continue  # case items are added below, in the case's own order
        key = question_key(r.id)
        candidates.append(Candidate(key, item.get("cjmm", ""), item.get("topic", "")))
        places[key] = {"question_version_id": latest[r.id], "case_study_id": None, "stage": None}
    for study in bank.case_studies.values():
        for item in study.items:
            ref = refs.get(item["id"])
            if ref is None:
                continue
            key = question_key(ref.question_id)
            candidates.append(Candidate(key, item.get("cjmm", ""), item.get("topic") or study.topic, study.id))
            places[key] = {"question_version_id": latest.get(ref.question_id, ref.version_id),
                           "case_study_id": study.id, "stage": item.get("stage")}
    return candidates, places


def build(context_id: int, user_id: int, now: datetime | None = None,
          course: Course | None = None) -> ReviewSession:
    """Choose a session (due items, then the weakest steps and topics) and store it.

    Due teaching-module items come back too; ``course`` is the modules' content to find them in.
    """
    now = now or utcnow()
    today = day_number(now)
    catch_up(context_id, user_id)  # committed with the session below
    rows = _entries(context_id, user_id)
    entries = [Entry(r.item_key, r.due_day, r.ease, r.lapses, r.last_score, r.step, r.topic)
               for r in rows]
    candidates, places = _candidates(context_id)
    modular = module_items.candidates(course or module_items.review_course(), [r.item_key for r in rows])
    places.update({c.key: module_items.place(c.key) for c in modular})
    keys = build_session(entries, candidates + modular, today)
    if not keys:
        raise ReviewError("Nothing is due for review yet. Answer some quiz or practice questions "
                          "first, and the ones you find hard will come back here.")
    due_now = sum(1 for e in entries if e.due_day <= today and e.key in keys)
    layout = [{"position": n, "key": key, **places[key]} for n, key in enumerate(keys, 1)]
    session = ReviewSession(context_id=context_id, user_id=user_id, seed=secrets.token_hex(8),
                            layout=layout, answers={}, results={}, due_count=due_now)
    db.session.add(session)
    db.session.commit()
    return session


def own(context_id: int, user_id: int, session_id: int) -> ReviewSession | None:
    """This learner's review session in this course, else None."""
    return db.session.scalars(select(ReviewSession).where(
        ReviewSession.id == session_id, ReviewSession.context_id == context_id,
        ReviewSession.user_id == user_id)).first()


def recent(context_id: int, user_id: int) -> list[ReviewSession]:
    """This learner's newest review sessions in this course."""
    return list(db.session.scalars(select(ReviewSession).where(
        ReviewSession.context_id == context_id, ReviewSession.user_id == user_id)
        .order_by(ReviewSession.id.desc()).limit(RECENT)))


def items(session: ReviewSession) -> dict[int, dict[str, Any]]:
    """Position -> quiz question of a review session (module items are in module_items)."""
    ids = [e["question_version_id"] for e in session.layout if e["question_version_id"]]
    found = {v.id: v.data for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    return {e["position"]: found[e["question_version_id"]] for e in session.layout
            if e["question_version_id"] in found}


def check(session: ReviewSession, item: Mapping[str, Any], position: int,
          form: Mapping[str, Any]) -> list[str]:
    """Score one answer once, reschedule the item in the same commit; returns problems, if any."""
    key = str(position)
    if key in session.results:
        return []
    parsed = REGISTRY[item["type"]].parse(item, form, prefix(position))
    if parsed.problems:
        return list(parsed.problems)
    result = REGISTRY[item["type"]].score(item, parsed.response)
    session.answers = {**session.answers, key: parsed.response}
    session.results = {**session.results, key: {
        "points": result.points, "max_points": result.max_points,
        "parts": [asdict(p) for p in result.parts]}}
    entry = next(e for e in session.layout if e["position"] == position)
    record(session.context_id, session.user_id, [Answered(
        entry["key"], result.points, result.max_points, True, item.get("cjmm", ""),
        item.get("topic", ""), entry.get("case_study_id"))], utcnow())
    db.session.commit()
    return []
