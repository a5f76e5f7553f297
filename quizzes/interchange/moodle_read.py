"""Build item fields of our schema from one Moodle XML <question>, per Moodle question type.

The reverse of :mod:`quizzes.interchange.moodle_write`: what our writer put in fixed shapes (listed
rationales, the stem before a '---' line, a table of drop-downs) is read back, so an exported item
imports unchanged apart from its inner ids. Questions written elsewhere are read as far as they fit,
with each loss named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from quizzes.interchange.gift_types import (
    DEFAULT_CLOZE_STEM,
    MAX_ANSWERS,
    PLACEHOLDER_RATIONALE,
    Unsupported,
)
from quizzes.interchange.moodle_text import (
    DROPDOWN_KINDS,
    STEM_BREAK,
    SUBQUESTION,
    TABLE_DEFAULT_HEADERS,
    parse_listed,
    read_listed,
    split_alternatives,
    split_other,
    split_sources,
)

_PARA = re.compile(r"^\s*<p>(.*?)</p>\s*$", re.S)
_NO_FEEDBACK = "no feedback in the Moodle question: placeholder rationale for {} {}"


@dataclass
class Head:
    """What every Moodle question has, read once."""

    title: str
    stem: str
    general: str
    idnumber: str
    tags: dict[str, str]
    sources: list[str]
    degraded: list[str] = field(default_factory=list)


@dataclass
class Read:
    """Our item's type-specific fields and what was lost on the way."""

    fields: dict[str, Any]
    degraded: list[str] = field(default_factory=list)


def text_of(el: Element | None, head: Head | None = None) -> str:
    """The <text> of a field; HTML is kept as written (and cleaned on save) with one note."""
    if el is None:
        return ""
    text = (el.findtext("text") or "").strip()
    if el.get("format") == "html":
        match = _PARA.match(text)
        text = match.group(1).strip() if match and "<p>" not in match.group(1) else text
        note = "HTML text kept as written; check that it reads well as Markdown"
        if head is not None and "<" in text and note not in head.degraded:
            head.degraded.append(note)
    return text


def common_fields(question: Element) -> Head:
    """Name, question text, general feedback (less its sources), idnumber and our tags."""
    tags: dict[str, str] = {}
    for tag in question.iterfind("tags/tag"):
        key, _, value = (tag.findtext("text") or "").strip().partition(":")
        if value and key in ("module", "cjmm", "item-type"):
            tags[key] = value
    head = Head((question.findtext("name/text") or "").strip(), "", "",
                (question.findtext("idnumber") or "").strip(), tags, [])
    head.stem = text_of(question.find("questiontext"), head)
    head.general, head.sources = split_sources(text_of(question.find("generalfeedback"), head))
    if question.find(".//file") is not None:
        head.degraded.append("embedded files (images) dropped: add them again in the editor")
    return head


def _answers(question: Element) -> list[Element]:
    """The question's <answer> elements, bounded."""
    found = question.findall("answer")
    if len(found) > MAX_ANSWERS:
        raise Unsupported(f"{len(found):,} answers: no item type holds more than {MAX_ANSWERS}; skipped.")
    return found


def _fraction(answer: Element) -> float:
    """An answer's fraction in percent."""
    return float(answer.get("fraction", "0"))


def _why(text: str, missing: list[int]) -> str:
    """The rationale, or the placeholder (counted in ``missing``)."""
    if text:
        return text
    missing[0] += 1
    return PLACEHOLDER_RATIONALE


def _shuffle(question: Element) -> dict[str, Any]:
    """``shuffle: false`` when Moodle keeps the order (true is the default, left out)."""
    return {"shuffle": False} if (question.findtext("shuffleanswers") or "1").strip() in ("0", "false") else {}


