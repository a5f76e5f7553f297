"""LTI launches per second: OIDC login + id_token validation, against bare pylti1p3.

The bench platform signs each id_token in the bench process, so the figure is the tool's own
cost (two requests per launch). The anchor is a bare pylti1p3 launch (bench/pylti_anchor_app.py)
under the same gunicorn settings and cache, launched by the same client; the tool and the anchor
take turns in short windows so that other load on the machine falls on both alike. The demo
platform's full round trip (its /demo pages sign too, inside the same gunicorn) is measured
separately for reference.
"""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import requests

from bench import cpu, launch_floor, launch_steps
from bench.launch_runs import THREADS, LaunchRun, first_and_again, launch_many, merged
from bench.learner import csrf_token
from bench.report import Figure, missing
from bench.server import Gunicorn

if TYPE_CHECKING:
    from bench.context import Run

TURNS = 2  # windows each for the tool and the anchor, alternating
ANCHOR_SUBS = 900_000  # anchor learners are numbered apart from the tool's (it keeps no users)


def tool_and_anchor(run: Run, anchor_url: str | None, anchor_group: int | None = None,
                    floor: launch_floor.Floor | None = None
                    ) -> tuple[LaunchRun, LaunchRun, LaunchRun | None]:
    """The anchor, the tool's first launches and its returning launches, in alternating windows.

    Returns (tool first launches, tool returning launches, anchor or None); `floor`, when
    given, takes its turns in between and keeps its own windows (bench/launch_floor.py).
    """
    window = run.plan.launch_seconds / TURNS
    # One launch each first, not counted: the course's first launch creates it and its quizzes,
    # and each worker's first request loads the app's lazy parts.
    for root in (anchor_url, floor.url if floor else None, run.app_url):
        if root:
            launch_many(root, run.platform, 30.0, threads=1, limit=1, start=ANCHOR_SUBS - 10)
            launch_many(root, run.platform, 30.0, threads=4, limit=4, start=ANCHOR_SUBS - 9)
    tool_runs: list[LaunchRun] = []
    again_runs: list[LaunchRun] = []
    anchor_runs: list[LaunchRun] = []
    anchor_next = ANCHOR_SUBS
    for _ in range(TURNS):
        if anchor_url:
            part = launch_many(anchor_url, run.platform, window, start=anchor_next,
                               group=anchor_group)
            anchor_next += len(part.latencies) + len(part.failures) + THREADS
            part.learners = []  # nothing to reuse: the anchor has no course behind its launch
            anchor_runs.append(part)
        if floor is not None:
            floor.turn(run, window)
        # The same learners again in the second window: the launch a class makes every day.
        part, again, run.next_sub = first_and_again(run.app_url, run.platform, window,
                                                    run.next_sub, run.app_group)
        tool_runs.append(part)
        if again is not None:
            again_runs.append(again)
    return (merged(tool_runs), merged(again_runs),
            merged(anchor_runs) if anchor_runs else None)


def anchor_server(run: Run) -> Gunicorn:
    """The bare pylti1p3 app under the same gunicorn settings, cache and platform as the tool."""
    env = {**run.app_env, "BENCH_PLATFORM_URL": run.platform.base_url}
    return Gunicorn("bench.pylti_anchor_app:app", env, run.log_dir, "anchor", "/healthz")


def demo_launch(root: str, person: str = "demo-learner", course: str = "demo-course-1") -> None:
    """The demo platform's whole journey: /demo form, start, tool login, platform auth, launch."""
    http = requests.Session()
    token = csrf_token(http.get(f"{root}/demo/", timeout=30).text)
    resp = http.post(f"{root}/demo/start", data={"csrf_token": token, "person": person,
                                                 "course": course, "kind": "resource"},
                     allow_redirects=False, timeout=30)
    resp = http.get(resp.headers["Location"], allow_redirects=False, timeout=30)
    page = http.get(resp.headers["Location"], timeout=30).text
    action = re.search(r'action="([^"]+)"', page)
    fields = dict(re.findall(r'name="(id_token|state)" value="([^"]+)"', page))
    if not action or len(fields) != 2:
        raise RuntimeError("the demo platform did not return its auto-post form")
    resp = http.post(action.group(1), data=fields, allow_redirects=False, timeout=30)
    if resp.status_code != 302 or "/c/" not in resp.headers.get("Location", ""):
        raise RuntimeError(f"demo launch answered {resp.status_code}")


