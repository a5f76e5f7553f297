"""Launch windows: new or returning bench learners launched from threads, and what each cost."""
from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench import cpu
from bench.learner import Learner
from bench.load import percentile
from bench.platform import BenchPlatform

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
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by part (bench/cpu.py)

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
                limit: int = MAX_LAUNCHES, start: int = 0, cycle: int = 0,
                group: int | None = None) -> LaunchRun:
    """Launch new learners from `threads` threads until `seconds` pass or `limit` launched.

    With `cycle`, the learners numbered start .. start + cycle - 1 launch again in turn
    (returning learners, when they launched before). With `group`, the run records the CPU
    that server's process group, PostgreSQL and Redis spent in the window.
    """
    run, lock, counter = LaunchRun(), threading.Lock(), itertools.count(start)
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        """Launch one learner after another until the deadline."""
        while time.perf_counter() < deadline:
            n = next(counter)
            if n - start >= limit:
                return
            if cycle:
                n = start + (n - start) % cycle
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

    before = cpu.snapshot(group) if group else None
    began = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(worker)
    run.seconds = time.perf_counter() - began
    run.cpu = cpu.spent(before, cpu.snapshot(group) if group else None)
    run.learners.sort(key=lambda learner: learner.sub)
    return run


def merged(runs: list[LaunchRun]) -> LaunchRun:
    """Several windows as one: their seconds, latencies, failures and learners added up."""
    out = LaunchRun()
    for part in runs:
        out.seconds += part.seconds
        out.latencies += part.latencies
        out.failures += part.failures
        out.learners += part.learners
        for key, seconds in part.cpu.items():
            out.cpu[key] = out.cpu.get(key, 0.0) + seconds
    out.learners.sort(key=lambda learner: learner.sub)
    return out


def first_and_again(root: str, platform: BenchPlatform, window: float, start: int,
                    group: int | None) -> tuple[LaunchRun, LaunchRun | None, int]:
    """A window of new learners numbered from `start`, then a window of the same ones again.

    Returns both runs (the second None when nobody launched) and the next unused number.
    """
    first = launch_many(root, platform, window, start=start, group=group)
    following = start + len(first.latencies) + len(first.failures) + THREADS
    if not first.latencies:
        return first, None, following
    again = launch_many(root, platform, window, start=start, cycle=len(first.latencies),
                        group=group)
    again.learners = []  # the storm wants learners with one session each
    return first, again, following