def read_multichoice(question: Element, head: Head) -> Read:
    """Single answer becomes mcq; multiple answers become sata (+/- scoring)."""
    answers = _answers(question)
    if len(answers) < 2:
        raise Unsupported("A multiple-choice question needs at least two answers; skipped.")
    single = (question.findtext("single") or "true").strip() in ("true", "1")
    fractions = [_fraction(a) for a in answers]
    missing, degraded = [0], []
    correct = [f >= 99.99 for f in fractions] if single else [f > 0 for f in fractions]
    if single and sum(correct) != 1:
        raise Unsupported("A single-answer question without exactly one 100% answer; skipped.")
    if single and any(0 < f < 99.99 or f < 0 for f in fractions):
        degraded.append("partial or negative fractions dropped: single-answer items score 0 or 1")
    if not single:
        k = sum(correct)
        if not k:
            raise Unsupported("A multiple-answer question with no right answer; skipped.")
        if any(abs(f - (100 / k if c else -100 / k)) > 0.01 for f, c in zip(fractions, correct)):
            degraded.append("fractions replaced by select-all-that-apply +/- scoring (+1 right, -1 wrong choice)")
    options = []
    for i, (answer, right) in enumerate(zip(answers, correct)):
        option: dict[str, Any] = {"id": _option_id(i), "text": text_of(answer, head),
                                  "rationale": _why(text_of(answer.find("feedback"), head) or head.general, missing)}
        if right or not single:
            option["correct"] = right
        options.append(option)
    _note_missing(degraded, missing, "option(s)")
    return Read({"type": "mcq" if single else "sata", "stem": head.stem, **_shuffle(question),
                 "options": options}, degraded)


def _option_id(index: int) -> str:
    """Option ids a, b, c, ... as the GIFT import gives them."""
    return "abcdefghijklmnopqrstuvwxyz"[index] if index < 26 else f"o{index + 1}"


def _note_missing(degraded: list[str], missing: list[int], what: str) -> None:
    """Add the placeholder note when any rationale was missing."""
    if missing[0]:
        degraded.append(_NO_FEEDBACK.format(missing[0], what))


def read_truefalse(question: Element, head: Head) -> Read:
    """The answer at 100% is the key; its feedback (or the other's, or the general one) is the rationale."""
    answers = {(a.findtext("text") or "").strip().lower(): a for a in _answers(question)}
    if set(answers) != {"true", "false"}:
        raise Unsupported("A true/false question without a 'true' and a 'false' answer; skipped.")
    key = _fraction(answers["true"]) >= _fraction(answers["false"])
    feedbacks = [text_of(answers[k].find("feedback"), head) for k in (str(key).lower(), str(not key).lower())]
    missing = [0]
    rationale = _why(feedbacks[0] or feedbacks[1] or head.general, missing)
    degraded: list[str] = []
    _note_missing(degraded, missing, "statement")
    return Read({"type": "true_false", "stem": head.stem, "answer": key, "rationale": rationale}, degraded)


def read_match(question: Element, head: Head) -> Read:
    """Subquestions become prompts; their answers the targets; listed rationales are read back."""
    subs = question.findall("subquestion")
    if len(subs) > MAX_ANSWERS:
        raise Unsupported(f"{len(subs):,} subquestions: more than {MAX_ANSWERS}; skipped.")
    pairs = [(text_of(s, head), (s.findtext("answer/text") or "").strip()) for s in subs]
    prompts = [(p, t) for p, t in pairs if p]
    targets: dict[str, str] = {}
    for _, target in pairs:
        targets.setdefault(target, f"t{len(targets) + 1}")
    main, other = split_other(head.general)
    why = read_listed(main, [p for p, _ in prompts]) or []
    own = parse_listed(other)
    missing = [0]
    rows = [{"id": f"p{i + 1}", "text": p, "match": targets[t],
             "rationale": _why(why[i] if why else head.general, missing)} for i, (p, t) in enumerate(prompts)]
    target_rows = [{"id": ident, "text": text, **({"rationale": own[text]} if own.get(text) else {})}
                   for text, ident in targets.items()]
    degraded: list[str] = []
    _note_missing(degraded, missing, "pair(s)")
    return Read({"type": "matching", "stem": head.stem, **_shuffle(question), "prompts": rows,
                 "targets": target_rows}, degraded)


