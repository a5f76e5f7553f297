"""Pure performance figures: points per NCJMM step, topic and item type; cohort bands; trends."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from quizzes.types.base import CJMM_STEPS, TOPICS

DIMENSIONS = ("step", "topic", "item_type")
COHORT_FLOOR = 5  # fewer learners than this and a band could point at a classmate
STEADY_POINTS = 1.0  # a trend slope within +/- this many points per attempt is "steady"


@dataclass(frozen=True)
class Meta:
    """What a question version is about: its NCJMM step (or None), topic and item type."""

    step: str | None
    topic: str | None
    item_type: str | None


@dataclass(frozen=True)
class Answer:
    """Points earned and possible for one item (or several answers to it), with its meta."""

    user_id: int
    earned: float
    possible: float
    meta: Meta
    attempt_id: int = 0
    count: int = 1  # answers summed into this row (the queries add up a learner's like items)


@dataclass(frozen=True)
class Tally:
    """Points earned over points possible, and how many answers they came from."""

    earned: float = 0.0
    possible: float = 0.0
    answers: int = 0

    @property
    def percent(self) -> float | None:
        """Earned over possible as a percentage; None when nothing could be earned."""
        return 100.0 * self.earned / self.possible if self.possible > 0 else None


@dataclass(frozen=True)
class Band:
    """The cohort's spread: 25th, 50th and 75th percentile of learners' percentages."""

    low: float
    median: float
    high: float
    learners: int


def meta_of(data: Mapping[str, object]) -> Meta:
    """The step, topic and type of a stored item; an unknown step counts for no step."""
    step = data.get("cjmm")
    topic = data.get("topic")
    kind = data.get("type")
    return Meta(step if step in CJMM_STEPS else None,
                topic if isinstance(topic, str) and topic else None,
                kind if isinstance(kind, str) and kind else None)


def tallies(answers: Iterable[Answer], dimension: str) -> dict[str, Tally]:
    """Points per key of a dimension; answers with no key there or nothing possible are left out."""
    sums: dict[str, list[float]] = {}
    for answer in answers:
        key = getattr(answer.meta, dimension)
        if key is not None and answer.possible > 0:
            acc = sums.setdefault(key, [0.0, 0.0, 0])
            acc[0] += answer.earned
            acc[1] += answer.possible
            acc[2] += answer.count
    return {key: Tally(e, p, int(n)) for key, (e, p, n) in sums.items()}


def overall(answers: Iterable[Answer]) -> Tally:
    """Points over every answer that had any to earn."""
    counted = [a for a in answers if a.possible > 0]
    return Tally(sum(a.earned for a in counted), sum(a.possible for a in counted),
                 sum(a.count for a in counted))


def pooled(parts: Iterable[Tally]) -> Tally:
    """Several tallies added together."""
    parts = list(parts)
    return Tally(sum(t.earned for t in parts), sum(t.possible for t in parts),
                 sum(t.answers for t in parts))


def by_learner(answers: Iterable[Answer]) -> dict[int, list[Answer]]:
    """Answers grouped by learner."""
    out: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        out[answer.user_id].append(answer)
    return dict(out)


def ordered_keys(dimension: str, found: Iterable[str]) -> list[str]:
    """Keys in teaching order: the six steps, the topics as modules run, then others by name."""
    canonical = {"step": CJMM_STEPS, "topic": TOPICS}.get(dimension, ())
    found = set(found)
    return [k for k in canonical if k in found] + sorted(found - set(canonical))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def cohort_band(values: Sequence[float], floor: int = COHORT_FLOOR) -> Band | None:
    """The interquartile band of learners' percentages, or None below the privacy floor."""
    if len(values) < floor:
        return None
    return Band(percentile(values, 25), percentile(values, 50), percentile(values, 75),
                len(values))


def percentile_rank(value: float, values: Sequence[float]) -> float:
    """Share of the cohort below this value, counting ties as half (mid-rank), in percent."""
    below = sum(v < value for v in values)
    ties = sum(v == value for v in values)
    return 100.0 * (below + ties / 2) / len(values)


@dataclass(frozen=True)
class Row:
    """One key of a dimension: a tally, the cohort band, and the learner's rank in it."""

    key: str
    tally: Tally
    band: Band | None
    rank: float | None


def cohort_percents(groups: Mapping[int, Sequence[Answer]], dimension: str) -> dict[str, list[float]]:
    """Each key's list of learner percentages (a learner counts once, where they could score)."""
    out: dict[str, list[float]] = defaultdict(list)
    for answers in groups.values():
        for key, tally in tallies(answers, dimension).items():
            out[key].append(tally.percent)  # type: ignore[arg-type]  # possible > 0 here
    return dict(out)


