"""Item analysis service: pick a quiz's attempts, build the mark matrix per question version,
run ``quizzes.statistics`` on it, and add response frequencies and the SVG charts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from course.db import db
from quizzes.models import SHIPPED, SUBMITTED, Attempt, Question, QuestionVersion, Quiz, Response
from quizzes.reports.charts import histogram_svg, scatter_svg
from quizzes.reports.statistics import (
    NO_RESPONSE,
    Analysis,
    ItemStats,
    item_analysis,
    response_frequencies,
)
from quizzes.reports.statistics_responses import WHICH_ATTEMPTS, select_attempts
from quizzes.taking.pages import display
from quizzes.types import REGISTRY

WHICH_LABELS = {"first": "First attempt of each learner", "highest": "Highest-scoring attempt of each learner",
                "last": "Last attempt of each learner", "all": "Every attempt"}
_PART_LISTS = ("prompts", "rows", "blanks", "targets", "columns", "options")


@dataclass(frozen=True)
class OptionCount:
    """How many selected attempts chose one value for one part."""

    label: str
    count: int
    share: float


@dataclass(frozen=True)
class PartFrequency:
    """Response frequencies of one part of an item (a blank, a row, a zone, or the options)."""

    label: str
    options: tuple[OptionCount, ...]


@dataclass(frozen=True)
class ItemReport:
    """One column of the analysis: a question version with its statistics and frequencies."""

    number: int
    version_id: int
    question_id: int
    version_number: int
    title: str
    type_label: str
    shipped: bool
    max_points: float
    stats: ItemStats
    frequencies: tuple[PartFrequency, ...] = ()

    @property
    def label(self) -> str:
        """Short name used on the chart and in the table (Q1, Q2...)."""
        return f"Q{self.number}"


@dataclass(frozen=True)
class QuizAnalysis:
    """The whole report for a quiz and a choice of attempts."""

    quiz: Quiz
    which: str
    attempts: int
    analysis: Analysis | None
    items: tuple[ItemReport, ...]
    scores: tuple[float, ...]
    histogram: str
    scatter: str
    notes: list[str] = field(default_factory=list)


def random_guess(item: Mapping[str, Any]) -> float | None:
    """Expected fraction a blind guesser earns, where it is simple (Moodle reports it for these)."""
    return REGISTRY[item["type"]].stats.guess(item)


def chosen_attempts(quiz: Quiz, which: str) -> list[Attempt]:
    """Submitted attempts of this quiz (this course only) chosen like Moodle's setting."""
    if which not in WHICH_ATTEMPTS:
        raise ValueError(which)
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in db.session.scalars(select(Attempt).where(
            Attempt.context_id == quiz.context_id, Attempt.quiz_id == quiz.id, Attempt.state == SUBMITTED)
            .order_by(Attempt.user_id, Attempt.number)):
        by_user[attempt.user_id].append(attempt)
    return select_attempts(by_user, which, score_of=lambda a: a.score)


def build_matrix(attempts: Sequence[Attempt], responses: Mapping[int, Sequence[Response]]
                 ) -> tuple[list[int], list[list[float | None]]]:
    """Columns are question versions in order of first appearance; None where not shown."""
    columns: list[int] = []
    for attempt in attempts:
        for row in sorted(responses.get(attempt.id, []), key=lambda r: r.position):
            if row.question_version_id not in columns:
                columns.append(row.question_version_id)
    index = {vid: j for j, vid in enumerate(columns)}
    matrix = []
    for attempt in attempts:
        marks: list[float | None] = [None] * len(columns)
        for row in responses.get(attempt.id, []):
            marks[index[row.question_version_id]] = float(row.points or 0.0)
        matrix.append(marks)
    return columns, matrix


