"""Pure grading rules: the quiz grade over attempts, pass/fail, attempts left, review visibility."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

GRADING_METHODS = ("highest", "average", "first", "last")
REVIEW_LEVELS = ("score", "correctness", "rationales")
REVIEW_WHEN = ("after_each", "after_last")
GRADING_LABELS = {
    "highest": "your highest attempt counts",
    "average": "the average of your attempts counts",
    "first": "your first attempt counts",
    "last": "your latest attempt counts",
}
# Float sums such as 0.7 * 100 land a hair below the mark; a learner on the mark passes.
EPSILON = 1e-9


def quiz_grade(method: str, scores: Sequence[float]) -> float | None:
    """The quiz grade (0..1) from submitted attempt scores in attempt order; None if none."""
    if method not in GRADING_METHODS:
        raise ValueError(f"unknown grading method {method!r}")
    if not scores:
        return None
    if method == "highest":
        return max(scores)
    if method == "average":
        return sum(scores) / len(scores)
    return scores[0] if method == "first" else scores[-1]


def fraction(points: float, max_points: float) -> float:
    """Points as a share of the maximum, clamped to 0..1 (0 for an empty quiz)."""
    if max_points <= 0:
        return 0.0
    return min(1.0, max(0.0, points / max_points))


def passed(score: float | None, pass_mark: float) -> bool | None:
    """Whether a 0..1 score reaches a percent pass mark; None when there is no score yet."""
    if score is None:
        return None
    return score * 100 + EPSILON >= pass_mark


def attempts_left(allowed: int, used: int) -> int | None:
    """Attempts still available; None means unlimited (allowed == 0)."""
    if allowed <= 0:
        return None
    return max(0, allowed - used)


def percent(score: float | None) -> str:
    """A 0..1 score as a percent for people, e.g. '66.7%'; an em dash when there is none."""
    if score is None:
        return "\u2014"
    value = round(score * 100, 1)
    return f"{value:g}%"


@dataclass(frozen=True)
class ReviewVisibility:
    """What a learner may see of a submitted attempt."""

    score: bool
    correctness: bool
    rationales: bool
    note: str = ""


def review_visibility(review: str, review_when: str, submitted: bool, attempts_used: int,
                      attempts_allowed: int) -> ReviewVisibility:
    """Apply the quiz's review settings; nothing at all is visible before submission."""
    if not submitted:
        return ReviewVisibility(False, False, False, "Submit the attempt to see your results.")
    if review not in REVIEW_LEVELS or review_when not in REVIEW_WHEN:
        raise ValueError(f"unknown review setting {review!r}/{review_when!r}")
    last_done = attempts_allowed > 0 and attempts_used >= attempts_allowed
    details = review_when == "after_each" or last_done
    correctness = details and review in ("correctness", "rationales")
    rationales = details and review == "rationales"
    note = ""
    if review == "score":
        note = "This quiz shows your score only."
    elif not details:
        note = ("Correct answers and explanations appear after your last allowed attempt."
                if attempts_allowed > 0 else
                "This quiz shows your score only, because attempts are unlimited.")
    return ReviewVisibility(True, correctness, rationales, note)


def seconds_left(deadline: datetime | None, now: datetime) -> int | None:
    """Whole seconds until a deadline (never negative); None when there is no time limit."""
    if deadline is None:
        return None
    return max(0, int((deadline - now).total_seconds()))


def overdue(deadline: datetime | None, now: datetime) -> bool:
    """True once the deadline has passed."""
    return deadline is not None and now >= deadline
