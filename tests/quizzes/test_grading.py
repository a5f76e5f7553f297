"""Table tests of the pure grading rules at their boundaries: one attempt, the deadline, an empty quiz."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from quizzes import grading

NOON = datetime(2026, 3, 2, 12, 0, 0)


@pytest.mark.parametrize(("method", "scores", "expected"), [
    ("highest", [0.2, 0.9, 0.5], 0.9),
    ("average", [0.2, 0.9, 0.4], 0.5),
    ("first", [0.2, 0.9, 0.5], 0.2),
    ("last", [0.2, 0.9, 0.5], 0.5),
    ("highest", [0.7], 0.7),
    ("average", [0.7], 0.7),
    ("first", [], None),
    ("average", [], None),
])
def test_quiz_grade_by_method(method: str, scores: list[float], expected: float | None) -> None:
    got = grading.quiz_grade(method, scores)
    assert got is None if expected is None else got == pytest.approx(expected)


@pytest.mark.parametrize("method", ["best", "", "Highest"])
def test_unknown_grading_method_is_refused(method: str) -> None:
    with pytest.raises(ValueError, match="unknown grading method"):
        grading.quiz_grade(method, [0.5])


@pytest.mark.parametrize(("points", "max_points", "expected"), [
    (3, 4, 0.75),
    (4, 4, 1.0),
    (0, 4, 0.0),
    (5, 4, 1.0),  # clamped above
    (-1, 4, 0.0),  # clamped below
    (0, 0, 0.0),  # an empty quiz: no division by zero
    (2, 0, 0.0),
    (1, -2, 0.0),
    (1, 1, 1.0),  # a one-point quiz
    (0.5, 1, 0.5),
])
def test_fraction_clamps_and_guards_an_empty_quiz(points: float, max_points: float, expected: float) -> None:
    assert grading.fraction(points, max_points) == expected


@pytest.mark.parametrize(("score", "pass_mark", "expected"), [
    (None, 50, None),
    (0.5, 50, True),  # exactly on the mark passes
    (0.7, 70, True),  # 0.7 * 100 is 69.99999999999999 in floats
    (0.4999, 50, False),
    (0.0, 0, True),
    (0.0, 1e-9, True),  # within the float tolerance of the mark counts as on it
    (0.0, 1, False),
    (1.0, 100, True),
])
def test_passed_on_and_around_the_mark(score: float | None, pass_mark: float, expected: bool | None) -> None:
    assert grading.passed(score, pass_mark) is expected


@pytest.mark.parametrize(("allowed", "used", "expected"), [
    (0, 0, None),  # unlimited
    (0, 5, None),
    (-1, 0, None),
    (1, 0, 1),  # a one-attempt quiz is not unlimited
    (1, 1, 0),
    (1, 2, 0),  # never negative
    (3, 1, 2),
    (3, 3, 0),
])
def test_attempts_left(allowed: int, used: int, expected: int | None) -> None:
    assert grading.attempts_left(allowed, used) == expected


@pytest.mark.parametrize(("score", "expected"), [
    (None, "\u2014"),
    (0.0, "0%"),
    (1.0, "100%"),
    (0.5, "50%"),
    (2 / 3, "66.7%"),
    (0.12345, "12.3%"),
    (0.99999, "100%"),
])
def test_percent_for_people(score: float | None, expected: str) -> None:
    assert grading.percent(score) == expected


@pytest.mark.parametrize(("deadline", "now", "expected"), [
    (None, NOON, None),
    (NOON + timedelta(seconds=90), NOON, 90),
    (NOON + timedelta(seconds=1.9), NOON, 1),  # whole seconds, rounded down
    (NOON, NOON, 0),  # exactly at the deadline
    (NOON, NOON + timedelta(seconds=30), 0),  # never negative
])
def test_seconds_left(deadline: datetime | None, now: datetime, expected: int | None) -> None:
    assert grading.seconds_left(deadline, now) == expected


@pytest.mark.parametrize(("deadline", "now", "expected"), [
    (None, NOON, False),
    (NOON, NOON - timedelta(microseconds=1), False),
    (NOON, NOON, True),  # exactly at the deadline is too late
    (NOON, NOON + timedelta(seconds=1), True),
])
def test_overdue_at_the_deadline(deadline: datetime | None, now: datetime, expected: bool) -> None:
    assert grading.overdue(deadline, now) is expected


LAST = "Correct answers and explanations appear after your last allowed attempt."
UNLIMITED = "This quiz shows your score only, because attempts are unlimited."
SCORE_ONLY = "This quiz shows your score only."


# (review, when, used, allowed) -> (score, correctness, rationales, note)
@pytest.mark.parametrize(("review", "when", "used", "allowed", "expected"), [
    ("rationales", "after_each", 1, 3, (True, True, True, "")),
    ("correctness", "after_each", 1, 0, (True, True, False, "")),
    ("score", "after_each", 1, 3, (True, False, False, SCORE_ONLY)),
    ("rationales", "after_last", 1, 3, (True, False, False, LAST)),
    ("rationales", "after_last", 3, 3, (True, True, True, "")),
    ("rationales", "after_last", 4, 3, (True, True, True, "")),
    ("correctness", "after_last", 2, 3, (True, False, False, LAST)),
    ("correctness", "after_last", 3, 3, (True, True, False, "")),
    # A one-attempt quiz reveals its answers after that one attempt.
    ("rationales", "after_last", 1, 1, (True, True, True, "")),
    ("correctness", "after_last", 1, 1, (True, True, False, "")),
    ("rationales", "after_last", 0, 1, (True, False, False, LAST)),
    # Unlimited attempts never reach a last attempt.
    ("rationales", "after_last", 9, 0, (True, False, False, UNLIMITED)),
    ("score", "after_last", 3, 3, (True, False, False, SCORE_ONLY)),
])
def test_review_visibility(review: str, when: str, used: int, allowed: int,
                           expected: tuple[bool, bool, bool, str]) -> None:
    seen = grading.review_visibility(review, when, True, used, allowed)
    assert (seen.score, seen.correctness, seen.rationales, seen.note) == expected


def test_nothing_is_visible_before_submission() -> None:
    seen = grading.review_visibility("rationales", "after_each", False, 3, 3)
    assert (seen.score, seen.correctness, seen.rationales) == (False, False, False)
    assert seen.note == "Submit the attempt to see your results."


@pytest.mark.parametrize(("review", "when"), [("all", "after_each"), ("score", "never"), ("", "")])
def test_unknown_review_settings_are_refused(review: str, when: str) -> None:
    with pytest.raises(ValueError, match="unknown review setting"):
        grading.review_visibility(review, when, True, 1, 1)
