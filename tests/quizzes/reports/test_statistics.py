"""Item analysis against hand-computed values, degenerate cases, flags, frequencies and charts."""

from __future__ import annotations

import math
import random
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from quizzes.reports.charts import histogram_svg, scatter_svg
from quizzes.reports.statistics import (
    NO_RESPONSE,
    item_analysis,
    response_frequencies,
    select_attempts,
)

# Fixture A: 4 attempts x 3 items, all 0/1, a perfect Guttman pattern.
#   attempt totals: 3, 2, 1, 0 -> mean 1.5, median 1.5
#   total variance (n-1): (2.25+0.25+0.25+2.25)/3 = 5/3, SD = sqrt(5/3) = 1.29099
#   item 1 marks 1,1,1,0: mean 0.75, variance (3*0.0625+0.5625)/3 = 0.25, SD 0.5 -> 50%
#   item 2 marks 1,1,0,0: mean 0.5, variance 1/3, SD 0.57735 -> 57.735%
#   item 3 marks 1,0,0,0: mean 0.25, variance 0.25 -> 50%
#   alpha = 3/2 * (1 - (0.25 + 1/3 + 0.25) / (5/3)) = 1.5 * (1 - 0.5) = 0.75 -> CIC 75%
#   error ratio = 100*sqrt(1-0.75) = 50%; standard error = 0.5 * 1.29099 = 0.645497
#   item 1 vs rest (2,1,0,0; mean 0.75): deviations x .25,.25,.25,-.75 and y 1.25,.25,-.75,-.75
#     cov = (.3125+.0625-.1875+.5625)/3 = 0.25; var(rest) = 2.75/3
#     DI = 0.25 / sqrt(0.25 * 2.75/3) = 0.522233 -> 52.2233%
#     sorted pairing gives the same products here, so efficiency = 100%
#   skewness: deviations +-1.5, +-0.5 are symmetric -> 0
#   kurtosis: m2 = 1.25, m4 = (2*5.0625 + 2*0.0625)/4 = 2.5625, k2 = 5/3
#     k4 = 16*(5*2.5625 - 3*3*1.5625)/(3*2*1) = 16*(12.8125-14.0625)/6 = -3.3333
#     kurtosis = k4/k2^2 = -3.3333/2.7778 = -1.2
MATRIX_A = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_test_level_statistics_match_hand_computation() -> None:
    t = item_analysis(MATRIX_A, [1, 1, 1]).test
    assert t.attempts == 4 and t.max_total == 3
    assert t.mean == pytest.approx(1.5)
    assert t.median == pytest.approx(1.5)
    assert t.sd == pytest.approx(math.sqrt(5 / 3))
    assert t.skewness == pytest.approx(0.0, abs=1e-12)
    assert t.kurtosis == pytest.approx(-1.2)
    assert t.cic == pytest.approx(75.0)
    assert t.error_ratio == pytest.approx(50.0)
    assert t.standard_error == pytest.approx(0.5 * math.sqrt(5 / 3))
    assert t.percent(t.mean) == pytest.approx(50.0)


def test_item_statistics_match_hand_computation() -> None:
    items = item_analysis(MATRIX_A, [1, 1, 1], random_guess=[0.25, 0.5, None]).items
    assert [i.facility for i in items] == pytest.approx([75.0, 50.0, 25.0])
    assert [i.sd for i in items] == pytest.approx([50.0, 100 * math.sqrt(1 / 3), 50.0])
    assert items[0].discrimination_index == pytest.approx(100 * 0.25 / math.sqrt(0.25 * 2.75 / 3))
    assert items[0].discriminative_efficiency == pytest.approx(100.0)
    assert items[0].random_guess_score == pytest.approx(25.0)
    assert items[1].random_guess_score == pytest.approx(50.0)
    assert items[2].random_guess_score is None
    assert [i.intended_weight for i in items] == pytest.approx([100 / 3] * 3)
    # effective weight uses cov(item, total); totals deviate by 1.5, .5, -.5, -1.5:
    #   item 1: (.25*1.5 + .25*.5 - .25*.5 + .75*1.5)/3 = 1.5/3 = 0.5
    #   item 2: (.5*1.5 + .5*.5 + .5*.5 + .5*1.5)/3 = 2/3; item 3 mirrors item 1: 0.5
    covs = [0.5, 2 / 3, 0.5]
    roots = [math.sqrt(c) for c in covs]
    assert [i.effective_weight for i in items] == pytest.approx([100 * r / sum(roots) for r in roots])
    assert sum(i.effective_weight or 0 for i in items) == pytest.approx(100.0)


