"""What every measurement shares: the plan (durations), the servers and the learners made, and
the set-up and tear-down around a run (`bench_run`)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import backends
from bench.backends import Backends
from bench.learner import Learner
from bench.platform import BenchPlatform


@dataclass(frozen=True)
class Plan:
    """Durations and sizes: the full run keeps under ~6 minutes, --quick under 2."""

    name: str
    wrk_seconds: int
    warm_seconds: int
    light_seconds: int  # the 2-connection run: latency without a queue in front of it
    launch_seconds: float
    demo_seconds: float
    storm_size: int
    renders: int
    downloads: int

    @classmethod
    def full(cls) -> Plan:
        """The figures docs/performance.md quotes."""
        # 200 cached downloads (about 0.6 s): a p99 of 20 was the single slowest download.
        return cls("full", 10, 2, 5, 10.0, 5.0, 300, 3, 200)

    @classmethod
    def quick(cls) -> Plan:
        """Shorter windows and a smaller storm, to check the harness itself."""
        return cls("quick", 3, 1, 2, 3.0, 2.0, 50, 2, 5)


@dataclass
class Run:
    """The state of one bench run, filled in as the phases go."""

    plan: Plan
    backends: Backends
    log_dir: Path
    platform: BenchPlatform
    baseline_url: str = ""
    app_url: str = ""
    app_group: int | None = None  # the tool's gunicorn process group, for CPU figures
    app_env: dict[str, str] = field(default_factory=dict)
    baseline_rps: float | None = None
    hello_rps: float | None = None
    reader: Learner | None = None  # the learner whose pages wrk loads
    learners: list[Learner] = field(default_factory=list)  # launched learners, for the storm
    next_sub: int = 0  # the next unused bench learner number
    notes: list[str] = field(default_factory=list)


@contextmanager
def bench_run(plan: Plan, prefix: str) -> Iterator[tuple[Run, ExitStack]]:
    """A temporary folder, the database and cache with the schema migrated, and the bench
    platform; yields the run and the stack that later servers join. All torn down on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp, ExitStack() as stack:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        chosen = backends.choose(instance)
        if chosen.own_database and chosen.database_kind == "postgresql":
            stack.callback(backends.drop_pg_database)
        schema = backends.prepare_schema(chosen)
        platform = stack.enter_context(BenchPlatform())
        yield (Run(plan, chosen, Path(tmp), platform, app_env=chosen.app_env(),
                   notes=[*chosen.notes, schema]), stack)


def register_platform(run: Run) -> None:
    """`flask --app wsgi lti add-platform` for the bench platform, like an administrator."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi",
                           *run.platform.cli_args()], cwd=backends.ROOT, env=run.app_env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"lti add-platform failed: {done.stderr[-300:]}")
