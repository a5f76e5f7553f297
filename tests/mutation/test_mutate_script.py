"""`.ci/mutate` in CI fails only on a measured score drop; the report never scores an unchecked file."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.mutation.report import FileResult, table

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = '[tool.mutmut]\nonly_mutate = ["core/*.py"]\n'


def repo(tmp_path: Path, mutmut_exit: int | None, report_exit: int = 0) -> Path:
    """A git repository holding .ci/mutate, two commits, a fake mutmut and a fake report."""
    top = tmp_path / "repo"
    (top / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "mutate", top / ".ci" / "mutate")
    (top / "pyproject.toml").write_text(PYPROJECT)
    (top / "core").mkdir()
    (top / "core" / "rules.py").write_text("X = 1\n")
    (top / "tests" / "mutation").mkdir(parents=True)
    (top / "tests" / "__init__.py").write_text("")
    (top / "tests" / "mutation" / "__init__.py").write_text("")
    (top / "tests" / "mutation" / "report.py").write_text(f"print('table')\nraise SystemExit({report_exit})\n")
    bin_dir = top / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    if mutmut_exit is not None:
        (bin_dir / "mutmut").write_text(f"#!/bin/sh\necho mutmut says hello\nexit {mutmut_exit}\n")
        (bin_dir / "mutmut").chmod(0o755)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=top, check=True)
    subprocess.run([*git, "add", "."], cwd=top, check=True)
    subprocess.run([*git, "commit", "-qm", "one"], cwd=top, check=True)
    return top


def commit(top: Path, path: str) -> None:
    """Commit a change to one file."""
    (top / path).write_text((top / path).read_text() + "# changed\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "commit", "-qam", "two"], cwd=top, check=True)


def mutate(top: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PY": str(top / "bin" / "python")}
    return subprocess.run(["bash", str(top / ".ci" / "mutate"), *args], cwd=top, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_commit_without_pure_core_changes_is_skipped(tmp_path: Path) -> None:
    top = repo(tmp_path, mutmut_exit=1)
    commit(top, "pyproject.toml")
    done = mutate(top, "--changed")
    assert done.returncode == 0
    assert "skipped: the last commit changed no pure-core file" in done.stdout


@pytest.mark.parametrize(("mutmut_exit", "report_exit", "ci_exit", "says"), [
    (0, 0, 0, "table"),
    (0, 1, 1, "table"),  # a file below 90%: the one failure CI reports
    (0, 3, 0, "NOT RUN: mutmut checked no mutant"),
    (2, 0, 0, "NOT RUN: mutmut exited with status 2"),
    (None, 0, 0, "NOT RUN: "),  # mutmut is not installed
])
def test_changed_fails_ci_only_on_a_score_drop(tmp_path: Path, mutmut_exit: int | None, report_exit: int,
                                               ci_exit: int, says: str) -> None:
    top = repo(tmp_path, mutmut_exit, report_exit)
    commit(top, "core/rules.py")
    done = mutate(top, "--changed")
    assert "== Mutation check of core/rules.py" in done.stdout
    assert done.returncode == ci_exit, done.stdout + done.stderr
    assert says in done.stdout + done.stderr


@pytest.mark.parametrize("mutmut_exit", [2, None])
def test_by_hand_a_mutmut_that_cannot_run_fails(tmp_path: Path, mutmut_exit: int | None) -> None:
    done = mutate(repo(tmp_path, mutmut_exit), "core/rules.py")
    assert done.returncode == 1 and "NOT RUN" in done.stderr


def test_a_file_with_no_checked_mutant_is_not_scored() -> None:
    stopped = FileResult("core/a.py", Counter({"not checked": 40}))
    half = FileResult("core/b.py", Counter({"killed": 9, "survived": 1, "not checked": 30}))
    assert not stopped.measured and half.measured and half.score == 90.0
    rows = table([stopped, half]).splitlines()
    assert rows[1].endswith("40    n/a") and rows[2].endswith("40  90.0%")
