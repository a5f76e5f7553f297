"""Figures: one value per key with its unit and target, printed as a table and kept as JSON."""
from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Figure:
    """One measured number; ``value`` None means it could not be measured (see ``reason``)."""

    key: str
    label: str
    value: float | int | None
    unit: str = ""
    target: str = ""
    reason: str = ""
    met: bool | None = None  # None when there is no target or no value

    def shown(self) -> str:
        """The value as the table prints it, or 'n/a (reason)'."""
        if self.value is None:
            return f"n/a ({self.reason or 'not measured'})"
        if isinstance(self.value, int):
            text = str(self.value)
        elif abs(self.value) >= 100:
            text = f"{self.value:.0f}"
        elif abs(self.value) >= 1:
            text = f"{self.value:.2f}"
        else:
            text = f"{self.value:.3f}"
        return f"{text} {self.unit}".rstrip()


def missing(key: str, label: str, reason: str, unit: str = "", target: str = "") -> Figure:
    """A figure that could not be measured, stored as null."""
    return Figure(key, label, None, unit, target, reason)


def machine() -> dict[str, Any]:
    """Where the figures were taken: cores, memory, Python and kernel."""
    mem_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem_gib = round(pages / 2 ** 30)
    except (ValueError, OSError, AttributeError):
        pass
    return {"cores": os.cpu_count(), "memory_gib": mem_gib, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "cpu": _cpu_name()}


def _cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, when there is one."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_table(figures: list[Figure], title: str) -> None:
    """A plain-text table: figure, value, target and whether the target was met."""
    rows = [(f.label, f.shown(), f.target, _verdict(f)) for f in figures]
    heads = ("Figure", "Value", "Target", "")
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(heads)]
    widths[1] = min(widths[1], 60)
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip())
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print(line)


def _verdict(figure: Figure) -> str:
    """'ok' or 'MISSED' beside a figure with a target; blank otherwise."""
    if figure.met is None:
        return ""
    return "ok" if figure.met else "MISSED"


def write_results(figures: list[Figure], meta: dict[str, Any], path: Path = RESULTS,
                  meta_key: str = "_meta") -> None:
    """Merge figures (and run metadata) into results.json, keeping keys others wrote.

    A partial run (--only, --storm-matrix) keeps its metadata under its own key, so the full
    run's `_meta` still describes the full run.
    """
    data: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text())
            data = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            data = {}
    for figure in figures:
        value = figure.value
        data[figure.key] = round(value, 6) if isinstance(value, float) else value
    data[meta_key] = {**meta, "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
                     "machine": machine(),
                     "not_measured": {f.key: f.reason for f in figures if f.value is None}}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
