"""Text conventions shared by the Moodle XML writer and reader: cloze syntax, listed rationales, tags.

Moodle XML has one question text and one general feedback per question. What our items hold beyond
that (the stem apart from a cloze text, a rationale per matching pair or ordering step, sources)
travels in those two texts in fixed Markdown shapes that the reader parses back, so an exported item
imports as the same item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A thematic break between the stem and a cloze or drag-and-drop text (one question text in Moodle).
STEM_BREAK = "\n\n---\n\n"
SOURCES_HEAD = "\n\n**Sources**\n\n"
OTHER_HEAD = "\n\n**Other choices**\n\n"
TABLE_DEFAULT_HEADERS = ("", "Answer")
TAG_PREFIXES = ("module:", "cjmm:", "item-type:")

# Cloze (multianswer) answers escape these with a backslash (Moodle's qtype_multianswer).
_CLOZE_SPECIAL = "\\}#~/\""
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SUBQUESTION = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}", re.S)
DROPDOWN_KINDS = {"MULTICHOICE", "MC", "MULTICHOICE_S", "MCS", "MULTICHOICE_V", "MCV", "MULTICHOICE_H",
                  "MCH", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"}


def xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot hold become U+FFFD (nothing authored should contain them)."""
    return _XML_BAD.sub("\ufffd", text)


def cloze_escape(text: str) -> str:
    """Escape text inside a cloze subquestion; a line break becomes <br> (a subquestion is one line)."""
    for char in _CLOZE_SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def cloze_unescape(text: str) -> str:
    """Undo cloze_escape."""
    return re.sub(r"\\(.)", r"\1", text.replace("<br>", "\n"), flags=re.S)


def number(value: float) -> str:
    """A fraction or grade as Moodle writes it: up to 7 decimals, no trailing zeros."""
    return f"{value:.7f}".rstrip("0").rstrip(".") or "0"


def dropdown(weight: int, choices: Sequence[tuple[str, bool, str]]) -> str:
    """One drop-down subquestion: (text, right, feedback) choices, right ones at 100%."""
    parts = [f"%{100 if right else 0}%{cloze_escape(text.strip())}"
             + (f"#{cloze_escape(fb.strip())}" if fb.strip() else "") for text, right, fb in choices]
    return "{" + f"{weight}:MULTICHOICE:" + "~".join(parts) + "}"


def split_alternatives(body: str) -> list[tuple[float | None, str, str]]:
    """A subquestion's answers as (fraction in percent or None, text, feedback), unescaped."""
    out: list[tuple[float | None, str, str]] = []
    for raw in _split_unescaped(body, "~"):
        fraction: float | None = None
        match = re.match(r"\s*(?:%(-?\d+(?:[.,]\d*)?)%|(=))", raw)
        if match:
            fraction = 100.0 if match.group(2) else float(match.group(1).replace(",", "."))
            raw = raw[match.end():]
        parts = _split_unescaped(raw, "#", 1)
        feedback = parts[1] if len(parts) > 1 else ""
        out.append((fraction, cloze_unescape(parts[0]).strip(), cloze_unescape(feedback).strip()))
    return out


def _split_unescaped(text: str, char: str, maxsplit: int = -1) -> list[str]:
    """Split at each ``char`` that no backslash escapes (an escaped backslash escapes nothing)."""
    piece = re.compile(r"(?:\\[\s\S]?|[^\\" + re.escape(char) + r"])*")
    out: list[str] = []
    pos = 0
    while True:
        end = piece.match(text, pos).end()  # type: ignore[union-attr]  # a * pattern always matches
        if end >= len(text) or len(out) == maxsplit:
            out.append(text[pos:])
            return out
        out.append(text[pos:end])
        pos = end + 1


def listed(entries: Sequence[tuple[str, str]]) -> str:
    """'- **label**: text' lines, one per entry."""
    return "\n".join(f"- **{label.strip()}**: {text.strip()}" for label, text in entries)


def read_listed(text: str, labels: Sequence[str]) -> list[str] | None:
    """The texts written by listed() for these labels in order, or None when the shape differs."""
    heads = [f"- **{label.strip()}**: " for label in labels]
    starts, pos = [], 0
    for head in heads:
        at = text.find(head, pos)
        if at < 0 or (at and text[at - 1] != "\n"):
            return None
        starts.append(at)
        pos = at + len(head)
    ends = starts[1:] + [len(text)]
    return [text[at + len(head):end].rstrip("\n") for at, head, end in zip(starts, heads, ends)]


def parse_listed(text: str) -> dict[str, str]:
    """Every '- **label**: text' entry of a list written by listed(), by label."""
    parts = re.split(r"(?m)^- \*\*(.+?)\*\*: ", text)
    if parts[0].strip():
        return {}
    return {label.strip(): body.rstrip("\n") for label, body in zip(parts[1::2], parts[2::2])}


def with_sources(general: str, sources: Sequence[str]) -> str:
    """General feedback followed by the item's sources as a list."""
    if not sources:
        return general
    block = "\n".join(f"- {' '.join(str(s).split())}" for s in sources)
    return f"{general}{SOURCES_HEAD}{block}" if general else f"{SOURCES_HEAD.lstrip()}{block}"


def split_sources(general: str) -> tuple[str, list[str]]:
    """General feedback without its sources list, and the sources."""
    head = SOURCES_HEAD.lstrip() if general.startswith(SOURCES_HEAD.lstrip()) else SOURCES_HEAD
    at = 0 if head is not SOURCES_HEAD else general.rfind(head)
    if at < 0 or not general[at:].startswith(head):
        return general, []
    lines = general[at + len(head):].split("\n")
    if not all(line.startswith("- ") and line[2:].strip() for line in lines):
        return general, []
    return general[:at], [line[2:].strip() for line in lines]


def split_other(general: str) -> tuple[str, str]:
    """General feedback before and after the 'Other choices' list."""
    at = general.rfind(OTHER_HEAD)
    if at < 0:
        head = OTHER_HEAD.lstrip()
        return ("", general[len(head):]) if general.startswith(head) else (general, "")
    return general[:at], general[at + len(OTHER_HEAD):]


def join_other(main: str, other: str) -> str:
    """General feedback with an 'Other choices' list after the main part."""
    if not other:
        return main
    return f"{main}{OTHER_HEAD}{other}" if main else f"{OTHER_HEAD.lstrip()}{other}"