def read_ordering(question: Element, head: Head) -> Read:
    """Answers sorted by fraction are the steps; grading type picks the scoring rule."""
    answers = sorted(_answers(question), key=_fraction)
    texts = [text_of(a, head) for a in answers]
    grading = (question.findtext("gradingtype") or "").strip().upper()
    degraded: list[str] = []
    if grading not in ("ALL_OR_NOTHING", "ABSOLUTE_POSITION", "ABS", "ABSOLUTE"):
        degraded.append(f"Moodle grading {grading or 'RELATIVE'!r} replaced by credit per position")
    if (question.findtext("selecttype") or "ALL").strip().upper() not in ("ALL", "EXACT"):
        degraded.append("Moodle showed a subset of the steps; every step is shown here")
    why = read_listed(head.general, texts) or []
    missing = [0]
    options = [{"id": f"s{i + 1}", "text": t, "rationale": _why(why[i] if why else "", missing)}
               for i, t in enumerate(texts)]
    _note_missing(degraded, missing, "step(s)")
    scoring = "all_or_nothing" if grading == "ALL_OR_NOTHING" else "per_position"
    return Read({"type": "ordering", "stem": head.stem, "scoring": scoring, "options": options}, degraded)


def _stem_and_text(head: Head, first_slot: int) -> tuple[str, str]:
    """Split the question text at our '---' line before the first slot, else use a neutral stem."""
    at = head.stem.rfind(STEM_BREAK, 0, first_slot)
    if at < 0:
        return DEFAULT_CLOZE_STEM, head.stem
    return head.stem[:at].strip(), head.stem[at + len(STEM_BREAK):].strip()


def _choice_boxes(question: Element, tag: str) -> list[tuple[str, str, bool]]:
    """(text, group, infinite) of each drag box or select option."""
    boxes = question.findall(tag)
    if len(boxes) > MAX_ANSWERS:
        raise Unsupported(f"{len(boxes):,} choices: more than {MAX_ANSWERS}; skipped.")
    return [((b.findtext("text") or "").strip(), (b.findtext("group") or "1").strip(),
             b.find("infinite") is not None) for b in boxes]


def _gaps(head: Head, count: int) -> list[int]:
    """The choice numbers named by [[n]] gaps, checked against the choices."""
    gaps = [int(n) for n in re.findall(r"\[\[(\d+)\]\]", head.stem)]
    if not gaps or any(not 1 <= n <= count for n in gaps):
        raise Unsupported("A gap names no existing choice, or there is no gap; skipped.")
    return gaps


def read_ddwtos(question: Element, head: Head) -> Read:
    """Drag boxes become tokens, [[n]] gaps targets whose answer is box n; rationales read back."""
    boxes = _choice_boxes(question, "dragbox")
    gaps = _gaps(head, len(boxes))
    stem, text = _stem_and_text(head, head.stem.find("[["))
    counter = iter(range(1, len(gaps) + 1))
    text = re.sub(r"\[\[(\d+)\]\]", lambda m: f"[[t{next(counter)}]]", text)
    main, other = split_other(head.general)
    why = read_listed(main, [boxes[n - 1][0] for n in gaps]) or []
    own = parse_listed(other)
    missing, degraded = [0], []
    tokens = [{"id": f"k{i}", "text": b[0], **({"rationale": own[b[0]]} if own.get(b[0]) else {})}
              for i, b in enumerate(boxes, 1)]
    targets = [{"id": f"t{i}", "answer": f"k{n}", "rationale": _why(why[i - 1] if why else head.general, missing)}
               for i, n in enumerate(gaps, 1)]
    if len({b[1] for b in boxes}) > 1:
        degraded.append("Moodle's groups of drag boxes merged into one pool")
    _note_missing(degraded, missing, "gap(s)")
    fields: dict[str, Any] = {"type": "dragdrop_cloze", "stem": stem, "text": text, "tokens": tokens,
                              "targets": targets}
    if any(b[2] for b in boxes) or len(set(gaps)) < len(gaps):
        fields["reuse_tokens"] = True
    return Read(fields, degraded)