def demo_rate(root: str, seconds: float, threads: int = 4) -> tuple[float, int, list[str]]:
    """Demo-platform launches per second over `seconds`; (rate, completed, failures)."""
    done, lock = [0], threading.Lock()
    failures: list[str] = []
    deadline = time.perf_counter() + seconds
    people = ("demo-learner", "demo-learner-2")

    def worker(i: int) -> None:
        """Launch repeatedly as one demo learner."""
        while time.perf_counter() < deadline and len(failures) < 50:
            try:
                demo_launch(root, people[i % 2])
            except Exception as exc:  # counted, never fatal
                with lock:
                    failures.append(f"{exc.__class__.__name__}: {exc}"[:200])
                continue
            with lock:
                done[0] += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for i in range(threads):
            pool.submit(worker, i)
    elapsed = time.perf_counter() - began
    return (done[0] / elapsed if elapsed else 0.0), done[0], failures


# Issue 18: a launch costs at most the bare pylti1p3 launch, so launches/s at least the anchor's.
ANCHOR_RATIO_TARGET = 1.0
ANCHOR_LABEL = "Bare pylti1p3 launches (anchor, same gunicorn and cache)"


def anchor_figures(run: Run, tool: LaunchRun, anchor: LaunchRun | None, reason: str
                   ) -> list[Figure]:
    """The anchor's rate and latencies, and the tool's rate as a ratio to it."""
    target = f">= {ANCHOR_RATIO_TARGET:.1f} x"
    keys = (("anchor_launches_per_s", ANCHOR_LABEL, "launches/s"),
            ("anchor_launch_p50_ms", "Anchor launch: p50", "ms"),
            ("anchor_launch_p99_ms", "Anchor launch: p99", "ms"))
    if anchor is None or not anchor.latencies:
        why = reason or (anchor.failures[0] if anchor and anchor.failures else "none completed")
        return [*(missing(k, label, why, unit) for k, label, unit in keys),
                missing("launches_ratio_to_anchor", "Launches: tool / bare pylti1p3", why, "x",
                        target)]
    if anchor.failures:
        run.notes.append(f"anchor launch failures: {len(anchor.failures)}, "
                         f"e.g. {anchor.failures[0]}")
    ratio = tool.rate / anchor.rate if tool.latencies else None
    return [Figure(keys[0][0], keys[0][1], anchor.rate, keys[0][2]),
            Figure(keys[1][0], keys[1][1], anchor.p(50), "ms"),
            Figure(keys[2][0], keys[2][1], anchor.p(99), "ms"),
            Figure("launches_ratio_to_anchor", "Launches: tool / bare pylti1p3", ratio, "x",
                   target, met=None if ratio is None else ratio >= ANCHOR_RATIO_TARGET)]


def returning_figures(again: LaunchRun, anchor: LaunchRun | None) -> list[Figure]:
    """Returning learners' launches (nothing to insert), and their ratio to the anchor."""
    label = "Returning learners' launches"
    target = f">= {ANCHOR_RATIO_TARGET:.1f} x"
    if not again.latencies:
        why = again.failures[0] if again.failures else "no learner launched a first time"
        return [missing("returning_launches_per_s", label, why, "launches/s"),
                missing("returning_launches_ratio_to_anchor",
                        "Returning launches: tool / bare pylti1p3", why, "x", target)]
    ratio = again.rate / anchor.rate if anchor and anchor.latencies else None
    return [Figure("returning_launches_per_s", label, again.rate, "launches/s"),
            Figure("returning_launch_p99_ms", "Returning launch: p99", again.p(99), "ms"),
            Figure("returning_launch_failures", "Returning launch: failures",
                   len(again.failures)),
            Figure("returning_launches_ratio_to_anchor", "Returning launches: tool / bare pylti1p3",
                   ratio, "x", target,
                   met=None if ratio is None else ratio >= ANCHOR_RATIO_TARGET)]


def cpu_figures(tool: LaunchRun, again: LaunchRun, anchor: LaunchRun | None) -> list[Figure]:
    """Server CPU per launch (gunicorn workers + PostgreSQL + Redis), and anchor / tool."""
    target, out = f">= {ANCHOR_RATIO_TARGET:.1f} x", []
    bare = cpu.per_operation_ms(anchor.cpu, len(anchor.latencies)) if anchor else None
    for key, label, part in (("launch", "Launch", tool), ("returning_launch", "Returning launch",
                                                          again)):
        ms = cpu.per_operation_ms(part.cpu, len(part.latencies))
        workers = cpu.per_operation_ms(part.cpu, len(part.latencies), "app")
        out += [Figure(f"{key}_cpu_ms", f"{label}: server CPU (workers + PostgreSQL + Redis)", ms,
                       "ms"),
                Figure(f"{key}_cpu_workers_ms", f"{label}: CPU in the gunicorn workers", workers,
                       "ms")]
        ratio = bare / ms if bare is not None and ms else None
        out.append(Figure(f"{key}_cpu_ratio_to_anchor", f"{label}: anchor CPU / tool CPU", ratio,
                          "x", target, met=None if ratio is None else ratio >= ANCHOR_RATIO_TARGET))
    out += [Figure("anchor_launch_cpu_ms",
                   "Anchor launch: server CPU (workers + PostgreSQL + Redis)", bare, "ms"),
            Figure("anchor_launch_cpu_workers_ms", "Anchor launch: CPU in the gunicorn workers",
                   cpu.per_operation_ms(anchor.cpu, len(anchor.latencies), "app") if anchor
                   else None, "ms")]
    return out


