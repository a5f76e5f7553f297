"""Build item fields of our schema from one parsed GIFT answer block, per question kind.

Called by :mod:`quizzes.interchange.gift`, which has already split off the title, the question text, the
answer block and the general feedback (``####``). Kinds follow Moodle's detection order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from quizzes.interchange.gift_export import split_format, unescape

_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
DEFAULT_CLOZE_STEM = "Choose the option that completes the text."
# No item type holds more than 12 choices; beyond this a question is skipped unread.
MAX_ANSWERS = 100
PLACEHOLDER_RATIONALE = "No feedback in the GIFT source. Write a rationale before learners see this item."


class GiftSyntaxError(ValueError):
    """Broken GIFT in one question; ``line`` is where the problem was found (1-based)."""

    def __init__(self, message: str, line: int) -> None:
        """Keep the message and line apart so the report can show both."""
        super().__init__(f"line {line}: {message}")
        self.message, self.line = message, line


class Unsupported(Exception):
    """A well-formed GIFT question of a kind our schema cannot hold."""


def excerpt(text: str) -> str:
    """A short one-line label for a question that has no title."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in unescape(text)).split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


def clean(text: str) -> str:
    """Drop a leading [format] marker, restore escaped characters and trim."""
    return unescape(split_format(text.strip())[1]).strip()


@dataclass(frozen=True)
class _Answer:
    """One choice answer: text, weight in percent, feedback, and whether it used '='."""

    text: str
    weight: float
    feedback: str
    equals: bool


def build_fields(before: str, after: str, answers: str, general: str, line: int) -> tuple[dict[str, Any], list[str]]:
    """Pick the question kind the way Moodle does, then build our item fields for it."""
    missing_word = after.strip(" \t\r\n\x0b\x00") != ""
    if not answers:
        raise Unsupported("Essay question ({}): there is no free-text item type; skipped.")
    if answers.startswith("#"):
        raise Unsupported("Numerical question ({#...}): there is no numeric item type; skipped.")
    marks = answers.count("~") + answers.count("=")
    if marks > MAX_ANSWERS:
        raise Unsupported(f"{marks:,} answers: no item type holds more than {MAX_ANSWERS}; skipped.")
    if "~" in answers:
        return _choice(before, after if missing_word else "", answers, general, line)
    if missing_word:
        raise Unsupported("Missing-word question without '~' choices: only dropdown blanks are supported; skipped.")
    if "=" in answers and "->" in answers:
        return _matching(before, answers, general, line)
    if answers.split("#", 1)[0].strip() in _TRUE_FALSE:
        return _true_false(before, answers, general)
    raise Unsupported("Short-answer question (only '=' answers): typed answers are not supported; skipped.")


def _split_choices(answers: str, line: int) -> list[_Answer]:
    """Parse '=right', '~wrong' and '~%50%partial' answers with their '#feedback'."""
    parts = answers.replace("=", "~=").split("~")
    if parts[0].strip():
        raise GiftSyntaxError(f"{excerpt(parts[0])!r} is not marked with '=' or '~'", line)
    out: list[_Answer] = []
    # A running count: recounting every earlier answer made a 600 KB file take 22 s.
    here = line + _newlines(parts[0])
    for raw in parts[1:]:
        after = here + _newlines(raw)
        raw = raw.strip()
        equals, weight = raw.startswith("="), 0.0
        if equals:
            raw, weight = raw[1:], 100.0
        elif raw.startswith("%"):
            match = _WEIGHT.match(raw)
            if not match:
                raise GiftSyntaxError(f"bad weight in {excerpt(raw)!r}: write it as %50% or %-100%", here)
            weight, raw = float(match.group(1)), raw[match.end():]
            if not -100.0 <= weight <= 100.0:
                raise GiftSyntaxError(f"weight {match.group(1)}% is outside -100% to 100%", here)
        text, _, feedback = raw.partition("#")
        if not clean(text):
            raise GiftSyntaxError("an answer has no text", here)
        out.append(_Answer(clean(text), weight, clean(feedback), equals))
        here = after
    if len(out) < 2:
        raise GiftSyntaxError("a choice question needs at least two answers", line)
    return out


def _newlines(text: str) -> int:
    """Line breaks in one piece of an answer block (each piece is counted once)."""
    return text.count("\n")


def _no_feedback(count: int, what: str) -> str:
    """The degraded note for placeholder rationales."""
    return f"no feedback in GIFT source: placeholder rationale for {count} {what}"


def _choice(before: str, after: str, answers: str, general: str, line: int) -> tuple[dict[str, Any], list[str]]:
    """Single answer ('=') becomes mcq; weights only becomes sata; text after '}' a cloze."""
    opts = _split_choices(answers, line)
    degraded: list[str] = []
    single = any(a.equals for a in opts)
    if single:
        if sum(a.equals for a in opts) > 1:
            raise Unsupported("More than one '=' answer in a single-answer question: an mcq has one key; skipped.")
        if any(a.weight for a in opts if not a.equals):
            degraded.append("partial or negative weights dropped: single-answer items score 0 or 1")
        correct = [a.equals for a in opts]
    else:
        correct = [a.weight > 0 for a in opts]
        if not any(correct):
            raise GiftSyntaxError("no answer is marked '=' or given a positive weight", line)
        if after:
            raise Unsupported("Missing-word question with several right answers: a dropdown blank has one; skipped.")
        k = sum(correct)
        if any(abs(a.weight - (100 / k if c else -100 / k)) > 0.01 for a, c in zip(opts, correct)):
            degraded.append("weights replaced by select-all-that-apply +/- scoring (+1 right, -1 wrong choice)")
    if after:
        return _cloze(before, after, opts, general, degraded)
    options, missing = [], 0
    for i, (answer, right) in enumerate(zip(opts, correct)):
        rationale = answer.feedback or general
        missing += not rationale
        option: dict[str, Any] = {"id": _option_id(i), "text": answer.text,
                                  "rationale": rationale or PLACEHOLDER_RATIONALE}
        if right or not single:
            option["correct"] = right
        options.append(option)
    if missing:
        degraded.append(_no_feedback(missing, "option(s)"))
    if general and all(a.feedback for a in opts):
        degraded.append("general feedback (####) dropped: rationales are kept per option")
    return {"type": "mcq" if single else "sata", "stem": unescape(before).strip(), "options": options}, degraded


