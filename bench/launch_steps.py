"""The launch step by step, in process: the LTI work alone against bare pylti1p3's, and the rest.

The windows in bench/launches.py weigh whole launches. This runs `python -m bench.profile_launch`
once, after them, and keeps what its step tables find (cumulative ms per login + launch under
cProfile, median of 3 rounds): the LTI work that the issue's launch target names (the login and
the id_token validation) for the tool and for bare pylti1p3, and what the tool does besides
(the record, the rate limits, the session cookie). A child process, so the app's environment
and imports stay out of the bench's own.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.report import Figure, missing

if TYPE_CHECKING:
    from bench.context import Run

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.0  # the LTI work costs at most bare pylti1p3's
# (key in the child's JSON, figure key, label, unit, target)
KEYS = (
    ("tool_lti_ms", "launch_lti_work_ms",
     "Launch, in process: the LTI work alone (login + id_token validation)", "ms", ""),
    ("bare_lti_ms", "anchor_launch_lti_work_ms",
     "Launch, in process: bare pylti1p3's LTI work (login + id_token validation)", "ms", ""),
    ("lti_ratio", "launch_lti_work_ratio_to_anchor",
     "Launch, in process: bare / tool for the LTI work alone", "x", f">= {TARGET:.1f} x"),
    ("record_ms", "launch_record_ms",
     "Launch, in process: the tool's record (context, user, membership)", "ms", ""),
    ("limits_ms", "launch_rate_limits_ms", "Launch, in process: the tool's rate limits", "ms", ""),
    ("session_ms", "launch_session_ms", "Launch, in process: the tool's session cookie", "ms", ""),
)


def figures(found: dict[str, Any]) -> list[Figure]:
    """The child's figures as the bench's; a missing value is n/a."""
    out = []
    for name, key, label, unit, target in KEYS:
        value = found.get(name)
        if not isinstance(value, (int, float)) or value <= 0:
            out.append(missing(key, label, "not found in the profile", unit, target))
            continue
        met = value >= TARGET if target else None
        out.append(Figure(key, label, float(value), unit, target, met=met))
    return out


def measure(run: Run) -> list[Figure]:
    """Profile the tool's and the anchor's launches in a child process; n/a when it fails."""
    launches = "20" if run.plan.name == "quick" else "40"
    with tempfile.TemporaryDirectory(prefix="msc-launch-steps-") as tmp:
        out = Path(tmp) / "figures.json"
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.profile_launch", "--launches", launches,
                 "--rounds", "3", "--top", "0", "--figures", str(out)],
                cwd=ROOT, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return unavailable("bench.profile_launch took over 300 s")
        if done.returncode != 0 or not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return unavailable(f"bench.profile_launch failed: {last}"[:120])
        return figures(json.loads(out.read_text()))


def unavailable(reason: str) -> list[Figure]:
    """Every step figure as n/a."""
    return [missing(key, label, reason, unit, target) for _n, key, label, unit, target in KEYS]
