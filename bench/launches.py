"""LTI launches per second: OIDC login + id_token validation, against a bare hello-world route.

The bench platform signs each id_token in the bench process, so the figure is the tool's own
cost (two requests per launch). The demo platform's full round trip (its /demo pages sign too,
inside the same gunicorn) is measured separately for reference.
"""
from __future__ import annotations

import itertools
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests

from bench.learner import Learner, csrf_token
from bench.load import percentile
from bench.platform import BenchPlatform
from bench.report import Figure, missing

if TYPE_CHECKING:
    from bench.context import Run

THREADS = 8
MAX_LAUNCHES = 5000
COURSE = "bench-course-1"


@dataclass
class LaunchRun:
    """Launches completed in a time window, their latencies and the learners they made."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    learners: list[Learner] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Completed launches per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def p(self, pct: float) -> float | None:
        """A latency percentile in milliseconds."""
        value = percentile(self.latencies, pct)
        return None if value is None else value * 1000


def sub_for(n: int) -> str:
    """The bench learner id for sequence number n."""
    return f"bench-learner-{n:05d}"


def launch_many(root: str, platform: BenchPlatform, seconds: float, threads: int = THREADS,
                limit: int = MAX_LAUNCHES, start: int = 0) -> LaunchRun:
    """Launch new learners from `threads` threads until `seconds` pass or `limit` launched."""
    run, lock, counter = LaunchRun(), threading.Lock(), itertools.count(start)
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        """Launch one learner after another until the deadline."""
        while time.perf_counter() < deadline:
            n = next(counter)
            if n - start >= limit:
                return
            learner = Learner(root, platform, sub_for(n), COURSE)
            try:
                took = learner.launch()
            except Exception as exc:  # any failure is counted, never fatal
                with lock:
                    run.failures.append(f"{exc.__class__.__name__}: {exc}"[:200])
                continue
            with lock:
                run.latencies.append(took)
                run.learners.append(learner)

    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    run.seconds = time.perf_counter() - began
    run.learners.sort(key=lambda learner: learner.sub)
    return run


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


LAUNCH_RATIO_TARGET = 0.25


def measure(run: Run) -> list[Figure]:
    """Launches per second from the bench platform, the ratio to hello world, the demo rate."""
    result = launch_many(run.app_url, run.platform, run.plan.launch_seconds, start=run.next_sub)
    run.next_sub += len(result.latencies) + len(result.failures) + THREADS
    run.learners.extend(result.learners)
    label = "LTI launches (login + id_token validation)"
    out = [Figure("launches_per_s", label, result.rate, "launches/s"),
           Figure("launch_p50_ms", "Launch: p50", result.p(50), "ms"),
           Figure("launch_p99_ms", "Launch: p99", result.p(99), "ms"),
           Figure("launch_failures", "Launch: failures", len(result.failures))]
    if result.failures:
        run.notes.append(f"launch failures, e.g. {result.failures[0]}")
    target = f">= {LAUNCH_RATIO_TARGET:.0%}"
    if run.hello_rps and result.latencies:
        ratio = result.rate / run.hello_rps
        out.append(Figure("launches_ratio_to_hello", "Launches: ratio to hello world", ratio,
                          "x", target, met=ratio >= LAUNCH_RATIO_TARGET))
    else:
        out.append(missing("launches_ratio_to_hello", "Launches: ratio to hello world",
                           "hello world or launches not measured", "", target))
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
    return [missing(key, label, reason) for key, label in (
        ("launches_per_s", "LTI launches (login + id_token validation)"),
        ("launch_p50_ms", "Launch: p50"), ("launch_p99_ms", "Launch: p99"),
        ("launch_failures", "Launch: failures"),
        ("launches_ratio_to_hello", "Launches: ratio to hello world"),
        ("demo_launches_per_s", "Demo-platform launches (full round trip)"))]
