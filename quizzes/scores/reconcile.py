"""Compare the scores the tool sent with the results the LMS holds (AGS result service)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from course.db import db, utcnow
from course.lti import ags
from course.lti.tokens import SCOPE_RESULT_READONLY
from course.models import Context, User
from quizzes.models import LineItem, Quiz, ScoreOutbox
from quizzes.scores import grade

TOLERANCE = 0.01  # points on the 0-100 scale: rounding in the LMS is not a difference


@dataclass(frozen=True)
class Finding:
    """A score the LMS does not have, or has with another value."""

    quiz_title: str
    learner: str
    ours: float
    theirs: float | None
    status: str

    @property
    def text(self) -> str:
        """One line for the terminal."""
        lms = "missing" if self.theirs is None else f"{self.theirs:.2f}"
        return (f"{self.quiz_title} | {self.learner}: tool {self.ours:.2f}, LMS {lms} "
                f"(outbox: {self.status})")


@dataclass
class Reconciled:
    """The outcome for one course."""

    context: Context
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _percent(given: Any, maximum: Any) -> float | None:
    """A score as points out of 100, or None when it cannot be read."""
    try:
        return float(given) * 100.0 / float(maximum) if float(maximum) else None
    except (TypeError, ValueError):
        return None


def _expected(context_id: int) -> dict[int, list[tuple[ScoreOutbox, str, str]]]:
    """The newest outbox row per (quiz, learner) of a course, grouped by quiz id."""
    newest = (select(func.max(ScoreOutbox.id).label("id"))
              .where(ScoreOutbox.context_id == context_id)
              .group_by(ScoreOutbox.quiz_id, ScoreOutbox.user_id).subquery())
    rows = db.session.execute(
        select(ScoreOutbox, Quiz.title, User.sub).join(newest, newest.c.id == ScoreOutbox.id)
        .join(Quiz, Quiz.id == ScoreOutbox.quiz_id).join(User, User.id == ScoreOutbox.user_id)
        .order_by(Quiz.title, User.sub))
    grouped: dict[int, list[tuple[ScoreOutbox, str, str]]] = {}
    for row, title, sub in rows:
        grouped.setdefault(row.quiz_id, []).append((row, title, sub))
    return grouped


def reconcile(context: Context) -> Reconciled:
    """Every learner's newest score in this course against the LMS's results for its column."""
    report = Reconciled(context)
    if SCOPE_RESULT_READONLY not in (context.ags_scopes or []):
        report.problems.append(
            "Not checked: the LMS did not grant this tool the AGS result.readonly scope "
            f"({SCOPE_RESULT_READONLY}) at the last launch, so the tool cannot read its "
            "gradebook. Enable it (Moodle: grade sync on; Canvas: the developer key's AGS "
            "scopes), then open the tool from the course once and run this again.")
        return report
    columns = dict(db.session.execute(select(LineItem.quiz_id, LineItem.url)
                                      .where(LineItem.context_id == context.id)).all())
    for quiz_id, rows in _expected(context.id).items():
        url = columns.get(quiz_id)
        held: dict[str, float | None] = {}
        if url is not None:
            try:
                results = ags.fetch_results(context, url)
            except ags.AgsError as exc:
                report.problems.append(f"{rows[0][1]}: {exc.message}")
                continue
            held = {str(r.get("userId")): _percent(r.get("resultScore"), r.get("resultMaximum"))
                    for r in results}
        for row, title, sub in rows:
            sent = grade.current_score(row, utcnow()) or {}
            ours = _percent(sent.get("scoreGiven"), sent.get("scoreMaximum")) or 0.0
            theirs = held.get(sub)
            report.checked += 1
            if theirs is None or abs(theirs - ours) > TOLERANCE:
                report.findings.append(Finding(title, sub, ours, theirs, row.status))
    return report
