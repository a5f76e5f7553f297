"""GIFT questions with typed answers: essay ``{}``, numerical ``{#...}`` and short answer ``{=a =b}``.

Called by :mod:`quizzes.interchange.gift` before the choice kinds of
:mod:`quizzes.interchange.gift_types`; detection follows Moodle's order (essay, numerical, then
short answer once true/false and matching are ruled out).
"""

from __future__ import annotations

import re
from typing import Any

from quizzes.interchange.gift_types import (
    MAX_ANSWERS,
    PLACEHOLDER_RATIONALE,
    GiftSyntaxError,
    Unsupported,
    clean,
    excerpt,
)
from quizzes.types.numbers import as_decimal, plain
from quizzes.types.short_answer import normalise

_TRUE_FALSE = {"T", "TRUE", "F", "FALSE"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_VALUE_TOLERANCE = re.compile(rf"^({_NUMBER})(?::({_NUMBER}))?$")
_RANGE = re.compile(rf"^({_NUMBER})\.\.({_NUMBER})$")
Fields = tuple[dict[str, Any], list[str]]


def typed_fields(before: str, after: str, answers: str, general: str, line: int) -> Fields | None:
    """Our item fields for an essay, numerical or short-answer question; None for any other kind."""
    if after.strip(" \t\r\n\x0b\x00"):
        return None  # a missing-word question: a choice kind
    if not answers:
        return _essay(before, general)
    if answers.startswith("#"):
        return _numeric(before, answers[1:], general, line)
    if "~" in answers or "->" in answers or answers.split("#", 1)[0].strip() in _TRUE_FALSE:
        return None
    if answers.lstrip().startswith("="):
        return _short_answer(before, answers, general, line)
    return None


def _essay(before: str, general: str) -> Fields:
    """GIFT has no rubric: one criterion worth a point, for the instructor to rewrite."""
    why = general or PLACEHOLDER_RATIONALE
    rubric = [{"id": "overall", "text": "The answer as a whole", "points": 1, "rationale": why}]
    notes = ["GIFT has no rubric: one criterion worth 1 point was added; write the rubric before use"]
    if not general:
        notes.append("no feedback in GIFT source: placeholder model answer")
    return {"type": "essay", "stem": clean(before), "rubric": rubric, "rationale": why}, notes


def _answers(block: str, line: int) -> list[tuple[float, str, str]]:
    """'=answer#feedback' or '~%50%answer#feedback' pieces as (weight, text, feedback)."""
    pieces = block.replace("~", "=").split("=")
    if pieces[0].strip():
        raise GiftSyntaxError(f"{excerpt(pieces[0])!r} is not marked with '='", line)
    if len(pieces) - 1 > MAX_ANSWERS:
        raise Unsupported(f"{len(pieces) - 1:,} answers: no item type holds more than {MAX_ANSWERS}; skipped.")
    out = []
    for raw in pieces[1:]:
        raw, weight = raw.strip(), 100.0
        match = _WEIGHT.match(raw)
        if match:
            weight, raw = float(match.group(1)), raw[match.end():]
        text, _, feedback = raw.partition("#")
        out.append((weight, clean(text), clean(feedback)))
    return out


def _numeric(before: str, block: str, general: str, line: int) -> Fields:
    """The first full-mark answer as ``value:tolerance`` or ``low..high``; partial answers are dropped."""
    found = [a for a in _answers(block, line) if a[0] == 100.0] if "=" in block else [(100.0, *_split(block))]
    if not found:
        raise GiftSyntaxError("a numerical question needs an answer worth 100%", line)
    _, text, feedback = found[0]
    key, tolerance = _value(text, line)
    why = feedback or general
    notes = [] if why else ["no feedback in GIFT source: placeholder rationale"]
    if "=" in block and len(_answers(block, line)) > 1:
        notes.append("only the first full-mark answer kept: other answers and partial marks dropped")
    fields: dict[str, Any] = {"type": "numeric", "stem": clean(before), "answer": key,
                              "rationale": why or PLACEHOLDER_RATIONALE}
    if tolerance:
        fields["tolerance"] = tolerance
    return fields, notes


def _split(block: str) -> tuple[str, str]:
    """'3:0.5#feedback' without '=' marks: the text and its feedback."""
    text, _, feedback = block.partition("#")
    return clean(text), clean(feedback)


def _value(text: str, line: int) -> tuple[int | float, int | float]:
    """'value', 'value:tolerance' or 'low..high' as (answer, absolute tolerance)."""
    ranged = _RANGE.match(text)
    single = _VALUE_TOLERANCE.match(text)
    if ranged:
        low, high = as_decimal(ranged.group(1)), as_decimal(ranged.group(2))
        if low is None or high is None or high < low:
            raise GiftSyntaxError(f"numerical range {excerpt(text)!r} must run from low to high", line)
        key, tolerance = (low + high) / 2, (high - low) / 2
    elif single:
        found_key, found_tolerance = as_decimal(single.group(1)), as_decimal(single.group(2) or "0")
        if found_key is None or found_tolerance is None:
            raise GiftSyntaxError(f"{excerpt(text)!r} is not a number", line)
        key, tolerance = found_key, found_tolerance
    else:
        raise GiftSyntaxError(f"{excerpt(text)!r} is not a number, number:tolerance or low..high", line)
    if abs(key) > 10**9 or abs(tolerance) > 10**9:
        raise Unsupported("A numerical answer beyond a billion is not a dose; skipped.")
    return _number(key), _number(abs(tolerance))


def _number(value: Any) -> int | float:
    """A Decimal as the YAML number the bank stores."""
    text = plain(value)
    return int(text) if "." not in text else float(text)


def _short_answer(before: str, block: str, general: str, line: int) -> Fields:
    """Full-mark answers become the accepted answers (exact spelling, as Moodle marks them)."""
    found = _answers(block, line)
    accepted: list[str] = []
    for weight, text, _ in found:
        if weight == 100.0 and normalise(text) and normalise(text) not in map(normalise, accepted):
            accepted.append(text)
    if not accepted:
        raise GiftSyntaxError("a short-answer question needs an answer worth 100%", line)
    feedback = next((f for w, _, f in found if w == 100.0 and f), "")
    why = general or feedback
    notes = [] if why else ["no feedback in GIFT source: placeholder rationale"]
    if len(accepted) < len(found):
        notes.append("answers worth less than 100% dropped: a short answer is right or wrong")
    return {"type": "short_answer", "stem": clean(before), "answers": accepted, "typos": 0,
            "rationale": why or PLACEHOLDER_RATIONALE}, notes
