"""Moodle XML readers for the gap types: ddwtos, gapselect and multianswer (cloze drop-downs, tables).

The reverse of the cloze writers in :mod:`quizzes.interchange.moodle_write`: the stem before our
'---' line, a Markdown table of drop-downs for a matrix or table item, rationales listed in the
general feedback.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from quizzes.interchange.gift_types import DEFAULT_CLOZE_STEM, MAX_ANSWERS, Unsupported
from quizzes.interchange.moodle_read import Head, Read, note_missing, why
from quizzes.interchange.moodle_text import (
    DROPDOWN_KINDS,
    STEM_BREAK,
    SUBQUESTION,
    TABLE_DEFAULT_HEADERS,
    parse_listed,
    read_listed,
    split_alternatives,
    split_other,
)


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
    listed_why = read_listed(main, [boxes[n - 1][0] for n in gaps]) or []
    own = parse_listed(other)
    missing, degraded = [0], []
    tokens = [{"id": f"k{i}", "text": b[0], **({"rationale": own[b[0]]} if own.get(b[0]) else {})}
              for i, b in enumerate(boxes, 1)]
    targets = [{"id": f"t{i}", "answer": f"k{n}",
                "rationale": why(listed_why[i - 1] if listed_why else head.general, missing)}
               for i, n in enumerate(gaps, 1)]
    if len({b[1] for b in boxes}) > 1:
        degraded.append("Moodle's groups of drag boxes merged into one pool")
    note_missing(degraded, missing, "gap(s)")
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
        blanks.append({"id": f"b{i}", "answer": f"o{n}", "rationale": why(head.general, missing),
                       "options": [{"id": f"o{j}", "text": t} for j, t in group]})
    degraded: list[str] = []
    note_missing(degraded, missing, "blank(s)")
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
        blanks.append({"id": f"b{i}", "answer": f"o{key}", "rationale": why(choices[key - 1][2], missing),
                       "options": [{"id": f"o{j}", "text": t, **({"rationale": fb} if fb and not right else {})}
                                   for j, (t, right, fb) in enumerate(choices, 1)]})
    degraded: list[str] = []
    note_missing(degraded, missing, "blank(s)")
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
        rows.append({"id": f"r{i}", "text": text, "answer": f"c{key}", "rationale": why(choices[key - 1][2], missing)})
    degraded: list[str] = []
    note_missing(degraded, missing, "row(s)")
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
        rows.append({"id": f"r{i}", "text": text, "answer": f"o{key}", "rationale": why(choices[key - 1][2], missing)})
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
    note_missing(degraded, missing, "row(s)")
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
