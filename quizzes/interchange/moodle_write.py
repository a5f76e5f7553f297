"""Moodle XML writers, one per item type whose registry entry says Moodle XML carries it.

Each writer returns the Moodle question type, the question text, the general feedback and the
type's own elements; :mod:`quizzes.interchange.moodle_xml` adds what every question has. Scoring is
kept exactly: fractions and the default grade give the same points as the tool's scorer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from quizzes.interchange.moodle_text import (
    STEM_BREAK,
    TABLE_DEFAULT_HEADERS,
    dropdown,
    join_other,
    listed,
    number,
    xml_safe,
)
from quizzes.types import slots

MARKDOWN = "markdown"


class Skip(Exception):
    """This item cannot be written as Moodle XML without changing its meaning."""


@dataclass
class Written:
    """One item as a Moodle question: its type, texts and type-specific elements."""

    qtype: str
    text: str
    general: str = ""
    body: list[Element] = field(default_factory=list)


def text_el(tag: str, text: str, fmt: str | None = MARKDOWN, **attrs: str) -> Element:
    """<tag format=...><text>...</text></tag>, Moodle's shape for every text field."""
    el = Element(tag, ({"format": fmt} if fmt else {}) | attrs)
    SubElement(el, "text").text = xml_safe(text.strip())
    return el


def value_el(tag: str, value: str) -> Element:
    """<tag>value</tag>."""
    el = Element(tag)
    el.text = value
    return el


def answer_el(fraction: float, text: str, feedback: str, fmt: str | None = MARKDOWN) -> Element:
    """An <answer> with its fraction (percent), text and feedback."""
    el = text_el("answer", text, fmt, fraction=number(fraction))
    el.append(text_el("feedback", feedback))
    return el


