"""The bench's CPU meter (bench/cpu.py): a server's process group is counted, nothing else is."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import cpu

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
# Waits for a line, burns `seconds` of CPU, says so, and stays alive until its stdin closes.
BURN = ("import sys, time\nsys.stdin.readline()\nend = time.process_time() + {seconds}\n"
        "while time.process_time() < end: pass\nprint('done', flush=True)\nsys.stdin.read()\n")


def test_a_groups_cpu_is_counted_and_other_work_is_not() -> None:
    # In its own session, as bench/server.py starts gunicorn.
    proc = subprocess.Popen([sys.executable, "-c", BURN.format(seconds=0.4)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        time.sleep(0.2)  # the interpreter's start-up, before the first snapshot
        before = cpu.snapshot(proc.pid)
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        end = time.process_time() + 0.3  # this process's own work, outside the group
        while time.process_time() < end:
            pass
        assert proc.stdout.readline() == b"done\n"
        after = cpu.snapshot(proc.pid)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    used = cpu.spent(before, after)
    assert set(used) == {"app", "PostgreSQL", "Redis"}
    assert 0.38 <= used["app"] <= 0.6, used  # the burn, not the 0.3 s of this process


def test_per_operation_ms() -> None:
    used = {"app": 0.3, "PostgreSQL": 0.1, "Redis": 0.0}
    assert cpu.per_operation_ms(used, 100) == pytest.approx(4.0)
    assert cpu.per_operation_ms(used, 100, "app") == pytest.approx(3.0)
    assert cpu.per_operation_ms({}, 100) is None
    assert cpu.per_operation_ms(used, 0) is None
    assert cpu.spent(None, used) == {}


def test_storm_cpu_figures_are_per_answered_submission() -> None:
    from bench.storm import Storm, _cpu_figures
    storm = Storm(latencies=[0.1] * 200, cpu={"app": 0.6, "PostgreSQL": 0.3, "Redis": 0.1})
    found = {f.key: f.value for f in _cpu_figures("storm", "Storm", storm)}
    assert found == {"storm_cpu_ms": pytest.approx(5.0), "storm_cpu_workers_ms": pytest.approx(3.0)}
    unmeasured = {f.key: f.value for f in _cpu_figures("storm", "Storm", Storm(latencies=[0.1]))}
    assert unmeasured == {"storm_cpu_ms": None, "storm_cpu_workers_ms": None}
