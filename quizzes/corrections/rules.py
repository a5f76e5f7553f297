"""Pure grade-correction rules: totals with a person's scores, input checks, AGS grading progress."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from course.lti.ags import (  # the one list of AGS progress values
    FULLY_GRADED,
    PENDING,
    PENDING_MANUAL,
)
from quizzes import grading

MAX_COMMENT = 2000
WAITING_PART = "pending"  # the part id a manually scored type gives an answer not yet scored


@dataclass(frozen=True)
class Totals:
    """An attempt's points, maximum and score (a fraction 0..1)."""

    points: float
    max_points: float
    score: float


def totals(marks: Iterable[tuple[float, float]], attempt_percent: float | None) -> Totals:
    """Sum (points, maximum) per question; a person's percent for the attempt replaces the score."""
    points = max_points = 0.0
    for got, most in marks:
        points, max_points = points + got, max_points + most
    score = (attempt_percent / 100.0 if attempt_percent is not None
             else grading.fraction(points, max_points))
    return Totals(points, max_points, score)


def points_problem(value: float | None, most: float) -> str | None:
    """Why a question's points cannot be given (None when they can)."""
    if value is None or not math.isfinite(value):
        return "Give the points as a number."
    if value < 0 or value > most:
        return f"Give from 0 to {most:g} points: that is what this question is worth."
    return None


def percent_problem(value: float | None) -> str | None:
    """Why an attempt's percent cannot be given (None when it can)."""
    if value is None or not math.isfinite(value):
        return "Give the score as a number."
    if value < 0 or value > 100:
        return "Give a score from 0 to 100%."
    return None


def clean_comment(text: str | None) -> tuple[str, str | None]:
    """The comment trimmed, and why it cannot be saved: a comment is required, and bounded."""
    comment = (text or "").strip()
    if not comment:
        return "", "Write a comment: the learner reads it in their review."
    if len(comment) > MAX_COMMENT:
        return comment, f"Keep the comment under {MAX_COMMENT} characters."
    return comment, None


def waits_for_person(parts: Iterable[Mapping[str, object]] | None) -> bool:
    """Whether a scored answer still waits for a person (a manually scored question)."""
    return any(isinstance(p, Mapping) and p.get("part_id") == WAITING_PART for p in parts or ())


def grading_progress(manual_waiting: bool, reopened_open: bool) -> str:
    """AGS gradingProgress: PendingManual while a person must score an answer, Pending while a
    reopened attempt waits for the learner, else FullyGraded."""
    if manual_waiting:
        return PENDING_MANUAL
    return PENDING if reopened_open else FULLY_GRADED


def changed(before: float | None, after: float | None) -> bool:
    """Whether a score changed by more than rounding noise."""
    if before is None or after is None:
        return before is not after
    return abs(before - after) > 1e-9