def combined_feedback(shownumcorrect: bool = True) -> list[Element]:
    """Empty correct/partially correct/incorrect feedback: rationales carry the explanation."""
    els = [text_el(tag, "") for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")]
    return els + ([Element("shownumcorrect")] if shownumcorrect else [])


def _shuffle(item: Mapping[str, Any]) -> Element:
    """<shuffleanswers> from the item's shuffle setting (default on)."""
    return value_el("shuffleanswers", "true" if item.get("shuffle", True) else "false")


def _choices(item: Mapping[str, Any], single: bool, fractions: list[float]) -> Written:
    """A multichoice question: one answer per option, its rationale as the answer's feedback."""
    body = [value_el("single", "true" if single else "false"), _shuffle(item),
            value_el("answernumbering", "abc"), value_el("showstandardinstruction", "0"),
            *combined_feedback()]
    body += [answer_el(f, o["text"], o["rationale"]) for o, f in zip(item["options"], fractions)]
    return Written("multichoice", item["stem"], "", body)


def write_mcq(item: Mapping[str, Any]) -> Written:
    """Single answer: the key at 100%, every other option at 0%."""
    return _choices(item, True, [100.0 if o.get("correct") else 0.0 for o in item["options"]])


def write_sata(item: Mapping[str, Any]) -> Written:
    """Multiple answers at +100/k and -100/k with a default grade of k: the NCSBN +/- score, floor 0."""
    k = sum(1 for o in item["options"] if o.get("correct"))
    return _choices(item, False, [100 / k if o.get("correct") else -100 / k for o in item["options"]])


def write_true_false(item: Mapping[str, Any]) -> Written:
    """Both answers carry the rationale, so the learner reads it whichever they chose."""
    right = bool(item["answer"])
    body = [answer_el(100.0 if value == right else 0.0, "true" if value else "false", item["rationale"],
                      "moodle_auto_format") for value in (True, False)]
    return Written("truefalse", item["stem"], "", body)


def write_matching(item: Mapping[str, Any]) -> Written:
    """Subquestions by prompt; spare targets as empty subquestions; rationales listed in the feedback."""
    targets = {t["id"]: t for t in item["targets"]}
    if len({t["text"].strip() for t in item["targets"]}) < len(targets):
        raise Skip("two matching targets have the same text, which Moodle cannot tell apart")
    body = [_shuffle(item), *combined_feedback()]
    used = {p["match"] for p in item["prompts"]}
    order = [(p["text"], targets[p["match"]]["text"]) for p in item["prompts"]]
    order += [("", t["text"]) for t in item["targets"] if t["id"] not in used]
    for prompt, target in order:
        sub = text_el("subquestion", prompt)
        answer = SubElement(sub, "answer")
        SubElement(answer, "text").text = xml_safe(target.strip())
        body.append(sub)
    # Moodle's matching has no feedback per pair: the rationales travel as lists, read back by text.
    main = listed([(p["text"], p["rationale"]) for p in item["prompts"]])
    other = listed([(t["text"], t["rationale"]) for t in item["targets"] if t.get("rationale")])
    return Written("match", item["stem"], join_other(main, other), body)


def write_ordering(item: Mapping[str, Any]) -> Written:
    """qtype_ordering (core since Moodle 4.4): steps in order, all or nothing or per absolute position."""
    grading = "ALL_OR_NOTHING" if item.get("scoring") == "all_or_nothing" else "ABSOLUTE_POSITION"
    steps = item["options"]
    body = [value_el("layouttype", "VERTICAL"), value_el("selecttype", "ALL"),
            value_el("selectcount", str(len(steps))), value_el("gradingtype", grading),
            value_el("showgrading", "SHOW"), value_el("numberingstyle", "none"), *combined_feedback()]
    body += [text_el("answer", s["text"], MARKDOWN, fraction=str(i)) for i, s in enumerate(steps, 1)]
    # Moodle keeps no feedback per step, so the step rationales are listed in the general feedback.
    return Written("ordering", item["stem"], listed([(s["text"], s["rationale"]) for s in steps]), body)


def _cloze_text(item: Mapping[str, Any], fill: Callable[[str], str]) -> str:
    """Stem, a thematic break, then the text with each [[slot]] replaced by fill(slot id)."""
    if STEM_BREAK.strip() in item["stem"]:
        raise Skip("the stem contains a '---' line, which Moodle XML uses to end the stem of a cloze")
    text = item["text"]
    for slot in slots.PLACEHOLDER_RE.findall(text):
        text = text.replace(f"[[{slot}]]", fill(slot), 1)
    return item["stem"].strip() + STEM_BREAK + text.strip()


def write_dropdown_cloze(item: Mapping[str, Any]) -> Written:
    """Cloze (multianswer): one drop-down per blank, 1 point each, feedback on every choice."""
    blanks = {b["id"]: b for b in item["blanks"]}

    def fill(slot: str) -> str:
        blank = blanks[slot]
        return dropdown(1, [(o["text"], o["id"] == blank["answer"],
                             blank["rationale"] if o["id"] == blank["answer"] else o.get("rationale", ""))
                            for o in blank["options"]])
    return Written("multianswer", _cloze_text(item, fill))


def _table(item: Mapping[str, Any], headers: tuple[str, str],
           row_choices: Callable[[Mapping[str, Any]], list[tuple[str, bool, str]]]) -> Written:
    """A Markdown table: one row per row, its drop-down in the second column (Moodle cloze)."""
    lines = [f"| {headers[0]} | {headers[1]} |", "| --- | --- |"]
    for row in item["rows"]:
        if "\n" in row["text"].strip() or "|" in row["text"]:
            raise Skip(f"row {row['id']!r} has a line break or '|', which a table row cannot hold")
        lines.append(f"| {row['text'].strip()} | {dropdown(1, row_choices(row))} |")
    return Written("multianswer", item["stem"].strip() + "\n\n" + "\n".join(lines))


def write_matrix_mc(item: Mapping[str, Any]) -> Written:
    """Approximation: one drop-down of the columns per row (0/1 per row, as scored here)."""
    def choices(row: Mapping[str, Any]) -> list[tuple[str, bool, str]]:
        return [(c["text"], c["id"] == row["answer"], row["rationale"]) for c in item["columns"]]
    return _table(item, TABLE_DEFAULT_HEADERS, choices)


def write_dropdown_table(item: Mapping[str, Any]) -> Written:
    """One drop-down per row (0/1 per row); the row's rationale on its key, each option's on the rest."""
    headers = item.get("headers") or TABLE_DEFAULT_HEADERS
    for header in headers:
        if "|" in header or "\n" in header:
            raise Skip("a table header has a line break or '|', which a table cannot hold")

    def choices(row: Mapping[str, Any]) -> list[tuple[str, bool, str]]:
        return [(o["text"], o["id"] == row["answer"],
                 row["rationale"] if o["id"] == row["answer"] else o.get("rationale", ""))
                for o in slots.dropdown_options(item, row)]
    return _table(item, (headers[0], headers[1]), choices)


def write_dragdrop_cloze(item: Mapping[str, Any]) -> Written:
    """ddwtos: tokens as drag boxes in group 1; each gap names its answer's box; rationales listed."""
    number_of = {t["id"]: i for i, t in enumerate(item["tokens"], 1)}
    targets = {t["id"]: t for t in item["targets"]}
    text = _cloze_text(item, lambda slot: f"[[{number_of[targets[slot]['answer']]}]]")
    body = [value_el("shuffleanswers", "1"), *combined_feedback()]
    for token in item["tokens"]:
        box_el = Element("dragbox")
        SubElement(box_el, "text").text = xml_safe(token["text"].strip())
        SubElement(box_el, "group").text = "1"
        if item.get("reuse_tokens"):
            SubElement(box_el, "infinite")
        body.append(box_el)
    tokens = {t["id"]: t for t in item["tokens"]}
    order = slots.PLACEHOLDER_RE.findall(item["text"])
    main = listed([(tokens[targets[s]["answer"]]["text"], targets[s]["rationale"]) for s in order])
    other = listed([(t["text"], t["rationale"]) for t in item["tokens"] if t.get("rationale")])
    return Written("ddwtos", text, join_other(main, other), body)


def _plain(value: Any) -> str:
    """A number as plain decimal text (no exponent, no trailing zeros)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def extra_tags(item: Mapping[str, Any]) -> list[str]:
    """Tags for what the Moodle type cannot hold (read back by our importer)."""
    tags = []
    if item["type"] == "numeric":
        if item.get("places") is not None:
            tags.append(f"places:{item['places']}")
        if item.get("tolerance_type") == "percent":
            tags.append(f"tolerance:{_plain(item.get('tolerance', 0))}%")
    if item["type"] == "short_answer":
        # Always written: a file from elsewhere means no slips (Moodle's rule), ours says how many.
        tags.append(f"typos:{item.get('typos', 1)}")
        if "typo_min_length" in item:
            tags.append(f"typo-min-length:{item['typo_min_length']}")
    return tags


def write_numeric(item: Mapping[str, Any]) -> Written:
    """numerical: the key with an absolute tolerance; a unit with Moodle's penalty for a wrong one."""
    key = Decimal(str(item["answer"]))
    tolerance = Decimal(str(item.get("tolerance", 0)))
    if item.get("tolerance_type") == "percent":
        tolerance = abs(key) * tolerance / 100
    answer = answer_el(100.0, _plain(key), item["rationale"], "moodle_auto_format")
    SubElement(answer, "tolerance").text = _plain(tolerance)
    body = [answer]
    if item.get("unit"):
        units = Element("units")
        unit = SubElement(units, "unit")
        SubElement(unit, "multiplier").text = "1"
        SubElement(unit, "unit_name").text = item["unit"].strip()
        penalty = 1 - float(item.get("unit_credit", 0))
        body += [units, value_el("unitgradingtype", "1"), value_el("unitpenalty", number(penalty)),
                 value_el("showunits", "0"), value_el("unitsleft", "0")]
    else:
        body += [value_el("unitgradingtype", "0"), value_el("unitpenalty", "0"), value_el("showunits", "3"),
                 value_el("unitsleft", "0")]
    return Written("numerical", item["stem"], "", body)


def write_short_answer(item: Mapping[str, Any]) -> Written:
    """shortanswer: every accepted answer at 100% with the rationale; '*' escaped (Moodle's wildcard)."""
    body = [value_el("usecase", "1" if item.get("case_sensitive") else "0")]
    body += [answer_el(100.0, str(a).replace("*", "\\*"), item["rationale"], "moodle_auto_format")
             for a in item["answers"]]
    return Written("shortanswer", item["stem"], "", body)


def write_essay(item: Mapping[str, Any]) -> Written:
    """essay: the rubric as the information for graders, the model answer as general feedback."""
    rubric = "\n".join(f"- **{c['text'].strip()}** ({c['points']} point{'' if c['points'] == 1 else 's'}): "
                       f"{c['rationale'].strip()}" for c in item["rubric"])
    body = [value_el("responseformat", "editor"), value_el("responserequired", "1"),
            value_el("responsefieldlines", "10"), value_el("minwordlimit", ""),
            value_el("maxwordlimit", str(item.get("max_words", ""))), value_el("attachments", "0"),
            value_el("attachmentsrequired", "0"), text_el("graderinfo", rubric), text_el("responsetemplate", "")]
    return Written("essay", item["stem"], item["rationale"], body)


def notes_for(item: Mapping[str, Any]) -> list[str]:
    """Where Moodle marks a typed answer differently from the tool."""
    if item["type"] == "numeric":
        return ["Moodle accepts the value within the tolerance however it is written: it cannot require the "
                "rounding rule or the leading zero (.5 for 0.5), so check these by hand"]
    if item["type"] == "short_answer" and item.get("typos", 1):
        return ["Moodle's short answer allows no spelling slips: an answer with one the tool accepts is "
                "wrong in Moodle"]
    return []


# The writer of each type whose registry entry says Moodle XML writes it (QuestionType.moodle).
WRITERS: dict[str, Callable[[Mapping[str, Any]], Written]] = {
    "mcq": write_mcq,
    "sata": write_sata,
    "true_false": write_true_false,
    "matching": write_matching,
    "ordering": write_ordering,
    "dropdown_cloze": write_dropdown_cloze,
    "dropdown_table": write_dropdown_table,
    "matrix_mc": write_matrix_mc,
    "dragdrop_cloze": write_dragdrop_cloze,
    "numeric": write_numeric,
    "short_answer": write_short_answer,
    "essay": write_essay,
}
