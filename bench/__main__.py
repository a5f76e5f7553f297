"""`python -m bench` (`make bench`): start the tool and a bare baseline under gunicorn, measure
pages, launches, a submission storm, handouts and item analysis, print a table and write
bench/results.json. A benchmark, not a test: it never fails on a number."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack

from bench import baseline_app, handouts, launches, pages, performance, storm, uploads
from bench.context import Plan, Run, bench_run, register_platform
from bench.load import ensure_wrk
from bench.report import RESULTS, Figure, missing, print_table, write_results
from bench.server import Gunicorn

Phase = Callable[[Run], list[Figure]]


def _interrupt(signum: int, frame: object) -> None:
    """Turn SIGTERM into KeyboardInterrupt so every server is stopped on the way out."""
    raise KeyboardInterrupt


def phase(name: str, run: Run, measure: Phase, unavailable: Callable[[str], list[Figure]],
          ) -> list[Figure]:
    """Run one measurement; an exception makes its figures n/a with the reason."""
    print(f"== {name}", flush=True)
    began = time.perf_counter()
    try:
        figures = measure(run)
    except Exception as exc:  # a benchmark reports what it could not measure and goes on
        traceback.print_exc(limit=3, file=sys.stderr)
        figures = unavailable(f"{exc.__class__.__name__}: {exc}"[:120])
    print(f"   {time.perf_counter() - began:.0f} s", flush=True)
    return figures


def _load() -> float | None:
    """The 1-minute load average: other work on the machine skews every figure."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


PHASES = ("baseline", "pages", "performance", "launches", "storm", "handouts")


def measure_all(run: Run, stack: ExitStack, only: frozenset[str] = frozenset(PHASES)
                ) -> list[Figure]:
    """Start both servers and run every phase (or those named in `only`) against them."""
    env = run.app_env
    baseline = None
    if "baseline" in only:
        baseline = stack.enter_context(Gunicorn("bench.baseline_app:app", env, run.log_dir,
                                                "baseline", "/hello"))
        run.baseline_url = baseline.base_url
    app = stack.enter_context(Gunicorn("wsgi:app", env, run.log_dir, "app", "/healthz"))
    run.app_url, run.app_group = app.base_url, app.group
    register_platform(run)
    figures: list[Figure] = []
    if baseline is not None:
        figures += phase("Baseline and hello world (wrk)", run, pages.measure_baseline,
                         pages.baseline_unavailable)
        if "pages" not in only:
            baseline.stop()  # idle from here on; free its memory
    steps: list[tuple[str, str, Phase, Callable[[str], list[Figure]]]] = [
        ("pages", "Learner pages (wrk)", pages.measure_pages, pages.pages_unavailable),
        ("performance", f"Performance pages ({performance.LEARNERS} learners x "
         f"{performance.ITEMS} items)", performance.measure, performance.unavailable),
        ("launches", "LTI launches (tool and bare pylti1p3, taking turns)", launches.measure,
         launches.unavailable),
        ("storm", f"Submission storm ({run.plan.storm_size} learners)", storm.measure,
         storm.unavailable),
        ("handouts", "Handouts", handouts.measure, handouts.unavailable)]
    for key, name, measure, unavailable in steps:
        if key in only:
            figures += phase(name, run, measure, unavailable)
        if key == "pages" and baseline is not None:
            baseline.stop()  # the pages' ratios are taken beside it; idle from here on
    return figures


def item_analysis_figure() -> Figure:
    """Run bench/item_analysis.py (it records its own key) and read its figure back."""
    key, label = "item_analysis_1000x60_s", "Item analysis, 1,000 attempts x 60 items"
    try:
        from bench import item_analysis
        item_analysis.main()
        return Figure(key, label, json.loads(RESULTS.read_text())[key], "s")
    except Exception as exc:  # statistics may not have landed
        return missing(key, label, f"{exc.__class__.__name__}: {exc}"[:120], "s")


def bench(plan: Plan, only: frozenset[str] = frozenset(PHASES)) -> tuple[list[Figure], Run]:
    """Set up the database, cache and servers in a temporary folder, measure, tear down."""
    with bench_run(plan, "msc-bench-") as (run, stack):
        baseline_app.prepare(run.backends.database_url)
        print(f"bench ({plan.name}): {run.backends.database_kind}, "
              f"{'Redis' if run.backends.redis_url else 'file cache'}; {run.notes[-1]}",
              flush=True)
        figures = measure_all(run, stack, only)
    return figures, run


def main(argv: list[str] | None = None) -> int:
    """Run the whole bench; exit 0 whatever the numbers are."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short windows (under 2 minutes)")
    parser.add_argument("--only", help=f"comma-separated phases of {','.join(PHASES)} (no item "
                        "analysis or uploads); results.json keeps the other keys")
    parser.add_argument("--storm-matrix", action="store_true",
                        help="the storm under each gunicorn setting (bench/storm_matrix.py)")
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan.full()
    signal.signal(signal.SIGTERM, _interrupt)
    if args.storm_matrix:
        from bench import storm_matrix
        return storm_matrix.main(plan)
    only = frozenset(p.strip() for p in (args.only or ",".join(PHASES)).split(",") if p.strip())
    if only - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(only - set(PHASES)))}")
    began, load_start = time.perf_counter(), _load()
    if only & {"baseline", "pages", "performance"} and ensure_wrk() is None:
        print("wrk is not installed: page figures will be n/a (apt-get install wrk)")
    figures, run = bench(plan, only)
    if args.only is None:
        figures.append(item_analysis_figure())
        figures += phase("Upload worst cases (a fresh process each)", run,
                         lambda _run: uploads.measure(),
                         lambda reason: [missing("upload_cases", "Upload worst cases", reason)])
    meta = {"mode": plan.name, "load_average_start": load_start, "load_average_end": _load(),
            "database": run.backends.database_kind,
            "cache": "redis" if run.backends.redis_url else "filesystem",
            "gunicorn": "2 sync workers", "phases": sorted(only), "wrk": f"-t2 -c50 -d{plan.wrk_seconds}s",
            "notes": run.notes, "elapsed_s": round(time.perf_counter() - began, 1)}
    print_table(figures, f"make bench ({plan.name}) - {meta['elapsed_s']:.0f} s")
    print(f"load average: {load_start} at start, {meta['load_average_end']} at end "
          f"({os.cpu_count()} cores); other processes on the machine skew these figures")
    for note in run.notes:
        print(f"note: {note}")
    write_results(figures, meta, meta_key="_meta" if args.only is None else "_meta_partial")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("bench interrupted: every server it started has been stopped", file=sys.stderr)
        raise SystemExit(130) from None
