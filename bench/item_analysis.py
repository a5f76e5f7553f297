"""Benchmark: time item_analysis on 1,000 attempts x 60 items and record the figure.

Run: ``.venv/bin/python bench/item_analysis.py``. Prints the best of five runs and merges it into
``bench/results.json`` under ``item_analysis_1000x60_s``. It reports; it never fails on a number.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quizzes.reports.statistics import item_analysis  # noqa: E402

ATTEMPTS, ITEMS, REPEATS, SEED = 1000, 60, 5, 20240605
RESULTS = ROOT / "bench" / "results.json"
KEY = "item_analysis_1000x60_s"


def build_matrix(rng: random.Random) -> tuple[list[list[float | None]], list[float]]:
    """A realistic matrix: a latent ability per student, items of varied difficulty and marks.

    Uses a logistic (Rasch-like) model so item scores correlate as real quiz data do; about a
    tenth of items are partial-credit (max 2) and a few slots are random (None in some rows).
    """
    ability = [rng.gauss(0.0, 1.0) for _ in range(ATTEMPTS)]
    difficulty = [rng.uniform(-2.0, 2.0) for _ in range(ITEMS)]
    max_points = [2.0 if j % 10 == 0 else 1.0 for j in range(ITEMS)]
    random_slot = {j for j in range(ITEMS) if j % 15 == 7}
    matrix: list[list[float | None]] = []
    for theta in ability:
        row: list[float | None] = []
        for j, b in enumerate(difficulty):
            if j in random_slot and rng.random() < 0.5:
                row.append(None)
                continue
            p = 1.0 / (1.0 + math.exp(-(theta - b)))
            marks = sum(rng.random() < p for _ in range(int(max_points[j])))
            row.append(float(marks))
        matrix.append(row)
    return matrix, max_points


def best_time(matrix: list[list[float | None]], max_points: list[float]) -> float:
    """Best wall time of REPEATS runs, in seconds."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        item_analysis(matrix, max_points)
        times.append(time.perf_counter() - start)
    return min(times)


def record(seconds: float) -> None:
    """Merge the figure into bench/results.json, keeping other benchmarks' keys."""
    data: dict[str, object] = {}
    if RESULTS.exists():
        try:
            loaded = json.loads(RESULTS.read_text())
            data = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            data = {}
    data[KEY] = round(seconds, 6)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> int:
    """Build the seeded matrix, time the analysis, print and store the result."""
    matrix, max_points = build_matrix(random.Random(SEED))
    seconds = best_time(matrix, max_points)
    print(f"item_analysis {ATTEMPTS}x{ITEMS}: {seconds:.3f} s (best of {REPEATS})")
    record(seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