def _part_label(item: Mapping[str, Any], key: str) -> str:
    """Words for a response key: the type's own name for it, else a prompt, row or blank; the options."""
    own = REGISTRY[item["type"]].stats.part_label(item, key)
    if own is not None:
        return own
    if key in ("selected", "value"):
        return "Answer" if key == "value" else "Options chosen"
    for list_key in _PART_LISTS:
        for entry in item.get(list_key) or []:
            if isinstance(entry, Mapping) and entry.get("id") == key:
                text = entry.get("text") or f"{list_key[:-1].capitalize()} {key}"
                return " ".join(str(text).split())
    return key


def frequencies(item: Mapping[str, Any], stored: Sequence[Any]) -> tuple[PartFrequency, ...]:
    """Per-part, per-option counts over the chosen attempts' responses to one version."""
    counted = REGISTRY[item["type"]].stats.counted  # the parts as the type scores them
    counts = response_frequencies([counted(item, r if isinstance(r, Mapping) else {}) for r in stored])
    total = len(stored) or 1
    parts = []
    for key, bucket in counts.items():
        options = tuple(OptionCount(_value_label(item, key, value), n, n / total)
                        for value, n in sorted(bucket.items(), key=lambda kv: -kv[1]))
        parts.append(PartFrequency(_part_label(item, key), options))
    return tuple(parts)


def _value_label(item: Mapping[str, Any], key: str, value: Hashable) -> str:
    """Words for one counted value."""
    if value == NO_RESPONSE:
        return "No response"
    return display(item, key.split(".")[-1], value)


def analyse_quiz(quiz: Quiz, which: str = "highest") -> QuizAnalysis:
    """The item analysis of a quiz for the chosen attempts."""
    attempts = chosen_attempts(quiz, which)
    ids = [a.id for a in attempts]
    responses: dict[int, list[Response]] = defaultdict(list)
    if ids:
        for row in db.session.scalars(select(Response).where(Response.attempt_id.in_(ids))):
            responses[row.attempt_id].append(row)
    columns, matrix = build_matrix(attempts, responses)
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.id.in_(columns)))} if columns else {}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_({v.question_id for v in versions.values()})))} if versions else {}
    items_data = [versions[vid].data for vid in columns]
    max_points = [REGISTRY[d["type"]].max_points(d) for d in items_data]
    analysis = item_analysis(matrix, max_points, [random_guess(d) for d in items_data]) if attempts else None
    by_version: dict[int, list[Any]] = defaultdict(list)
    for rows in responses.values():
        for row in rows:
            by_version[row.question_version_id].append(row.response)
    reports = []
    for j, vid in enumerate(columns):
        v, data = versions[vid], items_data[j]
        q = questions.get(v.question_id)
        reports.append(ItemReport(
            j + 1, vid, v.question_id, v.number, data.get("title") or " ".join(str(data["stem"]).split())[:90],
            REGISTRY[data["type"]].label, bool(q and q.source == SHIPPED), max_points[j],
            analysis.items[j] if analysis else None, frequencies(data, by_version[vid])))  # type: ignore[arg-type]
    scores = tuple(100.0 * (a.score or 0.0) for a in attempts)
    return QuizAnalysis(quiz, which, len(attempts), analysis, tuple(reports), scores, histogram_svg(scores),
                        scatter_svg([(r.stats.facility, r.stats.discrimination_index, r.label) for r in reports]),
                        _notes(which, attempts, reports))


def _notes(which: str, attempts: Sequence[Attempt], reports: Sequence[ItemReport]) -> list[str]:
    """Caveats an instructor should read before trusting the numbers."""
    notes = []
    if which == "all":
        notes.append("Every attempt is counted as if it were a different learner, which breaks the "
                     "assumptions behind item analysis; prefer first or highest attempts.")
    if 0 < len(attempts) < 10:
        notes.append(f"Only {len(attempts)} attempt(s) are analysed: treat the figures as rough.")
    if len({r.question_id for r in reports}) < len(reports):
        notes.append("Some questions were edited after learners answered them: each version is "
                     "analysed separately.")
    return notes
