"""Schematic needle-EMG traces as small, accessible inline SVG images (teaching sketches, not data)."""

from __future__ import annotations

import re

from modules.scales import TRACE_KINDS

WIDTH, HEIGHT, BASELINE = 320, 100, 50
INK = "#1a1a1a"      # about 17:1 against white
GUIDE = "#595959"    # about 7:1 against white

# Waveform shapes as (dx, dy) steps; negative dy is up (EMG convention: negative is upward).
Shape = tuple[tuple[int, int], ...]
_NORMAL_MUP: Shape = ((2, 4), (3, -26), (3, 34), (3, -16), (3, 4))
_MYOPATHIC_MUP: Shape = ((1, -7), (1, 12), (1, -12), (1, 10), (1, -8), (1, 5))
_FIBRILLATION: Shape = ((1, 2), (1, -8), (1, 9), (1, -3))
_POSITIVE_SHARP: Shape = ((1, 14), (3, -4), (5, -6), (6, -4))

# kind -> (title, description, [(x, shape), ...]); the title and description name the pattern,
# which suits a labelled example but would give the answer away inside a question.
_KINDS: dict[str, tuple[str, str, list[tuple[int, Shape]]]] = {
    "normal": (
        "Needle EMG: normal pattern",
        "Flat baseline at rest, then regularly spaced motor unit potentials of normal size and "
        "duration (three phases each) during a voluntary contraction.",
        [(x, _NORMAL_MUP) for x in range(40, 300, 38)],
    ),
    "denervation": (
        "Needle EMG: denervation pattern",
        "At rest the baseline is not silent: small brief spikes (fibrillation potentials) and "
        "sharp downward deflections with a slow return (positive sharp waves).",
        [(x, _FIBRILLATION) for x in (30, 62, 94)]
        + [(x, _POSITIVE_SHARP) for x in (130, 175, 220)]
        + [(x, _FIBRILLATION) for x in (262, 290)],
    ),
    "myopathic": (
        "Needle EMG: myopathic pattern",
        "Many small, short motor unit potentials with several phases each, appearing crowded "
        "even with slight effort (early recruitment).",
        [(x, _MYOPATHIC_MUP) for x in range(20, 305, 14)],
    ),
    "upper_motor_neuron": (
        "Needle EMG: upper motor neuron pattern",
        "No activity at rest. With maximal effort only a few motor unit potentials of normal "
        "shape appear, firing slowly and far apart (poor activation).",
        [(x, _NORMAL_MUP) for x in (90, 230)],
    ),
}

# Inside a question the accessible name is the same for every kind, and the description says
# only what the line looks like, so a screen-reader user gets the drawing, not the answer.
NEUTRAL_TITLE = "Needle EMG trace for this question"
_NEUTRAL_DESC: dict[str, str] = {
    "normal": "Seven evenly spaced spikes of medium height along the line, each swinging up, "
              "down and up again.",
    "denervation": "A line that is never quite flat: three tiny brief blips, then three sharp "
                   "downward dips that each drift slowly back to the line, then two more tiny "
                   "blips.",
    "myopathic": "A line crowded from end to end with about twenty small, narrow spikes, each "
                 "with several quick swings up and down.",
    "upper_motor_neuron": "A mostly flat line with only two spikes of medium height, far apart, "
                          "each swinging up, down and up again.",
}


def trace_svg(kind: str, uid: str | None = None, neutral: bool = False) -> str:
    """Return an inline SVG sketch of one EMG pattern; ``uid`` keeps element ids unique per page.

    ``neutral=True`` is for questions: the title and description do not name the pattern.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown trace kind '{kind}'; use one of {', '.join(TRACE_KINDS)}")
    title, desc, events = _KINDS[kind]
    if neutral:
        title, desc = NEUTRAL_TITLE, _NEUTRAL_DESC[kind]
    # In a question the kind must not leak through the element ids either.
    prefix = "emg-" + re.sub(r"[^a-zA-Z0-9_-]", "-", uid or ("trace" if neutral else kind))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" class="emg-trace" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">'
        f'<title id="{prefix}-title">{title}</title>'
        f'<desc id="{prefix}-desc">{desc}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
        f'<line x1="10" y1="{BASELINE}" x2="{WIDTH - 10}" y2="{BASELINE}" stroke="{GUIDE}" '
        'stroke-width="0.5" stroke-dasharray="2 3"/>'
        f'<path d="{_path(events)}" fill="none" stroke="{INK}" stroke-width="1.5" '
        'stroke-linejoin="round"/>'
        "</svg>"
    )


def _path(events: list[tuple[int, tuple[tuple[int, int], ...]]]) -> str:
    """Draw the baseline from left to right, inserting each waveform at its x position."""
    parts = [f"M 10 {BASELINE}"]
    for x, shape in sorted(events):
        parts.append(f"L {x} {BASELINE}")
        cx, cy = x, BASELINE
        for dx, dy in shape:
            cx, cy = cx + dx, cy + dy
            parts.append(f"L {cx} {cy}")
        # Shapes are drawn to end on the baseline; snap back in case one does not.
        if cy != BASELINE:
            parts.append(f"L {cx + 1} {BASELINE}")
    parts.append(f"L {WIDTH - 10} {BASELINE}")
    return " ".join(parts)
