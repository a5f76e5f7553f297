"""Server-rendered, accessible inline SVG charts for the item statistics report.

Each chart is a self-contained ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
summarises the data in words, visible axis labels, and colours that keep at least 4.5:1 contrast
on its own white background. No scripts, no external fonts or images.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from hashlib import sha1
from xml.sax.saxutils import escape

# Colours chosen for >= 4.5:1 contrast on white (WCAG 1.4.11 asks only 3:1 for graphics; we
# hold everything to the text ratio so labels and marks share one rule).
INK = "#1a1a1a"
BAR = "#1d4f91"
POINT = "#8a1c1c"
GUIDE = "#595959"
BACKGROUND = "#ffffff"
CHART_COLOURS = (INK, BAR, POINT, GUIDE)

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 20, 64


def _fmt(value: float) -> str:
    """Format a number briefly: no trailing zeros, one decimal at most."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _frame(title: str, desc: str, body: list[str], x_label: str, y_label: str) -> str:
    """Wrap chart marks in an accessible svg element with title, desc and axis labels."""
    # Ids derive from the content so output is deterministic yet distinct per chart on a page.
    n = sha1("\n".join([title, desc, *body]).encode()).hexdigest()[:10]
    tid, did = f"chart-title-{n}", f"chart-desc-{n}"
    plot_bottom = HEIGHT - BOTTOM
    mid_x = LEFT + (WIDTH - LEFT - RIGHT) / 2
    mid_y = TOP + (plot_bottom - TOP) / 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" aria-labelledby="{tid} {did}" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
        *body,
        f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{WIDTH - RIGHT}" y2="{plot_bottom}" stroke="{INK}"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}" stroke="{INK}"/>',
        f'<text x="{mid_x:.1f}" y="{HEIGHT - 16}" text-anchor="middle" fill="{INK}">{escape(x_label)}</text>',
        f'<text x="18" y="{mid_y:.1f}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 18 {mid_y:.1f})">{escape(y_label)}</text>',
        "</svg>",
    ]
    return "\n".join(parts)


def _edges(bins: int | Sequence[float], value_range: tuple[float, float]) -> list[float]:
    """Bin edges: given explicitly, or ``bins`` equal slices of ``value_range``."""
    if isinstance(bins, int):
        if bins < 1:
            raise ValueError("bins must be at least 1")
        lo, hi = value_range
        if hi <= lo:
            raise ValueError("value_range must be increasing")
        return [lo + (hi - lo) * i / bins for i in range(bins + 1)]
    edges = [float(e) for e in bins]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError("bin edges must be at least two increasing numbers")
    return edges


def _counts(scores: Sequence[float], edges: list[float]) -> list[int]:
    """Count scores per bin; the last bin is closed and outliers go to the end bins."""
    counts = [0] * (len(edges) - 1)
    for score in scores:
        index = 0
        while index < len(counts) - 1 and score >= edges[index + 1]:
            index += 1
        counts[index] += 1
    return counts


def histogram_svg(
    scores: Iterable[float],
    bins: int | Sequence[float] = 10,
    *,
    value_range: tuple[float, float] = (0.0, 100.0),
    title: str = "Distribution of attempt scores",
    x_label: str = "Score (%)",
    y_label: str = "Number of attempts",
) -> str:
    """Render a histogram of scores (by default percentages, in ``bins`` equal bands)."""
    values = [float(s) for s in scores if s is not None and math.isfinite(float(s))]
    edges = _edges(bins, value_range)
    counts = _counts(values, edges)
    top = max(max(counts, default=0), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / len(counts)
    body: list[str] = []
    for i, n in enumerate(counts):
        h = plot_h * n / top
        x, y = LEFT + i * bar_w, HEIGHT - BOTTOM - h
        label = f"{_fmt(edges[i])} to {_fmt(edges[i + 1])}: {n} attempt{'s' if n != 1 else ''}"
        body.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}</title></rect>'
        )
    for i, edge in enumerate(edges):
        x = LEFT + i * bar_w
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                    f'fill="{INK}">{_fmt(edge)}</text>')
    for tick in _ticks(top):
        y = HEIGHT - BOTTOM - plot_h * tick / top
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{tick}</text>')
    return _frame(title, _histogram_desc(values, edges, counts), body, x_label, y_label)