def test_partial_credit_items_use_their_maximum() -> None:
    # Item 2 is out of 2 points; marks 2, 1, 1, 0 -> mean 1 -> facility 50%.
    # variance = (1+0+0+1)/3 = 2/3 -> SD sqrt(2/3)/2 = 40.82% of the maximum.
    a = item_analysis([[1, 2], [1, 1], [0, 1], [0, 0]], [1, 2])
    assert a.items[1].facility == pytest.approx(50.0)
    assert a.items[1].sd == pytest.approx(100 * math.sqrt(2 / 3) / 2)
    assert a.items[1].intended_weight == pytest.approx(200 / 3)


def kr20(matrix: list[list[int]]) -> float:
    """KR-20 written out independently: k/(k-1) * (1 - sum(p*q) / population variance)."""
    n, k = len(matrix), len(matrix[0])
    totals = [sum(r) for r in matrix]
    mean = sum(totals) / n
    var = sum((t - mean) ** 2 for t in totals) / n
    pq = sum((sum(r[j] for r in matrix) / n) * (1 - sum(r[j] for r in matrix) / n) for j in range(k))
    return k / (k - 1) * (1 - pq / var)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_equals_kr20_for_dichotomous_items(seed: int) -> None:
    rng = random.Random(seed)
    matrix = [[int(rng.random() < 0.3 + 0.05 * j) for j in range(8)] for _ in range(40)]
    assert item_analysis(matrix, [1] * 8).test.cic == pytest.approx(100 * kr20(matrix))


def test_one_attempt_gives_blanks_not_errors() -> None:
    a = item_analysis([[1, 0, 1]], [1, 1, 1])
    assert a.test.attempts == 1 and a.test.mean == 2 and a.test.median == 2
    assert a.test.sd is None and a.test.skewness is None and a.test.cic is None
    assert a.test.error_ratio is None and a.test.standard_error is None
    assert [i.facility for i in a.items] == [100.0, 0.0, 100.0]
    assert all(i.sd is None and i.discrimination_index is None for i in a.items)
    assert all(i.discriminative_efficiency is None and i.effective_weight is None for i in a.items)


def test_zero_variance_gives_blanks() -> None:
    a = item_analysis([[1, 1], [1, 1], [1, 1], [1, 1]], [1, 1])
    assert a.test.sd == 0.0
    assert a.test.skewness is None and a.test.kurtosis is None and a.test.cic is None
    assert all(i.discrimination_index is None for i in a.items)
    assert all(i.discriminative_efficiency is None for i in a.items)
    assert "low_discrimination" in a.items[0].flag_codes


def test_empty_matrix_and_zero_maximum() -> None:
    a = item_analysis([], [1, 0])
    assert a.test.attempts == 0 and a.test.mean is None and a.test.median is None
    b = item_analysis([[0, 0], [1, 0], [1, 0]], [1, 0])
    assert b.items[1].facility is None and b.items[1].sd is None


def test_missing_cells_use_only_attempts_that_held_the_item() -> None:
    # Item 2 appears in attempts 1 and 3 only (a random slot): facility = mean(1, 0) = 50%.
    a = item_analysis([[1, 1], [1, None], [0, 0], [0, None]], [1, 1])
    assert a.items[1].attempts == 2
    assert a.items[1].facility == pytest.approx(50.0)
    assert a.items[0].attempts == 4


def test_shape_errors_are_reported() -> None:
    with pytest.raises(ValueError, match="attempt 2"):
        item_analysis([[1, 0], [1]], [1, 1])
    with pytest.raises(ValueError, match="random_guess"):
        item_analysis([[1, 0]], [1, 1], random_guess=[0.5])


