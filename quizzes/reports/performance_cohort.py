"""The cohort's figures for the performance pages, kept per course while nothing they depend on changes.

Summing every learner's answers is the costly part of both pages (30,000 answers for 300 learners
x 100 items). The result only changes when a learner submits, an answer is regraded or overridden (each
audited) or the roster changes, so it is kept in this process per course and reused while
`cohort_marker` (one cheap statement) returns the same value, for at most MAX_AGE seconds (a
learner renamed at their next launch shows within that time). Only the cohort's figures are
kept: a learner's own figures are always read afresh (`own_answers`), never from this store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import current_app

from quizzes.reports import performance as perf
from quizzes.reports.performance_queries import cohort_answers, cohort_marker, learner_names

# Seconds: what the marker cannot see (a name changed at a launch) shows within this. Long, since
# each rebuild costs a request about 250 ms at 300 learners x 100 items.
MAX_AGE = 600.0
MAX_COURSES = 64  # courses kept per process; the oldest entry goes first


@dataclass(frozen=True)
class Cohort:
    """A course's figures: learners' percentages per key, the class rows, and one line per learner."""

    percents: dict[str, dict[str, list[float]]]
    rows: dict[str, list[perf.Row]]
    lines: list[perf.LearnerLine]


def _build(context_id: int) -> Cohort:
    """Sum the course's answers and work out every figure the two pages show."""
    sums = cohort_answers(context_id)
    # Grouped per dimension: each learner's rows are then only that dimension's keys.
    groups = {d: perf.by_learner(sums[d]) for d in perf.DIMENSIONS}
    percents = {d: perf.cohort_percents(groups[d], d) for d in perf.DIMENSIONS}
    return Cohort(percents,
                  {d: perf.class_rows(groups[d], d, spread=percents[d]) for d in perf.DIMENSIONS},
                  perf.learner_lines(learner_names(context_id),
                                     perf.by_learner(sums["step"] + sums["item_type"])))


def _store() -> dict[int, tuple[Any, float, Cohort]]:
    """This app's entries (each app, e.g. each test's, starts empty): course -> marker, time, figures."""
    return current_app.extensions.setdefault("quizzes.performance_cohort", {})


def cohort(context_id: int) -> Cohort:
    """The course's figures: reused while the marker is unchanged and young enough, else rebuilt."""
    marker = cohort_marker(context_id)
    now = time.monotonic()
    store = _store()
    kept = store.get(context_id)
    if kept is not None and kept[0] == marker and now - kept[1] < MAX_AGE:
        return kept[2]
    figures = _build(context_id)
    store.pop(context_id, None)
    while len(store) >= MAX_COURSES:
        store.pop(next(iter(store)))
    store[context_id] = (marker, now, figures)
    return figures
