"""GIFT text escaping (shared with the importer) and export of items to Moodle's GIFT format.

Escaping follows Moodle's ``qformat_gift`` (``repchar`` and ``escapedchar_pre``): the characters
``~ = # { } :`` and the backslash are written with a backslash, and a newline as ``\\n``, so
every question fits on lines with no blank line inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from course.content import ContentError
from quizzes.types import REGISTRY
from quizzes.types.numbers import as_decimal, plain

_ESCAPABLE = "\\~=#{}:"
# Escaped characters are swapped for code points from a private-use plane while parsing, so
# that structural characters can be found with plain string searches (Moodle uses "&&058;").
_PLACEHOLDERS = {c: chr(0xF0000 + i) for i, c in enumerate(_ESCAPABLE)}
_NEWLINE = chr(0xF0000 + len(_ESCAPABLE))
_RESTORE = {v: k for k, v in _PLACEHOLDERS.items()} | {_NEWLINE: "\n"}
_PRIVATE = re.compile("[\U000F0000-\U000F000F]")
# str.replace and str.translate: a character-by-character loop took 4 s on a 2 MB file.
# Escaped backslashes go first, pairing each run of backslashes from its left as a scan would;
# every backslash left after that stands alone, so the other escapes cannot overlap.
_ESCAPE_ORDER = [("\\\\", _PLACEHOLDERS["\\"])] + [
    ("\\" + c, _PLACEHOLDERS[c]) for c in _ESCAPABLE if c != "\\"] + [("\\n", _NEWLINE)]
_RESTORE_TABLE = {ord(k): v for k, v in _RESTORE.items()}
_FORMATS = ("moodle", "html", "plain", "markdown")
# A trailing non-breaking space keeps a missing-word question whose blank ends the text from
# being read as an ordinary question (Moodle checks whether the text ends with "}").
_TAIL_GUARD = "\u00a0"


def protect(text: str) -> str:
    """Replace GIFT escape sequences with placeholders (input placeholders become U+FFFD)."""
    text = _PRIVATE.sub("\ufffd", text)
    for sequence, placeholder in _ESCAPE_ORDER:
        text = text.replace(sequence, placeholder)
    return text


def unescape(text: str) -> str:
    """Turn placeholders back into the characters they stand for."""
    return text.translate(_RESTORE_TABLE)


def split_format(text: str) -> tuple[str | None, str]:
    """Split a leading ``[markdown]``-style format marker from text, as Moodle does."""
    if text.startswith("["):
        end = text.find("]")
        if end > 0 and text[1:end] in _FORMATS:
            return text[1:end], text[end + 1:]
    return None, text


def escape(text: str) -> str:
    """Escape text for GIFT, like Moodle's ``repchar``."""
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    return out.replace("\r\n", "\n").replace("\r", "").replace("\n", "\\n")


def _answer_text(text: str) -> str:
    """Escape an answer or feedback; a marker stops '[' or '%' at the start being misread."""
    return ("[markdown]" if text.startswith(("[", "%")) else "") + escape(text)


