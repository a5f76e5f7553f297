"""Moodle XML readers for the typed-answer types: numerical, shortanswer and essay.

The writers (:mod:`quizzes.interchange.moodle_write`) put what Moodle's types cannot hold in tags:
``places:N`` (the rounding rule), ``tolerance:N%`` (a percent tolerance, given to Moodle as an
absolute one), ``typos:N`` and ``typo-min-length:N`` (spelling slips). They are read back here.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element

from quizzes.interchange.gift_types import MAX_ANSWERS, PLACEHOLDER_RATIONALE, Unsupported
from quizzes.interchange.moodle_read import Head, Read, text_of

_RUBRIC = re.compile(r"(?m)^- \*\*(.+?)\*\* \((\d+) points?\): ")


def _decimal(text: str | None) -> Decimal:
    """A number from the file, or Unsupported."""
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        raise Unsupported(f"{text!r} is not a number; skipped.") from None


def _json_number(value: Decimal) -> int | float:
    """An authored number as the bank writes it."""
    return int(value) if value == value.to_integral_value() else float(value)


def read_numerical(question: Element, head: Head) -> Read:
    """The 100% answer, its absolute tolerance (or our percent tag), the first unit and its penalty."""
    answers = question.findall("answer")
    keys = [a for a in answers if float(a.get("fraction", "0")) >= 99.99]
    if not keys or len(answers) > MAX_ANSWERS:
        raise Unsupported("A numerical question without a 100% answer; skipped.")
    degraded = ["partly right answers dropped: one key is kept"] if len(answers) > 1 else []
    key = _decimal(keys[0].findtext("text"))
    fields: dict[str, Any] = {"type": "numeric", "stem": head.stem, "answer": _json_number(key)}
    percent = head.tags.get("tolerance", "")
    if percent.endswith("%"):
        fields.update(tolerance=_json_number(_decimal(percent[:-1])), tolerance_type="percent")
    elif _decimal(keys[0].findtext("tolerance") or "0"):
        fields["tolerance"] = _json_number(_decimal(keys[0].findtext("tolerance")))
    if head.tags.get("places", "").isdigit():
        fields["places"] = int(head.tags["places"])
    unit = (question.findtext("units/unit/unit_name") or "").strip()
    if unit and (question.findtext("unitgradingtype") or "0").strip() != "0":
        fields["unit"] = unit
        credit = 1 - float(_decimal(question.findtext("unitpenalty") or "1"))
        if credit > 0:
            fields["unit_credit"] = round(credit, 4)
    fields["rationale"] = text_of(keys[0].find("feedback"), head) or head.general or _placeholder(degraded)
    return Read(fields, degraded)


def _placeholder(degraded: list[str]) -> str:
    """The placeholder rationale, noted."""
    degraded.append("no feedback in the Moodle question: placeholder rationale")
    return PLACEHOLDER_RATIONALE


def read_shortanswer(question: Element, head: Head) -> Read:
    """Answers at 100% are accepted; wildcards and partly right answers cannot be kept."""
    answers = question.findall("answer")
    if len(answers) > MAX_ANSWERS:
        raise Unsupported(f"{len(answers):,} answers: more than {MAX_ANSWERS}; skipped.")
    right = [a for a in answers if float(a.get("fraction", "0")) >= 99.99]
    texts = [(a.findtext("text") or "").strip() for a in right]
    if not texts or any(re.search(r"(?<!\\)\*", t) for t in texts):
        raise Unsupported("A short answer with no 100% answer, or with a '*' wildcard; skipped.")
    degraded = ["partly right answers dropped"] if len(right) < len(answers) else []
    fields: dict[str, Any] = {"type": "short_answer", "stem": head.stem,
                              "answers": [t.replace("\\*", "*") for t in texts]}
    if (question.findtext("usecase") or "0").strip() == "1":
        fields["case_sensitive"] = True
    for tag, key in (("typos", "typos"), ("typo-min-length", "typo_min_length")):
        if head.tags.get(tag, "").isdigit():
            fields[key] = int(head.tags[tag])
    if "typos" not in fields:
        fields["typos"] = 0  # Moodle allows no spelling slips
    fields["rationale"] = text_of(right[0].find("feedback"), head) or head.general or _placeholder(degraded)
    return Read(fields, degraded)


def read_essay(question: Element, head: Head) -> Read:
    """Our rubric list from the information for graders, else one criterion worth the default grade."""
    info = text_of(question.find("graderinfo"), head)
    parts = _RUBRIC.split(info)
    degraded: list[str] = []
    if len(parts) > 1 and not parts[0].strip():
        rubric = [{"id": f"c{i}", "text": parts[j], "points": int(parts[j + 1]), "rationale": parts[j + 2].strip()}
                  for i, j in enumerate(range(1, len(parts), 3), 1)]
    else:
        points = max(1, min(10, round(float(question.findtext("defaultgrade") or "1"))))
        rubric = [{"id": "c1", "text": "The answer as a whole", "points": points,
                   "rationale": info or head.general or _placeholder(degraded)}]
        degraded.append("no rubric in the Moodle question: one criterion for the whole mark")
    fields: dict[str, Any] = {"type": "essay", "stem": head.stem,
                              "rationale": head.general or _placeholder(degraded), "rubric": rubric}
    words = (question.findtext("maxwordlimit") or "").strip()
    if words.isdigit() and 1 <= int(words) <= 2000:
        fields["max_words"] = int(words)
    return Read(fields, degraded)