def _ticks(top: int) -> list[int]:
    """About five whole-number ticks from 0 to ``top``."""
    step = max(1, math.ceil(top / 5))
    return list(range(0, top + 1, step))


def _histogram_desc(values: list[float], edges: list[float], counts: list[int]) -> str:
    """Describe the histogram in words: size, range, busiest band, centre."""
    if not values:
        return "No scores to show yet."
    busiest = max(range(len(counts)), key=counts.__getitem__)
    ordered = sorted(values)
    half = len(ordered) // 2
    median = ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2
    return (
        f"Histogram of {len(values)} scores in {len(counts)} bands from {_fmt(edges[0])} to "
        f"{_fmt(edges[-1])}. The busiest band is {_fmt(edges[busiest])} to "
        f"{_fmt(edges[busiest + 1])} with {counts[busiest]}. Mean {_fmt(sum(values) / len(values))}, "
        f"median {_fmt(median)}, lowest {_fmt(ordered[0])}, highest {_fmt(ordered[-1])}."
    )


def scatter_svg(
    points: Iterable[tuple[float | None, float | None, str]],
    *,
    title: str = "Facility against discrimination, per item",
    low_discrimination: float = 20.0,
) -> str:
    """Plot items by facility (x, 0-100%) and discrimination index (y, -100 to 100%).

    Items below the low-discrimination line are labelled on the chart; every point also has a
    tooltip. Items missing either value cannot be placed and are named in the description.
    """
    plotted, missing = [], []
    for facility, discrimination, label in points:
        if facility is None or discrimination is None:
            missing.append(str(label))
        else:
            plotted.append((min(max(float(facility), 0.0), 100.0),
                            min(max(float(discrimination), -100.0), 100.0), str(label)))
    body = _scatter_guides(low_discrimination)
    for fx, dy, label in plotted:
        x, y = _scatter_xy(fx, dy)
        tip = f"{label}: facility {_fmt(fx)}%, discrimination {_fmt(dy)}%"
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{POINT}"><title>{escape(tip)}</title></circle>')
        if dy < low_discrimination:
            body.append(f'<text x="{x + 7:.1f}" y="{y - 6:.1f}" fill="{INK}" font-size="11">{escape(label)}</text>')
    desc = _scatter_desc(plotted, missing, low_discrimination)
    return _frame(title, desc, body, "Facility index (%)", "Discrimination index (%)")


def _scatter_xy(facility: float, discrimination: float) -> tuple[float, float]:
    """Map (facility 0..100, discrimination -100..100) to plot coordinates."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    return LEFT + plot_w * facility / 100.0, TOP + plot_h * (100.0 - discrimination) / 200.0


def _scatter_guides(low: float) -> list[str]:
    """Axis ticks and dashed guide lines at zero and the low-discrimination threshold."""
    body: list[str] = []
    for fx in range(0, 101, 20):
        x, _ = _scatter_xy(fx, 0)
        body.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="{INK}">{fx}</text>')
    for dy in range(-100, 101, 50):
        _, y = _scatter_xy(0, dy)
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">{dy}</text>')
    for level, text in ((0.0, "0"), (low, f"{_fmt(low)}% threshold")):
        x0, y = _scatter_xy(0, level)
        x1, _ = _scatter_xy(100, level)
        body.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" '
                    f'stroke="{GUIDE}" stroke-dasharray="4 4"/>')
        if level:
            body.append(f'<text x="{x1 - 4:.1f}" y="{y - 4:.1f}" text-anchor="end" '
                        f'fill="{GUIDE}">{escape(text)}</text>')
    return body


def _scatter_desc(plotted: list[tuple[float, float, str]], missing: list[str], low: float) -> str:
    """Describe the scatter plot in words, naming the items that need review."""
    if not plotted and not missing:
        return "No items to show yet."
    weak = [label for _, dy, label in plotted if dy < low]
    text = f"Facility index (across) against discrimination index (up) for {len(plotted)} items."
    if weak:
        text += f" {len(weak)} below the {_fmt(low)}% discrimination line: {', '.join(weak)}."
    else:
        text += f" None is below the {_fmt(low)}% discrimination line."
    if missing:
        text += f" Not plotted, values undefined: {', '.join(missing)}."
    return text


__all__ = ["histogram_svg", "scatter_svg", "CHART_COLOURS"]