def _percent(value: float) -> str:
    """A GIFT weight such as 33.33333 or -50."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


@dataclass
class GiftExport:
    """GIFT text for the exportable items, and (item id, reason) for each item left out."""

    text: str
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # (item id, note) for items written with a loss the instructor must repair in Moodle.
    notes: list[tuple[str, str]] = field(default_factory=list)


class _Skip(Exception):
    """This item cannot be written as GIFT without changing its meaning."""


def export_gift(items: Iterable[Mapping[str, Any]]) -> GiftExport:
    """Write every item GIFT can express; list the rest with the reason they were left out."""
    chunks: list[str] = []
    skipped: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    topic = None
    for item in items:
        item_id, kind = str(item.get("id", "?")), item.get("type")
        try:
            if kind not in REGISTRY:
                raise _Skip(f"unknown item type {kind!r}")
            if not REGISTRY[kind].gift.written:  # the type says why GIFT cannot carry it
                raise _Skip(f"{REGISTRY[kind].gift.reason} ({kind}); exporting it would change its meaning")
            REGISTRY[kind].validate(item, f"item {item_id}")
            body = WRITERS[kind](item)
        except (_Skip, ContentError) as err:
            skipped.append((item_id, str(err)))
            continue
        if item["topic"] != topic:
            topic = item["topic"]
            chunks.append(f"$CATEGORY: $course$/top/{topic}")
        chunks.append(_comments(item) + (f"::{escape(item['title'])}::" if item.get("title") else "") + body)
        if item.get("shuffle") is False and kind in _SHUFFLED_IN_MOODLE:
            notes.append((item_id, FIXED_ORDER_NOTE))
    return GiftExport("\n\n".join(chunks) + ("\n" if chunks else ""), skipped, notes)


# Moodle's GIFT import shuffles these (its default); GIFT has no way to say "keep this order".
_SHUFFLED_IN_MOODLE = {"mcq", "sata", "matching"}
FIXED_ORDER_NOTE = ("its options must stay in order (a rating scale), which GIFT cannot say: after the import, "
                    "turn off 'Shuffle the choices' for it in Moodle, or use the Moodle XML export, which keeps it")


def _comments(item: Mapping[str, Any]) -> str:
    """Comment lines keeping what GIFT cannot: the id (as Moodle 4 reads it), a fixed order and the sources."""
    lines = [f"// [id:{item['id']}]"]
    if "shuffle" in item:
        lines.append(f"// shuffle: {'true' if item['shuffle'] else 'false'}")
    lines += [f"// source: {' '.join(str(s).split())}" for s in item.get("sources", [])]
    return "\n".join(lines) + "\n"


def _stem(item: Mapping[str, Any]) -> str:
    """The question text with its Markdown format marker."""
    return "[markdown]" + escape(item["stem"].strip())


def _feedback(text: str | None) -> str:
    """A '#feedback' suffix, or nothing."""
    return f"#{_answer_text(text.strip())}" if text and text.strip() else ""


def _write_mcq(item: Mapping[str, Any]) -> str:
    """Single answer: '=' marks the key, '~' the distractors."""
    lines = [
        f"\t{'=' if o.get('correct') else '~'}{_answer_text(o['text'])}{_feedback(o['rationale'])}"
        for o in item["options"]
    ]
    return _stem(item) + "{\n" + "\n".join(lines) + "\n}"


def _write_sata(item: Mapping[str, Any]) -> str:
    """Multiple response: +100/k for each of k right options and -100/k for each wrong one.

    These weights give the same +/- result as NCSBN scoring, scaled to the item's maximum.
    """
    k = sum(1 for o in item["options"] if o.get("correct"))
    lines = [
        f"\t~%{_percent(100 / k if o.get('correct') else -100 / k)}%"
        f"{_answer_text(o['text'])}{_feedback(o['rationale'])}"
        for o in item["options"]
    ]
    return _stem(item) + "{\n" + "\n".join(lines) + "\n}"


def _write_true_false(item: Mapping[str, Any]) -> str:
    """'{TRUE#feedback if wrong#feedback if right}': the rationale serves as both."""
    why = _answer_text(item["rationale"].strip())
    return _stem(item) + "{" + ("TRUE" if item["answer"] else "FALSE") + f"#{why}#{why}" + "}"


def _write_matching(item: Mapping[str, Any]) -> str:
    """'=prompt -> target' pairs, '= -> target' for spare targets, rationales as a list."""
    targets = {t["id"]: t["text"] for t in item["targets"]}
    if len(set(targets.values())) < len(targets):
        raise _Skip("two matching targets have the same text, which GIFT cannot tell apart")
    for prompt in item["prompts"]:
        if "->" in prompt["text"]:
            raise _Skip(f"matching prompt {prompt['id']!r} contains '->', which GIFT reads as the arrow")
    lines = [f"\t={escape(p['text'])} -> {escape(targets[p['match']])}" for p in item["prompts"]]
    used = {p["match"] for p in item["prompts"]}
    lines += [f"\t= -> {escape(text)}" for ident, text in targets.items() if ident not in used]
    # GIFT matching has no per-pair feedback, so rationales travel as a Markdown list in the
    # general feedback, which the importer reads back by prompt text.
    listed = "\n".join(f"- **{p['text'].strip()}**: {p['rationale'].strip()}" for p in item["prompts"])
    lines.append(f"\t####{escape(listed)}")
    return _stem(item) + "{\n" + "\n".join(lines) + "\n}"


def _write_dropdown_cloze(item: Mapping[str, Any]) -> str:
    """One blank as a missing-word question: stem, blank line, sentence with the choices."""
    if len(item["blanks"]) != 1:
        raise _Skip(f"GIFT's missing-word format holds one blank; this item has {len(item['blanks'])}")
    blank = item["blanks"][0]
    head, tail = item["text"].split(f"[[{blank['id']}]]", 1)
    head = head.lstrip()
    if "\n\n" in head.replace("\r", ""):
        raise _Skip("the text before the blank has a paragraph break, which GIFT would merge into the stem")
    lines = [
        f"\t{'=' if o['id'] == blank['answer'] else '~'}{_answer_text(o['text'])}{_feedback(o.get('rationale'))}"
        for o in blank["options"]
    ]
    lines.append(f"\t####{_answer_text(blank['rationale'].strip())}")
    text = "[markdown]" + escape(item["stem"].strip() + "\n\n" + head)
    return text + "{\n" + "\n".join(lines) + "\n}" + (escape(tail.rstrip()) if tail.strip() else _TAIL_GUARD)


def _write_numeric(item: Mapping[str, Any]) -> str:
    """'{#=answer:tolerance#rationale}': GIFT's tolerance is absolute, so a percent is converted.

    GIFT cannot carry the unit, the rounding rule or the unit credit: Moodle marks the number only.
    """
    key = as_decimal(item["answer"]) or Decimal(0)
    tolerance = as_decimal(item.get("tolerance", 0)) or Decimal(0)
    if item.get("tolerance_type") == "percent":
        tolerance = abs(key) * tolerance / 100
    return _stem(item) + "{#\n\t=" + f"{plain(key)}:{plain(tolerance)}{_feedback(item['rationale'])}" + "\n}"


def _write_short_answer(item: Mapping[str, Any]) -> str:
    """'{=answer =other ####rationale}' (Moodle ignores case, as our default does; no spelling slips)."""
    if item.get("case_sensitive"):
        raise _Skip("GIFT short answers ignore case; this item needs case to match")
    lines = [f"\t={_answer_text(a)}" for a in item["answers"]]
    lines.append(f"\t####{_answer_text(item['rationale'].strip())}")
    return _stem(item) + "{\n" + "\n".join(lines) + "\n}"


def _write_essay(item: Mapping[str, Any]) -> str:
    """'{####model answer}': an essay; the rubric travels as a list in the general feedback."""
    rubric = "\n".join(f"- {c['text'].strip()} ({c['points']} point{'s' if c['points'] != 1 else ''}): "
                       f"{c['rationale'].strip()}" for c in item["rubric"])
    return _stem(item) + "{\n\t####" + escape(item["rationale"].strip() + "\n\nRubric:\n" + rubric) + "\n}"


# The writer of each type whose registry entry says GIFT writes it (QuestionType.gift).
WRITERS = {
    "mcq": _write_mcq,
    "sata": _write_sata,
    "true_false": _write_true_false,
    "matching": _write_matching,
    "dropdown_cloze": _write_dropdown_cloze,
    "numeric": _write_numeric,
    "short_answer": _write_short_answer,
    "essay": _write_essay,
}
