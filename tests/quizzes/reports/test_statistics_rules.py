"""Item-analysis rules at their edges: flags, attempt choice, frequencies, test shape."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from quizzes.reports.statistics import (
    NO_RESPONSE,
    item_analysis,
    response_frequencies,
    select_attempts,
)
from quizzes.reports.statistics_flags import ItemFlag, flag_item

NEGATIVE = ("Discrimination index is -5.0%: students who scored well on the rest of the quiz did worse on "
            "this item. Check the answer key and the wording.")
EASY = ("Facility index is 96.0% (above 95%): nearly everyone got it right, so it tells you little about "
        "who understands the topic.")
HARD = ("Facility index is 19.9% (below 20%): check that the key is right and that the topic was taught "
        "before the quiz.")
UNKNOWN = ("Discrimination index could not be calculated: too few attempts, or every attempt scored the "
           "same on this item or on the rest of the quiz.")


def low(value: str) -> str:
    """The low-discrimination reason for a shown value."""
    return f"Discrimination index is {value}% (below 20%): the item barely separates stronger from weaker students."


# (facility %, discrimination %) -> the flags, in order
@pytest.mark.parametrize(("facility", "discrimination", "expected"), [
    (50.0, 30.0, []),
    (95.0, 20.0, []),  # both exactly on a threshold: not flagged
    (20.0, 20.0, []),
    (96.04, 30.0, [("too_easy", EASY)]),
    (19.94, 30.0, [("too_hard", HARD)]),
    (50.0, 19.96, [("low_discrimination", low("20.0"))]),
    (50.0, 0.0, [("low_discrimination", low("0.0"))]),  # zero is low, not negative
    (50.0, -5.0, [("negative_discrimination", NEGATIVE), ("low_discrimination", low("-5.0"))]),
    (50.0, None, [("low_discrimination", UNKNOWN)]),
    (None, 30.0, []),
    (None, None, [("low_discrimination", UNKNOWN)]),
    (100.0, -5.0, [("negative_discrimination", NEGATIVE), ("too_easy", EASY.replace("96.0", "100.0")),
                   ("low_discrimination", low("-5.0"))]),
])
def test_flag_item_thresholds(facility: float | None, discrimination: float | None,
                              expected: list[tuple[str, str]]) -> None:
    assert flag_item(facility, discrimination) == tuple(ItemFlag(code, reason) for code, reason in expected)


def attempt(ident: int, score: float | None) -> SimpleNamespace:
    """An attempt record with a score attribute."""
    return SimpleNamespace(id=ident, score=score)


@pytest.mark.parametrize(("which", "expected"), [
    ("first", [1, 4]),
    ("last", [3, 6]),
    ("all", [1, 2, 3, 4, 5, 6]),
    ("highest", [2, 5]),  # a tie keeps the earlier attempt; unscored attempts are skipped
])
def test_select_attempts_per_learner(which: str, expected: list[int]) -> None:
    by_user = {
        "ana": [attempt(1, 0.2), attempt(2, 0.9), attempt(3, 0.9)],
        "cat": [],  # a learner without attempts is skipped, and the next one still counted
        "ben": [attempt(4, None), attempt(5, 0.1), attempt(6, None)],
    }
    assert [a.id for a in select_attempts(by_user, which)] == expected


def test_highest_skips_a_learner_without_any_score() -> None:
    by_user = {"ana": [attempt(1, None)], "ben": [attempt(2, 0.0), attempt(3, 0.0)]}
    assert [a.id for a in select_attempts(by_user, "highest")] == [2]


def test_select_attempts_reads_mapping_scores_and_refuses_records_without_one() -> None:
    by_user: dict[str, list[Any]] = {"ana": [{"score": 0.3}, {"score": 0.6}]}
    assert select_attempts(by_user, "highest") == [{"score": 0.6}]
    with pytest.raises(TypeError) as no_score:
        select_attempts({"ana": [{"points": 1}]}, "highest")
    assert str(no_score.value) == "attempt has no 'score'; pass score_of= to select_attempts"
    with pytest.raises(ValueError) as caught:
        select_attempts(by_user, "best")
    assert str(caught.value) == "which must be one of first, highest, last, all, not 'best'"


def test_response_frequencies_counts_blanks_and_members() -> None:
    responses = [
        {"selected": ["a", "b"], "value": None, "pairs": {"p1": "t1", "p2": ""}},
        {"selected": [], "value": True, "pairs": {"p1": "t1", "p2": "t2"}},
        {"selected": ("a", None, ""), "value": "", "pairs": {"p1": None}},
        {"selected": {"c"}, "value": {"nested": ["x"]}},
    ]
    assert response_frequencies(responses) == {
        "selected": {"a": 2, "b": 1, NO_RESPONSE: 1, "c": 1},
        "value": {NO_RESPONSE: 2, True: 1},
        "pairs.p1": {"t1": 2, NO_RESPONSE: 1},
        "pairs.p2": {NO_RESPONSE: 1, "t2": 1},
        "value.nested": {"x": 1},
    }
    assert response_frequencies([{"x": [{"a": 1}]}]) == {"x": {"{'a': 1}": 1}}  # unhashable: its repr
    assert response_frequencies([]) == {}


def fisher_pearson(totals: list[float]) -> tuple[float, float | None]:
    """Sample skewness G1 and excess kurtosis G2 by the textbook adjusted Fisher-Pearson formulas
    (as spreadsheets' SKEW and KURT give them), written independently of quizzes.statistics."""
    n = len(totals)
    mean = sum(totals) / n
    m2 = sum((t - mean) ** 2 for t in totals) / n
    m3 = sum((t - mean) ** 3 for t in totals) / n
    m4 = sum((t - mean) ** 4 for t in totals) / n
    g1, g2 = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3
    skew = math.sqrt(n * (n - 1)) / (n - 2) * g1
    kurt = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6) if n > 3 else None
    return skew, kurt


@pytest.mark.parametrize("matrix", [
    [[1, 1, 1], [1, 0, 0], [0, 0, 0]],  # three attempts: skewness but no kurtosis
    [[1, 1, 1], [1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]],
    [[1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 1], [1, 0, 0]],
])
def test_skewness_and_kurtosis_of_a_lopsided_test(matrix: list[list[int]]) -> None:
    test = item_analysis(matrix, [1, 1, 1]).test
    skew, kurt = fisher_pearson([float(sum(row)) for row in matrix])
    assert test.skewness == pytest.approx(skew) and abs(skew) > 0.1
    assert test.kurtosis == (None if kurt is None else pytest.approx(kurt))
    totals = sorted(sum(row) for row in matrix)
    middle = len(totals) // 2
    assert test.median == (totals[middle] if len(totals) % 2 else (totals[middle - 1] + totals[middle]) / 2)


def test_identical_totals_leave_shape_and_reliability_blank() -> None:
    test = item_analysis([[1, 0], [0, 1], [1, 0]], [1, 1]).test
    assert test.sd == 0.0
    assert (test.skewness, test.kurtosis, test.cic, test.error_ratio, test.standard_error) == (None,) * 5


@pytest.mark.parametrize(("max_total", "points", "expected"), [(4.0, 1.0, 25.0), (0.0, 1.0, None), (4.0, None, None)])
def test_percent_of_the_maximum(max_total: float, points: float | None, expected: float | None) -> None:
    test = item_analysis([], [max_total] if max_total else []).test
    assert test.percent(points) == expected
