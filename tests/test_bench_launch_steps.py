"""The launch's step figures: the profile's step table, the LTI work alone, and make bench's figures."""
from __future__ import annotations

import cProfile
import pstats
import subprocess
from types import SimpleNamespace
from typing import Any

import pytest

from bench import launch_steps, profile_launch
from bench.profile_common import Sample, steps


def _inner(n: int) -> int:
    """Some work to be found as a step."""
    return sum(range(n))


def _outer(n: int) -> int:
    """Calls the inner step twice."""
    return _inner(n) + _inner(n)


def test_steps_are_cumulative_per_operation_and_skip_what_was_not_seen() -> None:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(4):
        _outer(20_000)
    profile.disable()
    found = steps(pstats.Stats(profile), 4, (
        (__file__.rsplit("/", 1)[-1], "_outer", "outer"),
        (__file__.rsplit("/", 1)[-1], "_inner", "inner"),
        ("no/such/module.py", "", "absent")))
    rows = {label: (ms, calls) for label, ms, calls in found}
    assert set(rows) == {"outer", "inner"}
    assert rows["outer"][1] == 1 and rows["inner"][1] == 2
    assert rows["outer"][0] >= rows["inner"][0] > 0


def _stats(entries: dict[tuple[str, str], float]) -> pstats.Stats:
    """A profile whose functions have these cumulative seconds (one call each)."""
    profile = cProfile.Profile()
    profile.enable()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.stats = {(path, 1, func): (1, 1, 0.0, seconds, {})  # type: ignore[attr-defined]
                   for (path, func), seconds in entries.items()}
    return stats


def test_floor_steps_split_the_lti_work_from_the_rest() -> None:
    tool = _stats({("x/flask/app.py", "wsgi_app"): 0.010,
                   ("x/course/lti/service.py", "start_login"): 0.001,
                   ("x/course/lti/launch.py", "launch_body"): 0.001,
                   ("x/course/lti/service.py", "_record"): 0.003,
                   ("x/limits/strategies.py", "hit"): 0.0008,
                   ("x/flask/sessions.py", "save_session"): 0.0004})
    bare = _stats({("x/flask/app.py", "wsgi_app"): 0.006,
                   ("x/pylti1p3/oidc_login.py", "redirect"): 0.001,
                   ("x/pylti1p3/message_launch.py", "validate"): 0.002})
    found = profile_launch.floor_steps(Sample(10.0, 1, 4, tool), Sample(6.0, 0, 6, bare), 1)
    assert found["tool_lti_ms"] == pytest.approx(2.0)
    assert found["bare_lti_ms"] == pytest.approx(3.0)
    assert found["lti_ratio"] == pytest.approx(1.5)
    assert found["record_ms"] == pytest.approx(3.0) and found["tool_ms"] == pytest.approx(10.0)
    assert found["limits_ms"] == pytest.approx(0.8) and found["session_ms"] == pytest.approx(0.4)


def test_bench_figures_carry_the_target_and_say_what_is_missing() -> None:
    shown = {f.key: f for f in launch_steps.figures(
        {"tool_lti_ms": 2.0, "bare_lti_ms": 1.8, "lti_ratio": 0.9, "record_ms": 3.0})}
    ratio = shown["launch_lti_work_ratio_to_anchor"]
    assert ratio.value == 0.9 and ratio.target == ">= 1.0 x" and ratio.met is False
    assert shown["launch_lti_work_ms"].value == 2.0 and shown["launch_lti_work_ms"].met is None
    assert shown["launch_rate_limits_ms"].value is None and shown["launch_session_ms"].value is None
    met = {f.key: f.met for f in launch_steps.figures({"lti_ratio": 1.2})}
    assert met["launch_lti_work_ratio_to_anchor"] is True


def test_a_failed_profile_gives_every_figure_as_na(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*_args: Any, **_kw: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess([], 1, "", "Traceback\nRuntimeError: login answered 500")
    monkeypatch.setattr(launch_steps.subprocess, "run", fails)
    run: Any = SimpleNamespace(plan=SimpleNamespace(name="quick"))
    out = launch_steps.measure(run)
    assert [f.key for f in out] == [key for _n, key, *_rest in launch_steps.KEYS]
    assert all(f.value is None and "login answered 500" in f.reason for f in out)
