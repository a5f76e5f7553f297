"""Pure checking of practice answers; never raises on what a learner submits."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modules.schema import PracticeItem, Step

CHOOSE_AN_ANSWER = "Choose an answer"


@dataclass(frozen=True)
class PracticeResult:
    """Outcome of one attempt; ``feedback`` is sanitised HTML (or the plain prompt to answer)."""

    correct: bool
    chosen: str | list[str]
    expected: str | list[str]
    feedback: str
    score: float


def check_practice(item: PracticeItem, submitted: Mapping[str, Any]) -> PracticeResult:
    """Check a form submission: ``answer`` for single-answer types, ``order`` for a ladder."""
    if item.type == "ladder":
        return _check_ladder(item, _values(submitted, "order"))
    return _check_single(item, _values(submitted, "answer"))


def shuffled_steps(item: PracticeItem, seed: str) -> list[Step]:
    """Return a ladder's steps in a stable per-seed order that is never the correct one."""
    steps = list(item.steps)
    # A string seed makes random.Random stable across processes, unlike hash().
    random.Random(f"{seed}/{item.id}").shuffle(steps)
    if len(steps) > 1 and steps == list(item.steps):
        steps = steps[1:] + steps[:1]
    return steps


def _values(submitted: Any, key: str) -> Any:
    """Return what was posted under ``key``: a list from a MultiDict, else the raw value."""
    if hasattr(submitted, "getlist"):
        values = submitted.getlist(key)
        return values[0] if len(values) == 1 and key == "answer" else values
    if isinstance(submitted, Mapping):
        return submitted.get(key)
    return None


def _missing(item: PracticeItem, chosen: str | list[str]) -> PracticeResult:
    """Result for an empty or malformed submission."""
    return PracticeResult(correct=False, chosen=chosen, expected=item.expected,
                          feedback=CHOOSE_AN_ANSWER, score=0.0)


def _check_single(item: PracticeItem, value: Any) -> PracticeResult:
    """Check one chosen option id against the item's correct option."""
    if not isinstance(value, str) or not value.strip():
        return _missing(item, "")
    chosen = value.strip()
    try:
        option = item.option(chosen)
    except KeyError:
        return _missing(item, "")
    parts = [] if option.correct or not option.why_html else [f"<p>{option.why_html}</p>"]
    return PracticeResult(
        correct=option.correct,
        chosen=chosen,
        expected=item.expected,
        feedback="".join(parts + [item.explanation_html]),
        score=1.0 if option.correct else 0.0,
    )


def _check_ladder(item: PracticeItem, value: Any) -> PracticeResult:
    """Score a submitted order by the fraction of steps in their correct position."""
    expected = [step.id for step in item.steps]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return _missing(item, [])
    order = [v.strip() for v in value]
    if sorted(order) != sorted(expected):
        return _missing(item, [])
    right = sum(a == b for a, b in zip(order, expected))
    score = right / len(expected)
    lead = "" if right == len(expected) else (
        f"<p>{right} of {len(expected)} steps are in the right place.</p>"
    )
    return PracticeResult(correct=right == len(expected), chosen=order, expected=expected,
                          feedback=lead + item.explanation_html, score=score)