def read_gapselect(question: Element, head: Head) -> Read:
    """Each [[n]] gap becomes a drop-down of the options in option n's group (no per-option feedback)."""
    boxes = _choice_boxes(question, "selectoption")
    gaps = _gaps(head, len(boxes))
    stem, text = _stem_and_text(head, head.stem.find("[["))
    counter = iter(range(1, len(gaps) + 1))
    text = re.sub(r"\[\[(\d+)\]\]", lambda m: f"[[b{next(counter)}]]", text)
    missing, blanks = [0], []
    for i, n in enumerate(gaps, 1):
        group = [(j, b[0]) for j, b in enumerate(boxes, 1) if b[1] == boxes[n - 1][1]]
        blanks.append({"id": f"b{i}", "answer": f"o{n}", "rationale": _why(head.general, missing),
                       "options": [{"id": f"o{j}", "text": t} for j, t in group]})
    degraded: list[str] = []
    _note_missing(degraded, missing, "blank(s)")
    return Read({"type": "dropdown_cloze", "stem": stem, "text": text, "blanks": blanks}, degraded)


def _dropdowns(head: Head) -> list[list[tuple[str, bool, str]]]:
    """Each cloze subquestion as (text, right, feedback) choices; only single-key drop-downs fit."""
    subs = SUBQUESTION.findall(head.stem)
    if not subs:
        raise Unsupported("A cloze question without subquestions; skipped.")
    if len(subs) > MAX_ANSWERS:
        raise Unsupported(f"{len(subs):,} subquestions: more than {MAX_ANSWERS}; skipped.")
    out = []
    for weight, kind, body in subs:
        if kind not in DROPDOWN_KINDS:
            raise Unsupported(f"Cloze subquestion {kind}: only drop-down (MULTICHOICE) blanks are supported; skipped.")
        if weight not in ("", "1"):
            head.degraded.append("cloze weights dropped: every blank is worth 1 point")
        alternatives = split_alternatives(body)
        if sum(1 for f, _, _ in alternatives if f is not None and f >= 99.99) != 1:
            raise Unsupported("A cloze drop-down without exactly one 100% answer; skipped.")
        if len(alternatives) > MAX_ANSWERS:
            raise Unsupported(f"a drop-down with more than {MAX_ANSWERS} choices; skipped.")
        out.append([(t, f is not None and f >= 99.99, fb) for f, t, fb in alternatives])
    return out


def read_multianswer(question: Element, head: Head) -> Read:
    """Cloze drop-downs: a table of them (our matrix or table items) or blanks in running text."""
    dropdowns = _dropdowns(head)
    kind = head.tags.get("item-type", "")
    if kind in ("matrix_mc", "dropdown_table"):
        table = _table(head.stem, len(dropdowns))
        if table is not None:
            return (_matrix if kind == "matrix_mc" else _dropdown_table)(table, dropdowns)
    return _cloze(head, dropdowns)


def _cloze(head: Head, dropdowns: list[list[tuple[str, bool, str]]]) -> Read:
    """Blanks in running text: the key's feedback is the blank's rationale, the others' their own."""
    stem, text = _stem_and_text(head, head.stem.find("{"))
    counter = iter(range(1, len(dropdowns) + 1))
    text = SUBQUESTION.sub(lambda m: f"[[b{next(counter)}]]", text)
    missing, blanks = [0], []
    for i, choices in enumerate(dropdowns, 1):
        key = next(j for j, c in enumerate(choices, 1) if c[1])
        blanks.append({"id": f"b{i}", "answer": f"o{key}", "rationale": _why(choices[key - 1][2], missing),
                       "options": [{"id": f"o{j}", "text": t, **({"rationale": fb} if fb and not right else {})}
                                   for j, (t, right, fb) in enumerate(choices, 1)]})
    degraded: list[str] = []
    _note_missing(degraded, missing, "blank(s)")
    return Read({"type": "dropdown_cloze", "stem": stem, "text": text, "blanks": blanks}, degraded)


