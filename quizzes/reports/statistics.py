"""Item analysis for quiz attempts, following Moodle's quiz statistics definitions.

Reference: Moodle developer docs, "Quiz statistics calculations"
(https://docs.moodle.org/dev/Quiz_statistics_calculations), and Moodle's implementation in
``question/classes/statistics/questions/calculator.php`` (per item) and
``mod/quiz/report/statistics/classes/calculator.php`` (per test). Using the same formulas lets an
instructor compare our report with the one their Moodle site shows.

Notation (Moodle's): for item i, x is the item mark in one attempt, X the mean of x over the
attempts that contain the item, and y = (attempt total - x) is the mark on the *rest* of the test.
Variances and covariances divide by (s - 1), where s is the number of attempts holding the item.

Everything here is pure: numbers in, numbers out. Values that are undefined (one attempt, zero
variance, a zero maximum) are ``None`` rather than an error, so a report can show a blank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from operator import mul

from quizzes.reports.statistics_flags import ItemFlag, flag_item
from quizzes.reports.statistics_responses import NO_RESPONSE, response_frequencies, select_attempts

__all__ = [
    "Analysis",
    "ItemFlag",
    "ItemStats",
    "NO_RESPONSE",
    "TestStats",
    "item_analysis",
    "response_frequencies",
    "select_attempts",
]

# Below this a variance counts as zero: sums of identical floats can leave rounding dust.
_ZERO = 1e-12


@dataclass(frozen=True)
class ItemStats:
    """Moodle's per-question statistics for one column of the matrix; percentages are 0-100."""

    index: int
    attempts: int
    facility: float | None
    sd: float | None
    random_guess_score: float | None
    intended_weight: float | None
    effective_weight: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    flags: tuple[ItemFlag, ...] = ()

    @property
    def flag_codes(self) -> tuple[str, ...]:
        """The machine-readable codes of this item's flags, in a stable order."""
        return tuple(flag.code for flag in self.flags)


@dataclass(frozen=True)
class TestStats:
    """Moodle's whole-test statistics; mean, median, sd and standard_error are in points."""

    attempts: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None

    def percent(self, points: float | None) -> float | None:
        """Express a value in points as a percentage of the maximum total (Moodle's display)."""
        if points is None or self.max_total <= 0:
            return None
        return 100.0 * points / self.max_total


@dataclass(frozen=True)
class Analysis:
    """The result of :func:`item_analysis`: test-level figures and one entry per item."""

    test: TestStats
    items: tuple[ItemStats, ...]


@dataclass(frozen=True)
class _Moments:
    """Raw per-item sums from which the displayed statistics are derived."""

    s: int
    mean: float | None
    var: float | None
    other_var: float | None
    cov_other: float | None
    cov_other_max: float | None
    cov_total: float | None


def item_analysis(
    matrix: Sequence[Sequence[float | None]],
    max_points: Sequence[float],
    random_guess: Sequence[float | None] | None = None,
) -> Analysis:
    """Analyse a matrix of item marks (rows: attempts, columns: items, None: item not shown).

    ``random_guess`` gives, per item, the expected fraction (0-1) of the mark a pure guesser
    gets, as Moodle's question types report it; it is echoed as a percentage.
    """
    p = len(max_points)
    rows = [tuple(row) for row in matrix]
    for number, row in enumerate(rows, start=1):
        if len(row) != p:
            raise ValueError(f"attempt {number} has {len(row)} item marks, expected {p}")
    guesses = list(random_guess) if random_guess is not None else [None] * p
    if len(guesses) != p:
        raise ValueError(f"random_guess has {len(guesses)} entries, expected {p}")
    totals = [math.fsum(v for v in row if v is not None) for row in rows]
    moments = [_item_moments(rows, totals, j) for j in range(p)]
    weights = _effective_weights(moments)
    max_total = math.fsum(float(m) for m in max_points)
    items = tuple(
        _item_stats(j, moments[j], float(max_points[j]), guesses[j], max_total, weights[j])
        for j in range(p)
    )
    sum_item_var = math.fsum(m.var for m in moments if m.var is not None)
    return Analysis(test=_test_stats(totals, sum_item_var, p, max_total), items=items)


def _item_moments(rows: list[tuple[float | None, ...]], totals: list[float], j: int) -> _Moments:
    """Means, variances and covariances of item j against the rest of the test and the total."""
    xs: list[float] = []
    ts: list[float] = []
    for row, total in zip(rows, totals):
        value = row[j]
        if value is not None:
            xs.append(float(value))
            ts.append(total)
    s = len(xs)
    if s == 0:
        return _Moments(0, None, None, None, None, None, None)
    ys = [t - x for x, t in zip(xs, ts)]
    mx, my, mt = math.fsum(xs) / s, math.fsum(ys) / s, math.fsum(ts) / s
    if s < 2:
        return _Moments(s, mx, None, None, None, None, None)
    dx = [x - mx for x in xs]
    dy = [y - my for y in ys]
    dt = [t - mt for t in ts]
    n1 = s - 1
    # Moodle's "maximum possible covariance" pairs the sorted item marks with the sorted
    # rest-of-test marks; sorting deviations is the same as sorting the marks.
    return _Moments(
        s=s,
        mean=mx,
        var=math.fsum(map(mul, dx, dx)) / n1,
        other_var=math.fsum(map(mul, dy, dy)) / n1,
        cov_other=math.fsum(map(mul, dx, dy)) / n1,
        cov_other_max=math.fsum(map(mul, sorted(dx), sorted(dy))) / n1,
        cov_total=math.fsum(map(mul, dx, dt)) / n1,
    )


