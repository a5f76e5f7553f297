"""Accessible inline SVG for the performance pages: percentages with the cohort band, and a trend.

Built like ``charts.py``: a ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says the
figures in words, no script, colours at 4.5:1 or more on white. Every chart has a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha1
from xml.sax.saxutils import escape

from quizzes.reports.charts import BACKGROUND, BAR, GUIDE, INK, POINT

WIDTH, LABEL_W, RIGHT, ROW_H, TOP, AXIS_H = 640, 200, 24, 34, 12, 40


@dataclass(frozen=True)
class Bar:
    """One row of a band chart: a label, a percentage (or none) and an optional cohort band."""

    label: str
    percent: float | None
    band: tuple[float, float, float] | None = None  # 25th, 50th and 75th percentile


def _open(title: str, desc: str, height: float, body: list[str]) -> str:
    """The svg element around the marks, labelled by its title and description."""
    n = sha1("\n".join([title, desc, *body]).encode()).hexdigest()[:10]
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" aria-labelledby="pc-t-{n} pc-d-{n}" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="pc-t-{n}">{escape(title)}</title>', f'<desc id="pc-d-{n}">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height:.0f}" fill="{BACKGROUND}"/>',
        *body, "</svg>"])


def _x(percent: float) -> float:
    """Horizontal position of a percentage on the band chart."""
    return LABEL_W + (WIDTH - LABEL_W - RIGHT) * max(0.0, min(percent, 100.0)) / 100.0


def _pct(value: float) -> str:
    """A percentage in whole numbers for charts."""
    return f"{value:.0f}%"


def _bar_marks(i: int, bar: Bar) -> list[str]:
    """The label, bar, band and median tick of one row."""
    y = TOP + i * ROW_H
    out = [f'<text x="{LABEL_W - 8}" y="{y + ROW_H / 2 + 4:.1f}" text-anchor="end" '
           f'fill="{INK}">{escape(bar.label)}</text>']
    if bar.percent is not None:
        out.append(f'<rect x="{LABEL_W}" y="{y + 10:.1f}" width="{_x(bar.percent) - LABEL_W:.1f}" '
                   f'height="{ROW_H - 20}" fill="{BAR}"/>')
    if bar.band is not None:
        low, mid, high = bar.band
        out.append(f'<rect x="{_x(low):.1f}" y="{y + 4:.1f}" width="{_x(high) - _x(low):.1f}" '
                   f'height="{ROW_H - 8}" fill="none" stroke="{POINT}" stroke-width="2"/>')
        out.append(f'<line x1="{_x(mid):.1f}" y1="{y + 2:.1f}" x2="{_x(mid):.1f}" '
                   f'y2="{y + ROW_H - 2:.1f}" stroke="{POINT}" stroke-width="3"/>')
    return out


def _bar_words(bar: Bar) -> str:
    """One row in words."""
    own = "no points to earn yet" if bar.percent is None else _pct(bar.percent)
    if bar.band is None:
        return f"{bar.label}: {own}"
    low, mid, high = bar.band
    return f"{bar.label}: {own}; middle half of the class {_pct(low)} to {_pct(high)}, median {_pct(mid)}"


def band_chart_svg(bars: Sequence[Bar], title: str) -> str:
    """Horizontal bars of percentages, each with the cohort's middle half outlined and its median."""
    height = TOP + ROW_H * max(len(bars), 1) + AXIS_H
    body: list[str] = []
    for i, bar in enumerate(bars):
        body += _bar_marks(i, bar)
    base = TOP + ROW_H * max(len(bars), 1)
    for tick in range(0, 101, 25):
        body.append(f'<line x1="{_x(tick):.1f}" y1="{TOP}" x2="{_x(tick):.1f}" y2="{base}" '
                    f'stroke="{GUIDE}" stroke-dasharray="2 4"/>')
        body.append(f'<text x="{_x(tick):.1f}" y="{base + 16}" text-anchor="middle" '
                    f'fill="{INK}">{tick}</text>')
    body.append(f'<text x="{_x(50):.1f}" y="{base + 34}" text-anchor="middle" '
                f'fill="{INK}">Points earned (%)</text>')
    desc = ". ".join(_bar_words(b) for b in bars) + "." if bars else "No answers to show yet."
    return _open(title, desc, height, body)


TREND_H, T_LEFT, T_BOTTOM = 240, 56, 48


def trend_svg(percents: Sequence[float], title: str) -> str:
    """A line of the percentage earned in each attempt, oldest first."""
    plot_w, plot_h = WIDTH - T_LEFT - RIGHT, TREND_H - TOP - T_BOTTOM
    n = len(percents)
    step = plot_w / (n - 1) if n > 1 else 0.0
    points = [(T_LEFT + (i * step if n > 1 else plot_w / 2),
               TOP + plot_h * (100.0 - max(0.0, min(p, 100.0))) / 100.0) for i, p in enumerate(percents)]
    body = [f'<line x1="{T_LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="{INK}"/>',
            f'<line x1="{T_LEFT}" y1="{TOP}" x2="{T_LEFT}" y2="{TOP + plot_h}" stroke="{INK}"/>']
    for tick in range(0, 101, 25):
        y = TOP + plot_h * (100 - tick) / 100
        body.append(f'<text x="{T_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{tick}</text>')
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    for i, (x, y) in enumerate(points):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{POINT}"/>')
        body.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="{INK}">{i + 1}</text>')
    body.append(f'<text x="{T_LEFT + plot_w / 2:.1f}" y="{TREND_H - 10}" text-anchor="middle" '
                f'fill="{INK}">Attempt, oldest first</text>')
    words = ", ".join(f"attempt {i + 1} {_pct(p)}" for i, p in enumerate(percents))
    desc = f"Points earned per attempt: {words}." if percents else "No submitted attempts yet."
    return _open(title, desc, TREND_H, body)