def _option_id(index: int) -> str:
    """Option ids a, b, c, ... (they say nothing about the answer)."""
    return "abcdefghijklmnopqrstuvwxyz"[index] if index < 26 else f"o{index + 1}"


def _cloze(before: str, after: str, opts: list[_Answer], general: str,
           degraded: list[str]) -> tuple[dict[str, Any], list[str]]:
    """A missing-word question becomes a dropdown_cloze with one blank.

    Our exporter writes the stem, a blank line, then the sentence; without a blank line the
    whole text is the sentence and a neutral stem is supplied.
    """
    lead = unescape(before)
    cut = lead.rfind("\n\n")
    stem, head = (lead[:cut].strip(), lead[cut + 2:]) if cut >= 0 else (DEFAULT_CLOZE_STEM, lead)
    options = [{"id": f"o{i + 1}", "text": a.text, **({"rationale": a.feedback} if a.feedback else {})}
               for i, a in enumerate(opts)]
    key = next(i for i, a in enumerate(opts) if a.equals)
    rationale = general or opts[key].feedback
    if not rationale:
        degraded.append(_no_feedback(1, "blank"))
    text = (head.lstrip() + "[[b1]]" + unescape(after)).strip(" \t\r\n\u00a0")
    blank = {"id": "b1", "answer": f"o{key + 1}", "rationale": rationale or PLACEHOLDER_RATIONALE, "options": options}
    return {"type": "dropdown_cloze", "stem": stem or DEFAULT_CLOZE_STEM, "text": text, "blanks": [blank]}, degraded


def _matching(before: str, answers: str, general: str, line: int) -> tuple[dict[str, Any], list[str]]:
    """'=prompt -> target' pairs; an empty prompt adds a distractor target (as in Moodle)."""
    parts = answers.split("=")
    if parts[0].strip():
        raise GiftSyntaxError(f"{excerpt(parts[0])!r} comes before the first '=' pair", line)
    pairs: list[tuple[str, str, str]] = []
    for raw in parts[1:]:
        if "->" not in raw:
            raise GiftSyntaxError(f"matching pair {excerpt(raw)!r} has no '->'", line)
        left, _, right = raw.partition("->")
        right, _, feedback = right.partition("#")
        if not clean(right):
            raise GiftSyntaxError(f"matching pair {excerpt(raw)!r} has nothing after '->'", line)
        pairs.append((clean(left), clean(right), clean(feedback)))
    prompts = [p for p in pairs if p[0]]
    if len(prompts) < 2:
        raise GiftSyntaxError("a matching question needs at least two '=prompt -> answer' pairs", line)
    targets: dict[str, str] = {}
    for _, right, _ in pairs:
        targets.setdefault(right, f"t{len(targets) + 1}")
    listed = _listed_rationales(general, [p[0] for p in prompts])
    rows, missing = [], 0
    for i, (left, right, feedback) in enumerate(prompts):
        rationale = feedback or listed.get(i) or general
        missing += not rationale
        rows.append({"id": f"p{i + 1}", "text": left, "match": targets[right],
                     "rationale": rationale or PLACEHOLDER_RATIONALE})
    degraded = [_no_feedback(missing, "pair(s)")] if missing else []
    item = {"type": "matching", "stem": unescape(before).strip(), "prompts": rows,
            "targets": [{"id": ident, "text": text} for text, ident in targets.items()]}
    return item, degraded


def _listed_rationales(general: str, prompts: list[str]) -> dict[int, str]:
    """Read '- **prompt**: why' entries (how we export matching rationales), in order."""
    heads = [f"- **{p}**: " for p in prompts]
    found: dict[int, str] = {}
    pos = 0
    starts = []
    for head in heads:
        at = general.find(head, pos)
        if at < 0:
            return {}
        starts.append(at)
        pos = at + len(head)
    for i, at in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(general)
        found[i] = general[at + len(heads[i]):end].strip()
    return {i: text for i, text in found.items() if text}


def _true_false(before: str, answers: str, general: str) -> tuple[dict[str, Any], list[str]]:
    """'{T#feedback if wrong#feedback if right}'; both feedbacks are kept in the rationale."""
    bits = answers.split("#", 2)
    wrong = clean(bits[1]) if len(bits) > 1 else ""
    right = clean(bits[2]) if len(bits) > 2 else ""
    rationale = right if (right == wrong or not wrong) else (f"{right}\n\n{wrong}" if right else wrong)
    rationale = rationale or general
    degraded = [] if rationale else [_no_feedback(1, "statement")]
    if general and rationale != general:
        degraded.append("general feedback (####) dropped: the answer feedback is the rationale")
    item = {"type": "true_false", "stem": unescape(before).strip(), "answer": _TRUE_FALSE[bits[0].strip()],
            "rationale": rationale or PLACEHOLDER_RATIONALE}
    return item, degraded
