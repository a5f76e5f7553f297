"""Read mutmut's results under mutants/ and print the per-file table of `make mutate`.

Usage: python -m tests.mutation.report [--min 90] [FILE ...]   (run from the repository root)

Each mutant is named by a stable description, ``path :: function :: `old` -> `new```, taken from
its diff, so that tests/mutation/equivalents.txt does not depend on mutmut's numbering. Killed
counts timeouts (the mutant hung the tests, which is detected); "other" counts mutants not
checked (an interrupted run), suspicious ones and crashes. The score of a file is killed /
(checked mutants - equivalents); a file with no checked mutant is "not measured" (n/a), never
100%. Writes mutants/report.md (every mutant not killed, with its diff) and mutants/report.json;
exits 1 when a file scores below --min, else 3 when a file was not measured.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

EQUIVALENTS = Path(__file__).with_name("equivalents.txt")
SEP = " :: "
KILLED = {"killed", "timeout"}


@dataclass
class FileResult:
    """Counts for one source file, and the descriptions of what was not killed."""

    path: str
    counts: Counter[str] = field(default_factory=Counter)
    survivors: list[tuple[str, str, str]] = field(default_factory=list)  # (status, description, diff)
    equivalent: int = 0

    @property
    def total(self) -> int:
        """Every mutant of the file."""
        return sum(self.counts.values())

    @property
    def killed(self) -> int:
        """Mutants a test failed on."""
        return sum(self.counts[s] for s in KILLED)

    @property
    def measured(self) -> bool:
        """False when mutmut checked none of the file's mutants (it stopped, or never started)."""
        return self.counts["not checked"] == 0 or self.total > self.counts["not checked"] + self.equivalent

    @property
    def score(self) -> float:
        """Killed share of the checked mutants that are not equivalent, in percent."""
        scored = self.total - self.equivalent - self.counts["not checked"]
        return 100.0 * self.killed / scored if scored else 100.0


def describe(path: str, mutant: str, diff: str) -> str:
    """The stable one-line description of a mutant: file, function and the changed lines."""
    function = mutant.rpartition(".")[2].split("__mutmut_")[0]
    for prefix in ("x_", "xǁ"):
        function = function.removeprefix(prefix)
    body = [line for line in diff.splitlines() if not line.startswith(("---", "+++"))]
    old = " / ".join(line[1:].strip() for line in body if line.startswith("-"))
    new = " / ".join(line[1:].strip() for line in body if line.startswith("+"))
    return f"{path}{SEP}{function.replace('ǁ', '.')}{SEP}`{old}` -> `{new}`"


def load_equivalents() -> dict[str, str]:
    """Description -> reason, from the checked-in list (``description :: reason`` per line)."""
    found: dict[str, str] = {}
    for line in EQUIVALENTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            description, _, reason = line.rpartition(SEP)
            found[description] = reason
    return found


def collect(patterns: list[str]) -> list[FileResult]:
    """Results per mutated source file matching the patterns (all of them when none are given)."""
    from mutmut.configuration import config
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    equivalents = load_equivalents()
    results = []
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        path = str(meta.relative_to("mutants")).removesuffix(".meta")
        if not config().should_mutate(path) or (patterns and not any(fnmatch.fnmatch(path, p) for p in patterns)):
            continue
        data = SourceFileMutationData(path=Path(path))
        data.load()
        result = FileResult(path)
        for mutant, exit_code in sorted(data.exit_code_by_key.items()):
            status = status_by_exit_code[exit_code]
            result.counts[status] += 1
            if status in KILLED or status == "not checked":
                continue
            diff = get_diff_for_mutant(mutant, path=path)
            description = describe(path, mutant, diff)
            if description in equivalents:
                result.counts[status] -= 1
                result.counts["equivalent"] += 1
                result.equivalent += 1
                continue
            result.survivors.append((status, description, diff))
        results.append(result)
    return results


def table(results: list[FileResult]) -> str:
    """The per-file table, with a total line."""
    rows = [f"{'file':<34} {'killed':>6} {'surv.':>5} {'none':>4} {'other':>5} {'equiv':>5} {'total':>5} "
            f"{'score':>6}"]
    whole = FileResult("all", Counter(), equivalent=sum(r.equivalent for r in results))
    for r in results:
        whole.counts.update(r.counts)  # update() keeps zero counts, unlike sum() of Counters
    for r in [*results, whole]:
        other = r.total - r.killed - r.counts["survived"] - r.counts["no tests"] - r.equivalent
        rows.append(f"{r.path:<34} {r.killed:>6} {r.counts['survived']:>5} {r.counts['no tests']:>4} {other:>5} "
                    f"{r.equivalent:>5} {r.total:>5} " + (f"{r.score:>5.1f}%" if r.measured else "   n/a"))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Print the table, write the reports, and fail below the minimum score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="lowest acceptable score per file, in percent")
    parser.add_argument("files", nargs="*", help="source files or globs (default: every mutated file)")
    args = parser.parse_args(argv)
    results = collect(args.files)
    if not results:
        print("No mutation results under mutants/: run `make mutate` first.", file=sys.stderr)
        return 2
    text = table(results)
    print(text)
    lines = ["# Mutation report", "", "```", text, "```", ""]
    for r in results:
        for status, description, diff in r.survivors:
            lines += [f"## {status}: {description}", "", "```diff", diff, "```", ""]
    Path("mutants/report.md").write_text("\n".join(lines), encoding="utf-8")
    Path("mutants/report.json").write_text(json.dumps(
        {r.path: {"total": r.total, "killed": r.killed, "equivalent": r.equivalent,
                  "score": round(r.score, 1) if r.measured else None,
                  "counts": dict(r.counts), "not_killed": [d for _s, d, _diff in r.survivors]} for r in results},
        indent=1), encoding="utf-8")
    low = [r.path for r in results if r.measured and r.score < args.min]
    unmeasured = [r.path for r in results if not r.measured]
    print(f"\nSurvivors and their diffs: mutants/report.md. Equivalents excluded: {EQUIVALENTS}.")
    if low:
        print(f"Below {args.min:g}%: {', '.join(low)}", file=sys.stderr)
        return 1
    if unmeasured:
        print(f"Not measured (no mutant checked): {', '.join(unmeasured)}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