def measure(run: Run) -> list[Figure]:
    """Launches per second from the tool and the anchor, their ratio, and the demo rate."""
    reason, floor = "", None
    try:
        with anchor_server(run) as anchor_app, launch_floor.server(run) as floor_app:
            floor = launch_floor.Floor(floor_app.base_url, floor_app.group)
            result, again, anchor = tool_and_anchor(run, anchor_app.base_url, anchor_app.group,
                                                    floor)
    except RuntimeError as exc:  # an anchor did not start: measure the tool alone
        reason, floor = f"anchor did not start: {exc}"[:120], None
        result, again, anchor = tool_and_anchor(run, None)
    run.learners.extend(result.learners)
    label = "LTI launches (login + id_token validation)"
    out = [Figure("launches_per_s", label, result.rate, "launches/s"),
           Figure("launch_p50_ms", "Launch: p50", result.p(50), "ms"),
           Figure("launch_p99_ms", "Launch: p99", result.p(99), "ms"),
           Figure("launch_failures", "Launch: failures", len(result.failures))]
    if result.failures:
        run.notes.append(f"launch failures, e.g. {result.failures[0]}")
    out += anchor_figures(run, result, anchor, reason)
    out += returning_figures(again, anchor)
    out += cpu_figures(result, again, anchor)
    out += launch_floor.figures(result, again, floor, reason)
    out += launch_steps.measure(run)  # after the windows: its servers are stopped by now
    # No target: issue 18 measures a launch against bare pylti1p3, not against hello world.
    if run.hello_rps and result.latencies:
        out.append(Figure("launches_ratio_to_hello", "Launches: ratio to hello world",
                          result.rate / run.hello_rps, "x"))
    else:
        out.append(missing("launches_ratio_to_hello", "Launches: ratio to hello world",
                           "hello world or launches not measured", "x"))
    rate, done, failures = demo_rate(run.app_url, run.plan.demo_seconds)
    if done:
        out.append(Figure("demo_launches_per_s", "Demo-platform launches (full round trip)",
                          rate, "launches/s"))
    else:
        out.append(missing("demo_launches_per_s", "Demo-platform launches (full round trip)",
                           failures[0] if failures else "none completed"))
    return out


def unavailable(reason: str) -> list[Figure]:
    """Every launch figure as n/a."""
    return launch_floor.unavailable(reason) + launch_steps.unavailable(reason) + [
        missing(key, label, reason) for key, label in (
        ("launches_per_s", "LTI launches (login + id_token validation)"),
        ("launch_p50_ms", "Launch: p50"), ("launch_p99_ms", "Launch: p99"),
        ("launch_failures", "Launch: failures"),
        ("anchor_launches_per_s", ANCHOR_LABEL), ("anchor_launch_p50_ms", "Anchor launch: p50"),
        ("anchor_launch_p99_ms", "Anchor launch: p99"),
        ("launches_ratio_to_anchor", "Launches: tool / bare pylti1p3"),
        ("returning_launches_per_s", "Returning learners' launches"),
        ("returning_launch_p99_ms", "Returning launch: p99"),
        ("returning_launch_failures", "Returning launch: failures"),
        ("returning_launches_ratio_to_anchor", "Returning launches: tool / bare pylti1p3"),
        ("launch_cpu_ms", "Launch: server CPU (workers + PostgreSQL + Redis)"),
        ("launch_cpu_workers_ms", "Launch: CPU in the gunicorn workers"),
        ("launch_cpu_ratio_to_anchor", "Launch: anchor CPU / tool CPU"),
        ("returning_launch_cpu_ms", "Returning launch: server CPU (workers + PostgreSQL + Redis)"),
        ("returning_launch_cpu_workers_ms", "Returning launch: CPU in the gunicorn workers"),
        ("returning_launch_cpu_ratio_to_anchor", "Returning launch: anchor CPU / tool CPU"),
        ("anchor_launch_cpu_ms", "Anchor launch: server CPU (workers + PostgreSQL + Redis)"),
        ("anchor_launch_cpu_workers_ms", "Anchor launch: CPU in the gunicorn workers"),
        ("launches_ratio_to_hello", "Launches: ratio to hello world"),
        ("demo_launches_per_s", "Demo-platform launches (full round trip)"))]
