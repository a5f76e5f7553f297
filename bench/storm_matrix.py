"""The storm under each gunicorn setting: `python -m bench --storm-matrix [--quick]`.

Runs the submission storm (bench/storm.py) once per setting below, each against a freshly
started tool with its own learners, and prints p50/p99, submissions answered per second, lost
and duplicated scores, and the load average when the storm started. The figures go into
bench/results.json as `storm_matrix_<setting>_<figure>`. It takes about 5 minutes (full); on a
shared machine the load average beside each row says how far to trust it.
"""
from __future__ import annotations

import os
import time

from bench import storm
from bench.context import Plan, Run, bench_run, register_platform
from bench.report import RESULTS, Figure, write_results
from bench.server import Gunicorn

# (workers, worker class, threads per worker): WEB_CONCURRENCY 2/3/4, sync against gthread.
SETTINGS = ((2, "sync", 1), (3, "sync", 1), (4, "sync", 1),
            (2, "gthread", 4), (3, "gthread", 4), (4, "gthread", 4))
SHOWN = (("storm_submit_p50_ms", "p50 ms"), ("storm_submit_p99_ms", "p99 ms"),
         ("storm_submit_rate", "answered/s"), ("storm_submitted", "submitted"),
         ("storm_submit_errors", "failed"), ("storm_lost", "lost"),
         ("storm_duplicated", "dup."), ("storm_drain_s", "drain s"))


def slug(workers: int, kind: str, threads: int) -> str:
    """A results key fragment, e.g. '3_sync' or '2_gthread_4'."""
    return f"{workers}_{kind}" + (f"_{threads}" if kind == "gthread" else "")


def one_storm(run: Run, cell: int, setting: tuple[int, str, int]) -> list[Figure]:
    """Start the tool with one setting, run the storm with fresh learners, stop the tool."""
    workers, kind, threads = setting
    run.learners, run.next_sub = [], (cell + 1) * 100_000  # bench-learner-<cell+1>xxxxx
    load = os.getloadavg()[0]
    with Gunicorn("wsgi:app", run.app_env, run.log_dir, f"app-{slug(*setting)}", "/healthz",
                  workers=workers, worker_class=kind, threads=threads) as app:
        run.app_url = app.base_url
        figures = storm.measure(run, prefix=f"bench-learner-{cell + 1}", anchor=False)
    key = slug(*setting)
    return [Figure(f"storm_matrix_{key}_load", f"{app.settings}: load average at start",
                   round(load, 2)),
            *(Figure(f"storm_matrix_{key}_{f.key.removeprefix('storm_')}",
                     f"{app.settings}: {f.label}", f.value, f.unit, f.target, f.reason, f.met)
              for f in figures)]


def table(rows: list[tuple[str, str, list[Figure]]]) -> None:
    """One line per setting with the storm's main figures."""
    heads = ["gunicorn", "load", *(label for _, label in SHOWN)]
    lines = [heads]
    for name, key, figures in rows:
        by_key = {f.key.removeprefix(f"storm_matrix_{key}_"): f for f in figures}
        cells = [name, by_key["load"].shown()]
        for wanted, _label in SHOWN:
            found = by_key.get(wanted.removeprefix("storm_"))
            cells.append(found.shown().split(" (")[0] if found else "n/a")
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(heads))]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())


def main(plan: Plan) -> int:
    """Run every setting's storm and print the table; never fails on a number."""
    began = time.perf_counter()
    rows: list[tuple[str, str, list[Figure]]] = []
    with bench_run(plan, "msc-storm-matrix-") as (run, _stack):
        register_platform(run)
        print(f"storm matrix ({plan.name}, {plan.storm_size} learners per storm): "
              f"{run.backends.database_kind}, "
              f"{'Redis' if run.backends.redis_url else 'file cache'}", flush=True)
        for cell, setting in enumerate(SETTINGS):
            print(f"== {slug(*setting)}", flush=True)
            try:
                figures = one_storm(run, cell, setting)
            except Exception as exc:  # one setting failing must not hide the others
                print(f"   failed: {exc.__class__.__name__}: {exc}"[:200], flush=True)
                continue
            rows.append((figures[0].label.split(":")[0], slug(*setting), figures))
    print(f"\nstorm matrix - {time.perf_counter() - began:.0f} s; {os.cpu_count()} cores; "
          "other processes on the machine skew these figures")
    table(rows)
    for note in run.notes:
        print(f"note: {note}")
    write_results([f for _, _, figures in rows for f in figures],
                  {"mode": f"storm-matrix {plan.name}", "notes": run.notes},
                  meta_key="_meta_storm_matrix")
    print(f"wrote {RESULTS}")
    return 0