def test_flags_and_reasons() -> None:
    # Item 1 is answered right only by the weakest student: negative discrimination.
    # Item 2 is answered right by everyone but one of 25: facility 96% -> too easy.
    rows = [[0, 1, 1, 1]] * 8 + [[0, 1, 0, 0]] * 8 + [[0, 1, 1, 0]] * 8 + [[1, 0, 0, 0]]
    a = item_analysis(rows, [1, 1, 1, 1])
    first, second = a.items[0], a.items[1]
    assert "negative_discrimination" in first.flag_codes
    assert "too_hard" in first.flag_codes and "low_discrimination" in first.flag_codes
    assert "too_easy" in second.flag_codes
    assert all(f.reason and f.reason[0].isupper() for f in first.flags)
    assert "%" in first.flags[0].reason
    # Item 3 discriminates well and sits mid-range: no flags.
    assert a.items[2].flags == ()


def test_benchmark_size_runs_well_under_a_second() -> None:
    rng = random.Random(5)
    matrix = [[float(rng.random() < 0.6) for _ in range(60)] for _ in range(1000)]
    start = time.perf_counter()
    item_analysis(matrix, [1.0] * 60)
    assert time.perf_counter() - start < 1.0


def test_response_frequencies_counts_parts_and_options() -> None:
    responses = [
        {"q1": "b", "q2": ["a", "c"], "match": {"spasm": "baclofen", "foot drop": "AFO"}},
        {"q1": "b", "q2": ["c"], "match": {"spasm": "AFO"}},
        {"q1": None, "q2": [], "match": {"spasm": "baclofen"}},
    ]
    freq = response_frequencies(responses)
    assert freq["q1"] == {"b": 2, NO_RESPONSE: 1}
    assert freq["q2"] == {"a": 1, "c": 2, NO_RESPONSE: 1}
    assert freq["match.spasm"] == {"baclofen": 2, "AFO": 1}
    assert freq["match.foot drop"] == {"AFO": 1}
    assert response_frequencies([{"x": [["nested"]]}])["x"] == {"['nested']": 1}


@dataclass
class Att:
    """A plain attempt record for select_attempts."""

    id: int
    score: float | None


def test_select_attempts_first_last_highest_all() -> None:
    by_user = {"ann": [Att(1, 4), Att(2, 9), Att(3, 9), Att(4, 2)], "bo": [Att(5, None), Att(6, 1)], "cy": []}
    assert [a.id for a in select_attempts(by_user, "first")] == [1, 5]
    assert [a.id for a in select_attempts(by_user, "last")] == [4, 6]
    assert [a.id for a in select_attempts(by_user, "highest")] == [2, 6]
    assert [a.id for a in select_attempts(by_user, "all")] == [1, 2, 3, 4, 5, 6]
    tuples = {"u": [(1, 0.5), (2, 0.7)]}
    assert select_attempts(tuples, "highest", score_of=lambda t: t[1]) == [(2, 0.7)]
    with pytest.raises(ValueError):
        select_attempts(by_user, "average")


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _assert_accessible(svg: str) -> ET.Element:
    """Parse the chart and check the accessibility rules every chart must keep."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert set(root.get("aria-labelledby", "").split()) == {title.get("id"), desc.get("id")}
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    for colour in set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg)) - {"#ffffff"}:
        ratio = 1.05 / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, colour
    return root


def test_histogram_is_accessible_and_counts_scores() -> None:
    svg = histogram_svg([5, 15, 15, 95, 100], bins=10)
    root = _assert_accessible(svg)
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(bars) == 10
    assert bars[1].find(f"{ns}title").text == "10 to 20: 2 attempts"
    assert bars[9].find(f"{ns}title").text == "90 to 100: 2 attempts"  # 100 lands in the last band
    desc = root.find(f"{ns}desc").text
    assert "5 scores" in desc and "10 to 20" in desc
    assert "Score (%)" in svg and "Number of attempts" in svg
    assert "No scores" in histogram_svg([], bins=4)
    with pytest.raises(ValueError):
        histogram_svg([1], bins=[3, 2])


def test_scatter_is_accessible_escapes_labels_and_names_weak_items() -> None:
    svg = scatter_svg([(70, 45, "Q1"), (50, -10, "<script>alert(1)</script>"), (99, None, "Q3")])
    root = _assert_accessible(svg)
    desc = root.find("{http://www.w3.org/2000/svg}desc").text
    assert "<script>alert(1)</script>" in desc  # the text survives, escaped in the markup
    assert "<script>" not in svg
    assert "Q3" in desc and "2 items" in desc
    assert "Facility index (%)" in svg and "Discrimination index (%)" in svg
