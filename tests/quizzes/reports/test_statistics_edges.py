"""Item analysis on the edges: constant items, two attempts, one item, missing cells, alpha at 100%.

Expected values come from Python's own `statistics` module (sample variance and covariance,
divided by n - 1 as Moodle does), not from quizzes.statistics.
"""

from __future__ import annotations

import math
import statistics as st

import pytest

from quizzes.reports.statistics import item_analysis


def test_a_constant_item_has_no_discrimination_and_zero_weight() -> None:
    # Item 0 is right for everyone: no variance, so no correlation, and nothing to correlate
    # item 1 with either (the rest of the test is constant for it).
    a = item_analysis([[1, 1], [1, 0], [1, 1], [1, 0]], [1, 1])
    first, second = a.items
    assert (first.discrimination_index, first.discriminative_efficiency) == (None, None)
    assert second.discrimination_index is None
    assert (first.effective_weight, second.effective_weight) == (0.0, 100.0)
    assert [i.index for i in a.items] == [0, 1]


def test_all_constant_items_have_no_weights() -> None:
    items = item_analysis([[1, 0], [1, 0], [1, 0]], [1, 1]).items
    assert [i.effective_weight for i in items] == [None, None]


def test_two_attempts_give_spread_but_no_shape() -> None:
    a = item_analysis([[1, 0], [0, 0]], [1, 1])
    assert a.test.sd == pytest.approx(st.stdev([1, 0]))
    assert (a.test.skewness, a.test.kurtosis, a.test.cic) == (None, None, None)
    assert a.items[0].sd == pytest.approx(100 * st.stdev([1, 0]))
    assert a.items[0].attempts == 2


def test_items_shown_to_nobody_or_once() -> None:
    a = item_analysis([[1, None, None], [0, None, 1], [1, None, None]], [1, 1, 1])
    unseen, once = a.items[1], a.items[2]
    assert (unseen.attempts, unseen.facility, unseen.sd) == (0, None, None)
    assert (once.attempts, once.facility, once.sd, once.discrimination_index) == (1, 100.0, None, None)


def test_effective_weights_with_missing_cells() -> None:
    matrix = [[1, 1, 0], [0, None, 0], [1, 0, 1], [0, 1, None], [1, 1, 1], [0, 0, 0]]
    totals = [sum(v for v in row if v is not None) for row in matrix]
    covs = []
    for j in range(3):
        held = [(row[j], t) for row, t in zip(matrix, totals) if row[j] is not None]
        covs.append(st.covariance([x for x, _ in held], [t for _, t in held]))
    roots = [math.sqrt(c) if c >= 0 else None for c in covs]
    total = sum(r for r in roots if r is not None)
    expected = [None if r is None else 100 * r / total for r in roots]
    got = [i.effective_weight for i in item_analysis(matrix, [1, 1, 1]).items]
    assert got == pytest.approx(expected)
    assert all(w and w > 20 for w in got)  # every item counts, so a wrong divisor would show


@pytest.mark.parametrize("matrix", [
    [[1, 0], [1, 1], [0, 0], [0, 1], [1, 1]],
    [[2, 1, 0], [1, 1, 1], [0, 0, 1], [2, 1, 1]],
])
def test_cronbach_alpha_and_its_error(matrix: list[list[int]]) -> None:
    p = len(matrix[0])
    item_var = sum(st.variance([row[j] for row in matrix]) for j in range(p))
    total_var = st.variance([sum(row) for row in matrix])
    alpha = 100 * p / (p - 1) * (1 - item_var / total_var)
    t = item_analysis(matrix, [2] * p).test
    assert t.cic == pytest.approx(alpha)
    assert t.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha / 100))
    assert t.standard_error == pytest.approx(t.error_ratio * st.stdev([sum(row) for row in matrix]) / 100)


def test_one_item_has_no_alpha() -> None:
    t = item_analysis([[1], [0], [1], [1]], [1]).test
    assert (t.cic, t.error_ratio, t.standard_error) == (None, None, None)
    assert t.skewness is not None


def test_alpha_of_exactly_100_has_zero_error() -> None:
    t = item_analysis([[1, 1], [0, 0], [1, 1]], [1, 1]).test
    assert (t.cic, t.error_ratio, t.standard_error) == (100.0, 0.0, 0.0)


def test_alpha_above_100_with_missing_cells_leaves_the_error_blank() -> None:
    matrix = [[1, 1, None], [None, None, None], [0, None, 0], [0, 1, None], [1, 1, None]]
    t = item_analysis(matrix, [1, 1, 1]).test
    assert t.cic is not None and t.cic > 100
    assert (t.error_ratio, t.standard_error) == (None, None)


@pytest.mark.parametrize(("max_points", "intended"), [([1], [100.0]), ([0], [None]), ([1, 3], [25.0, 75.0])])
def test_intended_weight(max_points: list[int], intended: list[float | None]) -> None:
    matrix = [[1] * len(max_points), [0] * len(max_points)]
    assert [i.intended_weight for i in item_analysis(matrix, max_points).items] == intended


def test_no_attempts_still_report_the_maximum() -> None:
    t = item_analysis([], [2, 3]).test
    assert (t.attempts, t.max_total, t.mean, t.median, t.sd) == (0, 5.0, None, None, None)
    assert t.percent(1.0) == 20.0
    assert item_analysis([], [1]).test.percent(0.5) == 50.0
