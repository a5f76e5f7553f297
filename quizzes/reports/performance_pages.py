"""View models of the performance pages: the learner's figures beside the cohort, and the class."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from quizzes.reports import performance as perf
from quizzes.reports.gradebook import neutralise
from quizzes.reports.performance_charts import Bar, band_chart_svg, trend_svg
from quizzes.reports.performance_cohort import cohort
from quizzes.reports.performance_queries import own_answers
from quizzes.taking.pages import CJMM_LABELS
from quizzes.types import CJMM_STEPS, REGISTRY, TOPIC_TITLES

WEAK_BELOW = 70.0  # the default pass mark: a step or topic under it is worth going back to
AT_RISK_BELOW = 60.0  # the instructor's default threshold
TITLES = {"step": "NCJMM step", "topic": "Topic (module)", "item_type": "Item type"}


def label(dimension: str, key: str) -> str:
    """Words for a step, topic or item type."""
    if dimension == "step":
        return CJMM_LABELS.get(key, key)
    if dimension == "topic":
        return TOPIC_TITLES.get(key, key)
    kind = REGISTRY.get(key)
    return kind.label if kind else key


@dataclass(frozen=True)
class Figures:
    """One dimension's rows with their labels and chart."""

    dimension: str
    title: str
    rows: list[tuple[str, perf.Row]]
    chart: str


def _figures(dimension: str, rows: Sequence[perf.Row], whose: str) -> Figures:
    """Label the rows and draw their chart."""
    labelled = [(label(dimension, r.key), r) for r in rows]
    bars = [Bar(text, r.tally.percent,
                (r.band.low, r.band.median, r.band.high) if r.band else None) for text, r in labelled]
    return Figures(dimension, TITLES[dimension], labelled,
                   band_chart_svg(bars, f"{whose} points earned by {TITLES[dimension].lower()}"))


def module_links(topics: Sequence[str]) -> list[dict[str, Any]]:
    """The teaching module of each topic with its sections (slugs and titles), in topic order."""
    try:
        from modules.loader import get_course
        modules = {m.title: m for m in get_course().modules}
    except Exception:  # modules content broken or absent: the figures still show
        return []
    out = []
    for topic in topics:
        module = modules.get(TOPIC_TITLES.get(topic, ""))
        if module is not None:
            out.append({"topic": topic, "title": module.title, "slug": module.slug,
                        "sections": [(s.slug, s.title) for s in module.sections]})
    return out


def _study(mine: Sequence[perf.Answer], steps: Sequence[perf.Row], topics: Sequence[perf.Row]
           ) -> dict[str, Any]:
    """Weak steps (with the topics where their points were lost) and weak topics, with modules."""
    weak_steps = []
    for row in perf.weakest(steps, WEAK_BELOW)[:3]:
        in_step = [a for a in mine if a.meta.step == row.key]
        lost = perf.weakest([perf.Row(k, t, None, None)
                             for k, t in perf.tallies(in_step, "topic").items()], WEAK_BELOW)
        weak_steps.append((row, module_links([r.key for r in lost[:2]])))
    weak_topics = perf.weakest(topics, WEAK_BELOW)[:3]
    return {"steps": weak_steps, "topics": weak_topics,
            "modules": module_links([r.key for r in weak_topics]), "below": WEAK_BELOW}


def learner_page(context_id: int, user_id: int) -> dict[str, Any]:
    """My performance: figures per step, topic and type beside the cohort band, trend, study links."""
    attempts, mine = own_answers(context_id, user_id)  # never cached: only the cohort's figures are
    percents = cohort(context_id).percents
    sections = {d: _figures(d, perf.compare(mine, percents[d], d), "Your") for d in perf.DIMENSIONS}
    points = perf.trend(mine, [a.id for a in attempts])
    info = {a.id: a for a in attempts}
    return {"sections": sections, "total": perf.overall(mine), "floor": perf.COHORT_FLOOR,
            "labels": CJMM_LABELS,
            "trend": [(info[p.attempt_id], p) for p in points],
            "trend_chart": trend_svg([p.tally.percent or 0.0 for p in points],
                                     "Your points earned in each attempt"),
            "direction": perf.direction(points), "steps": perf.ordered_keys(
                "step", {k for p in points for k in p.steps}),
            "study": _study(mine, [r for _, r in sections["step"].rows],
                            [r for _, r in sections["topic"].rows])}


def heat(percent: float | None) -> str:
    """The heat-map class of a percentage (the number is always printed too)."""
    if percent is None:
        return "heat-none"
    return "heat-" + str(sum(percent >= edge for edge in (50.0, 70.0, 85.0)))


_BLANK_CELL = Markup('<td class="heat-none"><span title="Not defined for these attempts">'
                     '\u2014</span></td>')


def heat_cells(line: perf.LearnerLine, steps: Sequence[str]) -> Markup:
    """A heat-map row's cells, overall then each step: the percentage with its colour class.

    Built here rather than cell by cell in Jinja: 300 learners x 7 cells is most of the page.
    """
    out = []
    for tally in (line.total, *(line.steps.get(s) for s in steps)):
        percent = tally.percent if tally is not None else None
        out.append(_BLANK_CELL if percent is None
                   else f'<td class="{heat(percent)}">{percent:.0f}%</td>')
    return Markup("".join(out))


def class_page(context_id: int, sort: str, descending: bool, below: float) -> dict[str, Any]:
    """The class by step, topic and type; learners x steps; learners under the threshold."""
    figures = cohort(context_id)
    lines = figures.lines
    steps = perf.ordered_keys("step", {k for line in lines for k in line.steps})
    return {"sections": {d: _figures(d, figures.rows[d], "The class's") for d in perf.DIMENSIONS},
            "steps": steps, "lines": [(line, heat_cells(line, steps))
                                      for line in perf.sort_lines(lines, sort, descending)],
            "sort": sort,
            "descending": descending, "below": below, "risk": perf.at_risk(lines, below),
            "floor": perf.COHORT_FLOOR, "labels": CJMM_LABELS,
            "answered": sum(1 for line in lines if line.total.answers)}


def _cell(tally: perf.Tally | None) -> Any:
    """A percentage for the CSV, blank when there is nothing to show."""
    return "" if tally is None or tally.percent is None else round(tally.percent, 1)


def at_risk_csv(context_id: int, below: float) -> str:
    """Learners under the threshold as CSV: overall and per-step percentages, weakest step."""
    risk = perf.at_risk(cohort(context_id).lines, below)
    steps = list(CJMM_STEPS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Learner", "Overall (%)", "Points earned", "Points possible", "Answers",
                     "Weakest step", *(f"{CJMM_LABELS[s]} (%)" for s in steps)])
    for line in risk:
        weakest = perf.weakest_step(line)
        writer.writerow([neutralise(c) for c in (
            line.name, _cell(line.total), round(line.total.earned, 2), round(line.total.possible, 2),
            line.total.answers, CJMM_LABELS.get(weakest, "") if weakest else "",
            *(_cell(line.steps.get(s)) for s in steps))])
    return out.getvalue()