def _table(stem: str, count: int) -> tuple[str, tuple[str, str], list[str]] | None:
    """(stem, headers, row texts) of a Markdown table whose rows each end in one subquestion."""
    head, sep, table = stem.rpartition("\n\n")
    lines = table.split("\n")
    if not sep or len(lines) != count + 2 or lines[1] != "| --- | --- |":
        return None
    headers = re.fullmatch(r"\| (.*?) \| (.*?) \|", lines[0])
    rows = [re.fullmatch(r"\| (.*?) \| \{\d*:[A-Z_]+:(?:\\.|[^\\}])*\} \|", line) for line in lines[2:]]
    if headers is None or not all(rows):
        return None
    return head.strip(), (headers.group(1), headers.group(2)), [r.group(1) for r in rows if r]


def _matrix(table: tuple[str, tuple[str, str], list[str]], dropdowns: list[list[tuple[str, bool, str]]]) -> Read:
    """Rows with the same choices become a matrix: the columns are the choices."""
    stem, _, texts = table
    columns = [t for t, _, _ in dropdowns[0]]
    if any([t for t, _, _ in d] != columns for d in dropdowns):
        raise Unsupported("Matrix rows offer different choices; skipped.")
    missing, rows = [0], []
    for i, (text, choices) in enumerate(zip(texts, dropdowns), 1):
        key = next(j for j, c in enumerate(choices, 1) if c[1])
        rows.append({"id": f"r{i}", "text": text, "answer": f"c{key}", "rationale": _why(choices[key - 1][2], missing)})
    degraded: list[str] = []
    _note_missing(degraded, missing, "row(s)")
    return Read({"type": "matrix_mc", "stem": stem, "columns": [{"id": f"c{j}", "text": t}
                                                                 for j, t in enumerate(columns, 1)],
                 "rows": rows}, degraded)


def _dropdown_table(table: tuple[str, tuple[str, str], list[str]],
                    dropdowns: list[list[tuple[str, bool, str]]]) -> Read:
    """Rows of drop-downs; options shared when every row offers the same ones with the same feedback."""
    stem, headers, texts = table
    missing, rows = [0], list[dict[str, Any]]()
    per_row = []
    for i, (text, choices) in enumerate(zip(texts, dropdowns), 1):
        key = next(j for j, c in enumerate(choices, 1) if c[1])
        options = [{"id": f"o{j}", "text": t, **({"rationale": fb} if fb and not right else {})}
                   for j, (t, right, fb) in enumerate(choices, 1)]
        per_row.append(options)
        rows.append({"id": f"r{i}", "text": text, "answer": f"o{key}", "rationale": _why(choices[key - 1][2], missing)})
    shared = _shared_options(per_row)
    fields: dict[str, Any] = {"type": "dropdown_table", "stem": stem}
    if headers != TABLE_DEFAULT_HEADERS:
        fields["headers"] = list(headers)
    if shared is not None:
        fields["options"] = shared
    else:
        for row, options in zip(rows, per_row):
            row["options"] = options
    fields["rows"] = rows
    degraded: list[str] = []
    _note_missing(degraded, missing, "row(s)")
    return Read(fields, degraded)


def _shared_options(per_row: list[list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    """One option list for every row, each option with the rationale it has where it is wrong."""
    texts = [o["text"] for o in per_row[0]]
    if any([o["text"] for o in options] != texts for options in per_row):
        return None
    shared = []
    for j, text in enumerate(texts):
        found = {options[j].get("rationale") for options in per_row} - {None}
        if len(found) > 1:
            return None
        shared.append({"id": f"o{j + 1}", "text": text, **({"rationale": found.pop()} if found else {})})
    return shared


READERS: dict[str, Callable[[Element, Head], Read]] = {
    "multichoice": read_multichoice,
    "truefalse": read_truefalse,
    "match": read_match,
    "ordering": read_ordering,
    "ddwtos": read_ddwtos,
    "gapselect": read_gapselect,
    "multianswer": read_multianswer,
}