def _effective_weights(moments: list[_Moments]) -> list[float | None]:
    """Effective weight: 100 * sqrt(cov(x, total)) / sum of the same over non-negative items.

    Moodle leaves the weight blank for an item whose covariance with the total is negative.
    """
    roots = [
        math.sqrt(m.cov_total) if m.cov_total is not None and m.cov_total >= 0 else None
        for m in moments
    ]
    denominator = math.fsum(r for r in roots if r is not None)
    if denominator <= _ZERO:
        return [None] * len(moments)
    return [None if r is None else 100.0 * r / denominator for r in roots]


def _item_stats(
    j: int,
    m: _Moments,
    max_mark: float,
    guess: float | None,
    max_total: float,
    effective_weight: float | None,
) -> ItemStats:
    """Turn one item's moments into Moodle's displayed percentages and attach its flags."""
    has_max = max_mark > 0
    facility = 100.0 * m.mean / max_mark if has_max and m.mean is not None else None
    sd = 100.0 * math.sqrt(m.var) / max_mark if has_max and m.var is not None else None
    stats = ItemStats(
        index=j,
        attempts=m.s,
        facility=facility,
        sd=sd,
        random_guess_score=None if guess is None else 100.0 * float(guess),
        intended_weight=100.0 * max_mark / max_total if max_total > 0 else None,
        effective_weight=effective_weight,
        discrimination_index=_discrimination_index(m),
        discriminative_efficiency=_discriminative_efficiency(m),
    )
    return replace(stats, flags=flag_item(stats.facility, stats.discrimination_index))


def _discrimination_index(m: _Moments) -> float | None:
    """100 * correlation of the item mark with the mark on the rest of the test."""
    if m.var is None or m.other_var is None or m.cov_other is None:
        return None
    if m.var <= _ZERO or m.other_var <= _ZERO:
        return None
    return 100.0 * m.cov_other / math.sqrt(m.var * m.other_var)


def _discriminative_efficiency(m: _Moments) -> float | None:
    """100 * cov(item, rest) / the largest covariance the same marks could have had."""
    if m.cov_other is None or m.cov_other_max is None or abs(m.cov_other_max) <= _ZERO:
        return None
    return 100.0 * m.cov_other / m.cov_other_max


def _median(values: list[float]) -> float:
    """The middle value, or the mean of the two middle values for an even count."""
    ordered = sorted(values)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    return (ordered[half - 1] + ordered[half]) / 2.0


def _test_stats(totals: list[float], sum_item_var: float, p: int, max_total: float) -> TestStats:
    """Whole-test figures from the attempt totals, as Moodle's quiz calculator computes them."""
    n = len(totals)
    blank: dict[str, float | None] = dict(sd=None, skewness=None, kurtosis=None, cic=None,
                                          error_ratio=None, standard_error=None)
    if n == 0:
        return TestStats(attempts=0, max_total=max_total, mean=None, median=None, **blank)
    mean = math.fsum(totals) / n
    result = dict(blank)
    if n > 1:
        devs = [t - mean for t in totals]
        power2 = math.fsum(d * d for d in devs)
        sd = result["sd"] = math.sqrt(power2 / (n - 1))
        if n > 2:
            result.update(_shape_and_reliability(devs, power2, n, p, sum_item_var, sd))
    return TestStats(attempts=n, max_total=max_total, mean=mean, median=_median(totals), **result)


def _shape_and_reliability(
    devs: list[float], power2: float, n: int, p: int, sum_item_var: float, sd: float
) -> dict[str, float | None]:
    """Skewness and kurtosis (k-statistics), then CIC, error ratio and standard error.

    CIC is Cronbach's alpha: 100 * p/(p-1) * (1 - sum of item variances / total variance),
    which is KR-20 when every item scores 0 or 1. Error ratio = 100 * sqrt(1 - CIC/100) and
    standard error = error ratio * SD / 100.
    """
    out: dict[str, float | None] = {}
    m2 = power2 / n
    m3 = math.fsum(d**3 for d in devs) / n
    m4 = math.fsum(d**4 for d in devs) / n
    k2 = n * m2 / (n - 1)
    if k2 <= _ZERO:
        return out
    k3 = n * n * m3 / ((n - 1) * (n - 2))
    out["skewness"] = k3 / k2**1.5
    if n > 3:
        k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
        out["kurtosis"] = k4 / (k2 * k2)
    if p > 1:
        cic = (100.0 * p / (p - 1)) * (1.0 - sum_item_var / k2)
        out["cic"] = cic
        # With missing (None) cells alpha can exceed 100%; the square root is then undefined.
        if cic <= 100.0:
            error_ratio = out["error_ratio"] = 100.0 * math.sqrt(1.0 - cic / 100.0)
            out["standard_error"] = error_ratio * sd / 100.0
    return out
