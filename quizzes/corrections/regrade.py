"""Regrade after a key fix: rescore answers given to older versions of a question with the newest.

The preview (plan_regrade) only reads; apply_regrade recomputes the same plan, moves the answers
to the new version, stores the new scores, audits every changed attempt, queues each changed
quiz grade once per learner and corrects the learners' spaced-review schedules, in one transaction.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from course.audit import record
from course.db import db, utcnow
from course.models import User
from quizzes.authoring.questions import current_version
from quizzes.corrections import rules
from quizzes.corrections.models import WHOLE_ATTEMPT, GradeOverride
from quizzes.corrections.service import CorrectionError, describe, grade_state, queue_grade
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, Question, Quiz, Response, aware
from quizzes.review import schedule_store as review
from quizzes.taking.pages import answered
from quizzes.types import REGISTRY


@dataclass(frozen=True)
class RegradeRow:
    """One submitted attempt the regrade touches: its score before and after."""

    attempt_id: int
    user_id: int
    learner: str
    quiz_title: str
    number: int
    old_score: float | None
    new_score: float
    old_versions: tuple[int, ...]
    new_points: float = 0.0
    new_max_points: float = 0.0
    kept: str = ""  # why part of the old score stands: a person's override

    @property
    def changed(self) -> bool:
        """Whether the attempt's score changes."""
        return rules.changed(self.old_score, self.new_score)


@dataclass
class RegradePlan:
    """What a regrade would do: the new version, the submitted attempts and the open ones."""

    question_id: int
    version_id: int
    version_number: int
    rows: list[RegradeRow] = field(default_factory=list)
    open_attempts: list[int] = field(default_factory=list)
    # attempt id -> position -> (points, max points, parts) under the new version
    marks: dict[int, dict[int, tuple[float, float, list[dict[str, Any]]]]] = field(
        default_factory=dict)

    @property
    def changed(self) -> list[RegradeRow]:
        """The attempts whose score changes."""
        return [r for r in self.rows if r.changed]

    @property
    def empty(self) -> bool:
        """Nothing answered an older version."""
        return not self.rows and not self.open_attempts


def _old_answers(context_id: int, old_ids: list[int]) -> dict[int, list[Response]]:
    """Answers given to the older versions in submitted attempts of this course, by attempt."""
    found: dict[int, list[Response]] = defaultdict(list)
    for row in db.session.scalars(
            select(Response).join(Attempt, Attempt.id == Response.attempt_id)
            .where(Response.question_version_id.in_(old_ids), Attempt.context_id == context_id,
                   Attempt.state == SUBMITTED).order_by(Response.attempt_id, Response.position)):
        found[row.attempt_id].append(row)
    return found


def _open_attempts(context_id: int, old_ids: set[int]) -> list[Attempt]:
    """Attempts in progress whose layout holds an older version (scored on submission)."""
    return [a for a in db.session.scalars(select(Attempt).where(
        Attempt.context_id == context_id, Attempt.state == IN_PROGRESS).order_by(Attempt.id))
        if any(e.get("question_version_id") in old_ids for e in a.layout or [])]


def plan_regrade(context_id: int, question: Question) -> RegradePlan:
    """Rescore every answer to an older version with the newest one, without writing anything."""
    version = current_version(question)
    plan = RegradePlan(question.id, version.id, version.number)
    old_ids = [v.id for v in question.versions if v.id != version.id]
    if not old_ids:
        return plan
    answers = _old_answers(context_id, old_ids)
    plan.open_attempts = [a.id for a in _open_attempts(context_id, set(old_ids))]
    if not answers:
        return plan
    ids = list(answers)
    attempts = {a.id: a for a in db.session.scalars(select(Attempt).where(Attempt.id.in_(ids)))}
    every: dict[int, list[Response]] = defaultdict(list)
    for row in db.session.scalars(select(Response).where(Response.attempt_id.in_(ids))):
        every[row.attempt_id].append(row)
    kept = {(o.attempt_id, o.position): o for o in db.session.scalars(
        select(GradeOverride).where(GradeOverride.attempt_id.in_(ids)))}
    names = {u.id: u.name or u.sub for u in db.session.scalars(select(User).where(
        User.id.in_({a.user_id for a in attempts.values()})))}
    titles = {quiz_id: title for quiz_id, title in db.session.execute(select(Quiz.id, Quiz.title)
              .where(Quiz.id.in_({a.quiz_id for a in attempts.values()})))}
    scorer = REGISTRY[version.data["type"]]
    for attempt_id, rows in answers.items():
        attempt = attempts[attempt_id]
        new: dict[int, tuple[float, float, list[dict[str, Any]]]] = {}
        why = []
        for row in rows:
            result = scorer.score(version.data, row.response or {})
            person = kept.get((attempt_id, row.position))
            points = min(person.given, result.max_points) if person else result.points
            if person:
                why.append(f"question {row.position} keeps the score you gave")
            new[row.position] = (points, result.max_points, [asdict(p) for p in result.parts])
        marks = [new[r.position][:2] if r.position in new else (r.points or 0.0, r.max_points or 0.0)
                 for r in every[attempt_id]]
        whole = kept.get((attempt_id, WHOLE_ATTEMPT))
        if whole:
            why.append("the attempt keeps the score you gave")
        total = rules.totals(marks, whole.given if whole else None)
        plan.marks[attempt_id] = new
        plan.rows.append(RegradeRow(
            attempt_id, attempt.user_id, names.get(attempt.user_id, str(attempt.user_id)),
            titles.get(attempt.quiz_id, ""), attempt.number, attempt.score, total.score,
            tuple(sorted({r.question_version_id for r in rows})), total.points, total.max_points,
            "; ".join(why)))
    plan.rows.sort(key=lambda r: (r.learner.lower(), r.quiz_title, r.number))
    return plan


