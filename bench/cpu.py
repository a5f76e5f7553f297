"""CPU seconds used by a server's process group and by the database and cache, read from /proc.

A launch's cost is the CPU the servers spend on it. Launches per second also carry the bench
client's own work (it signs every id_token and speaks HTTP from one Python process on the same 2
cores), which is the same for the tool and the anchor and so pulls their ratio towards 1 and
makes it swing between runs (0.85 to 1.01 on one machine, 5 December 2026). CPU per launch
leaves the client out.
"""
from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
SERVICES = {"postgres": "PostgreSQL", "redis-server": "Redis"}
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid_dir: Path) -> tuple[str, int, float] | None:
    """(command name, process group, CPU seconds) of one process, None when it has gone."""
    try:
        text = (pid_dir / "stat").read_text()
    except OSError:
        return None
    # The name sits in parentheses and may hold spaces; the fields after it are space-separated.
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    # fields[2] is pgrp; fields[11] and [12] are utime and stime in clock ticks (proc(5)).
    return name, int(fields[2]), (int(fields[11]) + int(fields[12])) / _TICK


def snapshot(group: int) -> dict[str, float] | None:
    """CPU seconds so far of process group `group` ("app") and of each service; None off Linux.

    A process that exits between two snapshots takes its seconds with it; gunicorn's workers
    and the services' processes live through a bench window.
    """
    if not (PROC / "self" / "stat").exists():
        return None
    out = {"app": 0.0, **{label: 0.0 for label in SERVICES.values()}}
    for pid_dir in PROC.iterdir():
        if not pid_dir.name.isdigit():
            continue
        found = _stat(pid_dir)
        if found is None:
            continue
        name, pgrp, seconds = found
        if pgrp == group:
            out["app"] += seconds
        elif name in SERVICES:
            out[SERVICES[name]] += seconds
    return out


def spent(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, float]:
    """What each part used between two snapshots (empty when either is missing)."""
    if before is None or after is None:
        return {}
    return {key: max(0.0, after[key] - before[key]) for key in before}


def per_operation_ms(used: dict[str, float], count: int, part: str | None = None) -> float | None:
    """Milliseconds of CPU per operation, all parts together or one part; None when unmeasured."""
    if not used or not count:
        return None
    return (used[part] if part else sum(used.values())) * 1000 / count