def compare(mine: Sequence[Answer], cohort: Mapping[str, Sequence[float]], dimension: str,
            floor: int = COHORT_FLOOR) -> list[Row]:
    """A learner's rows in one dimension, each beside the cohort band when the floor is met."""
    own = tallies(mine, dimension)
    rows = []
    for key in ordered_keys(dimension, own):
        values = cohort.get(key, ())
        band = cohort_band(values, floor)
        mark = own[key].percent
        rank = percentile_rank(mark, values) if band is not None and mark is not None else None
        rows.append(Row(key, own[key], band, rank))
    return rows


def class_rows(groups: Mapping[int, Sequence[Answer]], dimension: str,
               floor: int = COHORT_FLOOR,
               spread: Mapping[str, Sequence[float]] | None = None) -> list[Row]:
    """The whole class in one dimension: pooled points and the band of learners' percentages.

    `spread` is `cohort_percents(groups, dimension)` when the caller has it already.
    """
    pooled = tallies((a for answers in groups.values() for a in answers), dimension)
    spread = cohort_percents(groups, dimension) if spread is None else spread
    return [Row(key, pooled[key], cohort_band(spread.get(key, ()), floor), None)
            for key in ordered_keys(dimension, pooled)]


def weakest(rows: Sequence[Row], below: float) -> list[Row]:
    """Rows under the given percentage, weakest first (ties keep their teaching order)."""
    weak = [r for r in rows if r.tally.percent is not None and r.tally.percent < below]
    return sorted(weak, key=lambda r: r.tally.percent)  # type: ignore[arg-type, return-value]


@dataclass(frozen=True)
class TrendPoint:
    """One submitted attempt in time order: its overall tally and its tally per step."""

    attempt_id: int
    tally: Tally
    steps: dict[str, Tally]


def trend(answers: Sequence[Answer], order: Sequence[int]) -> list[TrendPoint]:
    """One point per attempt, in the given attempt order; attempts with nothing to earn are skipped."""
    grouped: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.attempt_id].append(answer)
    points = []
    for attempt_id in order:
        total = overall(grouped.get(attempt_id, ()))
        if total.possible > 0:
            points.append(TrendPoint(attempt_id, total, tallies(grouped[attempt_id], "step")))
    return points


def slope(values: Sequence[float]) -> float | None:
    """Least-squares change per step of a series (None for fewer than two values)."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    return num / den


def direction(points: Sequence[TrendPoint], steady: float = STEADY_POINTS) -> str | None:
    """"rising", "falling" or "steady" across attempts, from the slope of their percentages."""
    change = slope([p.tally.percent for p in points])  # type: ignore[misc]  # possible > 0
    if change is None:
        return None
    if change > steady:
        return "rising"
    if change < -steady:
        return "falling"
    return "steady"


@dataclass(frozen=True)
class LearnerLine:
    """One learner's row of the heat map: overall points and points per step."""

    user_id: int
    name: str
    total: Tally
    steps: dict[str, Tally]


def learner_lines(names: Mapping[int, str], groups: Mapping[int, Sequence[Answer]]
                  ) -> list[LearnerLine]:
    """A line for every named learner, answered or not, by name; every item has a type, so the
    overall tally is the sum over types (which also holds for rows summed per dimension)."""
    lines = [LearnerLine(uid, name, pooled(tallies(groups.get(uid, ()), "item_type").values()),
                         tallies(groups.get(uid, ()), "step")) for uid, name in names.items()]
    return sorted(lines, key=lambda line: (line.name.casefold(), line.user_id))


def _column_value(line: LearnerLine, column: str) -> float | None:
    """The percentage a heat-map column sorts on."""
    tally = line.total if column == "overall" else line.steps.get(column)
    return tally.percent if tally is not None else None


def sort_lines(lines: Sequence[LearnerLine], column: str, descending: bool = False
               ) -> list[LearnerLine]:
    """Lines sorted by name, "overall" or a step; blanks always last, ties by name."""
    by_name = sorted(lines, key=lambda line: (line.name.casefold(), line.user_id),
                     reverse=descending and column == "name")
    if column == "name":
        return by_name
    known = [line for line in by_name if _column_value(line, column) is not None]
    blank = [line for line in by_name if _column_value(line, column) is None]
    sign = -1.0 if descending else 1.0
    return sorted(known, key=lambda line: sign * _column_value(line, column)) + blank  # type: ignore[operator]


def at_risk(lines: Sequence[LearnerLine], threshold: float) -> list[LearnerLine]:
    """Learners who have answered and whose overall percentage is below the threshold, lowest first."""
    low = [line for line in lines
           if line.total.percent is not None and line.total.percent < threshold]
    return sorted(low, key=lambda line: (line.total.percent or 0.0, line.name.casefold()))


def weakest_step(line: LearnerLine) -> str | None:
    """The step where this learner earned the smallest share of points (teaching order on ties)."""
    scored = [(t.percent, CJMM_STEPS.index(k)) for k, t in line.steps.items() if k in CJMM_STEPS]
    return CJMM_STEPS[min(scored)[1]] if scored else None