def _move_layout(attempt: Attempt, old_ids: set[int], version_id: int) -> None:
    """Point the attempt's layout at the new version (a new list, so the JSON change is saved)."""
    attempt.layout = [{**e, "question_version_id": version_id}
                      if e.get("question_version_id") in old_ids else dict(e)
                      for e in attempt.layout or []]


def apply_regrade(context_id: int, question: Question, version_id: int, actor_id: int | None,
                  now: datetime | None = None) -> RegradePlan:
    """Regrade for real: the plan shown must still be the one for the newest version."""
    now = now or utcnow()
    plan = plan_regrade(context_id, question)
    if plan.version_id != version_id:
        raise CorrectionError("The question has changed since this preview: check the new "
                              "before/after table and confirm again.", 409)
    # Answers submitted before and not yet scheduled go in first, as they were scored, so that
    # correct() below moves the schedule from the old score to the new one.
    for user_id in sorted({r.user_id for r in plan.rows}):
        review.catch_up(context_id, user_id)
    old_ids = {v.id for v in question.versions if v.id != version_id}
    by_attempt = {r.attempt_id: r for r in plan.rows}
    touched: dict[tuple[int, int], Attempt] = {}
    fixes: list[review.Regraded] = []
    scheduled = not REGISTRY[question.type].manual  # essays are never in the spaced review
    for attempt in db.session.scalars(select(Attempt).where(Attempt.id.in_(
            [r.attempt_id for r in plan.rows] + plan.open_attempts))):
        _move_layout(attempt, old_ids, version_id)
        for row in db.session.scalars(select(Response).where(
                Response.attempt_id == attempt.id, Response.question_version_id.in_(old_ids))):
            row.question_version_id = version_id
            if attempt.id in plan.marks and row.position in plan.marks[attempt.id]:
                old = (row.points or 0.0, row.max_points or 0.0)
                row.points, row.max_points, row.parts = plan.marks[attempt.id][row.position]
                if scheduled and attempt.submitted_at is not None:
                    fixes.append(review.Regraded(
                        attempt.user_id, review.question_key(question.id),
                        aware(attempt.submitted_at) or attempt.submitted_at, old,
                        (row.points, row.max_points), answered(row.response)))
        if attempt.id in by_attempt:
            _rescore(attempt, by_attempt[attempt.id], plan.version_number, actor_id, now, touched)
    for attempt in touched.values():  # one queued grade per learner and quiz
        queue_grade(attempt, now)
    review.correct(context_id, fixes)  # the schedule follows the corrected scores
    record(context_id, actor_id, "grade.regrade", f"question {question.id}: regrade with "
                 f"version {plan.version_number}", {"versions": sorted(old_ids)},
                 {"version": version_id, "attempts": len(plan.rows), "changed": len(plan.changed),
                  "open_attempts": len(plan.open_attempts)}, now)
    db.session.commit()
    return plan


def _rescore(attempt: Attempt, row: RegradeRow, version: int, actor_id: int | None,
             now: datetime, touched: dict[tuple[int, int], Attempt]) -> None:
    """Store a submitted attempt's new totals; audit and remember it when its score changed."""
    old = {**grade_state(attempt), "version_ids": list(row.old_versions)}
    attempt.points, attempt.max_points, attempt.score = (row.new_points, row.new_max_points,
                                                         row.new_score)
    if row.changed:
        record(attempt.context_id, actor_id, "grade.regrade.attempt", describe(attempt),
                     old, {**grade_state(attempt), "version": version}, now)
        touched[(attempt.quiz_id, attempt.user_id)] = attempt
