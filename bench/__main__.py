"""`python -m bench` (`make bench`): start the tool and a bare baseline under gunicorn, measure
pages, launches, a submission storm, handouts and item analysis, print a table and write
bench/results.json. A benchmark, not a test: it never fails on a number."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bench import backends, baseline_app, handouts, launches, pages, performance, storm, uploads
from bench.context import Plan, Run
from bench.load import ensure_wrk
from bench.platform import BenchPlatform
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


def register_platform(run: Run) -> None:
    """`flask --app wsgi lti add-platform` for the bench platform, like an administrator."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi",
                           *run.platform.cli_args()], cwd=backends.ROOT, env=run.app_env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"lti add-platform failed: {done.stderr[-300:]}")


def measure_all(run: Run, stack: ExitStack) -> list[Figure]:
    """Start both servers and run every phase against them."""
    env = run.app_env
    baseline = stack.enter_context(Gunicorn("bench.baseline_app:app", env, run.log_dir,
                                            "baseline", "/hello"))
    app = stack.enter_context(Gunicorn("wsgi:app", env, run.log_dir, "app", "/healthz"))
    run.baseline_url, run.app_url = baseline.base_url, app.base_url
    register_platform(run)
    figures = phase("Baseline and hello world (wrk)", run, pages.measure_baseline,
                    pages.baseline_unavailable)
    baseline.stop()  # idle from here on; free its memory
    figures += phase("Learner pages (wrk)", run, pages.measure_pages, pages.pages_unavailable)
    figures += phase(f"Performance pages ({performance.LEARNERS} learners x {performance.ITEMS} "
                     "items)", run, performance.measure, performance.unavailable)
    figures += phase("LTI launches", run, launches.measure, launches.unavailable)
    figures += phase(f"Submission storm ({run.plan.storm_size} learners)", run, storm.measure,
                     storm.unavailable)
    figures += phase("Handouts", run, handouts.measure, handouts.unavailable)
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


def bench(plan: Plan) -> tuple[list[Figure], Run]:
    """Set up the database, cache and servers in a temporary folder, measure, tear down."""
    with tempfile.TemporaryDirectory(prefix="msc-bench-") as tmp, ExitStack() as stack:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        chosen = backends.choose(instance)
        if chosen.own_database and chosen.database_kind == "postgresql":
            stack.callback(backends.drop_pg_database)
        schema = backends.prepare_schema(chosen)
        baseline_app.prepare(chosen.database_url)
        platform = stack.enter_context(BenchPlatform())
        run = Run(plan, chosen, Path(tmp), platform, app_env=chosen.app_env(),
                  notes=[*chosen.notes, schema])
        print(f"bench ({plan.name}): {chosen.database_kind}, "
              f"{'Redis' if chosen.redis_url else 'file cache'}; {schema}", flush=True)
        figures = measure_all(run, stack)
    return figures, run


def main(argv: list[str] | None = None) -> int:
    """Run the whole bench; exit 0 whatever the numbers are."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short windows (under 2 minutes)")
    plan = Plan.quick() if parser.parse_args(argv).quick else Plan.full()
    signal.signal(signal.SIGTERM, _interrupt)
    began, load_start = time.perf_counter(), _load()
    if ensure_wrk() is None:
        print("wrk is not installed: page figures will be n/a (apt-get install wrk)")
    figures, run = bench(plan)
    figures.append(item_analysis_figure())
    figures += phase("Upload worst cases (a fresh process each)", run, lambda _run: uploads.measure(),
                     lambda reason: [missing("upload_cases", "Upload worst cases", reason)])
    meta = {"mode": plan.name, "load_average_start": load_start, "load_average_end": _load(),
            "database": run.backends.database_kind,
            "cache": "redis" if run.backends.redis_url else "filesystem",
            "gunicorn": "2 sync workers", "wrk": f"-t2 -c50 -d{plan.wrk_seconds}s",
            "notes": run.notes, "elapsed_s": round(time.perf_counter() - began, 1)}
    print_table(figures, f"make bench ({plan.name}) - {meta['elapsed_s']:.0f} s")
    print(f"load average: {load_start} at start, {meta['load_average_end']} at end "
          f"({os.cpu_count()} cores); other processes on the machine skew these figures")
    for note in run.notes:
        print(f"note: {note}")
    write_results(figures, meta)
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("bench interrupted: every server it started has been stopped", file=sys.stderr)
        raise SystemExit(130) from None
