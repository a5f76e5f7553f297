"""The launch's floor: bare pylti1p3 plus the record any gradebook tool keeps (issue 18).

The bare anchor (bench/pylti_anchor_app.py) keeps nothing, so the tool's launch cannot reach it:
the tool must record who launched into which course. The second anchor is the same app with
BENCH_ANCHOR_RECORD_DB set: after the same validation it upserts the user and the membership in
one transaction and keeps the launch in Flask's cookie session. Its CPU per launch is the floor;
the bench prints it beside the tool's, first and returning launches alike, so the tool's own
overhead and the record's cost read apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bench import cpu, pylti_anchor_app
from bench.launch_runs import LaunchRun, first_and_again, merged
from bench.report import Figure, missing
from bench.server import Gunicorn

if TYPE_CHECKING:
    from bench.context import Run

FLOOR_SUBS = 800_000  # numbered apart from the tool's learners and the bare anchor's
LABEL = "Launch floor (bare pylti1p3 + user and membership upsert + session)"


@dataclass
class Floor:
    """The record anchor's launches, first and returning, one window of each per turn."""

    url: str
    group: int | None
    first: list[LaunchRun] = field(default_factory=list)
    again: list[LaunchRun] = field(default_factory=list)
    next_sub: int = FLOOR_SUBS

    def turn(self, run: Run, window: float) -> None:
        """One window of new learners, then one of the same learners again."""
        part, again, self.next_sub = first_and_again(self.url, run.platform, window,
                                                     self.next_sub, self.group)
        part.learners = []  # the storm takes the tool's learners only
        self.first.append(part)
        if again is not None:
            self.again.append(again)


def server(run: Run) -> Gunicorn:
    """The record anchor under the tool's gunicorn settings, cache, database and platform."""
    url = run.backends.database_url
    pylti_anchor_app.prepare(url)
    env = {**run.app_env, "BENCH_PLATFORM_URL": run.platform.base_url,
           "BENCH_ANCHOR_RECORD_DB": url}
    return Gunicorn("bench.pylti_anchor_app:app", env, run.log_dir, "anchor-record", "/healthz")


KEYS = (("launch_floor_cpu_ms", f"{LABEL}: server CPU per first launch", "ms"),
        ("returning_launch_floor_cpu_ms", f"{LABEL}: server CPU per returning launch", "ms"),
        ("launch_floor_cpu_ratio", "Launch: floor CPU / tool CPU, first launch", "x"),
        ("returning_launch_floor_cpu_ratio", "Launch: floor CPU / tool CPU, returning launch",
         "x"))


def figures(tool: LaunchRun, again: LaunchRun, floor: Floor | None, reason: str = ""
            ) -> list[Figure]:
    """The floor's CPU per launch, and the floor's CPU over the tool's (1.0: at the floor)."""
    if floor is None or not floor.first:
        return unavailable(reason or "the record anchor did not run")
    out: list[Figure] = []
    ratios: list[Figure] = []
    for (key, label, unit), (rkey, rlabel, runit), mine, theirs in (
            (KEYS[0], KEYS[2], tool, merged(floor.first)),
            (KEYS[1], KEYS[3], again, merged(floor.again))):
        bare = cpu.per_operation_ms(theirs.cpu, len(theirs.latencies))
        ms = cpu.per_operation_ms(mine.cpu, len(mine.latencies))
        out.append(Figure(key, label, bare, unit))
        ratios.append(Figure(rkey, rlabel, bare / ms if bare and ms else None, runit))
    return out + ratios


def unavailable(reason: str) -> list[Figure]:
    """Every floor figure as n/a."""
    return [missing(key, label, reason, unit) for key, label, unit in KEYS]
