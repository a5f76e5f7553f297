"""The bank's clinical consistency check: course.item_rules over every item, case studies included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from course.content import ContentError
from course.item_rules import (
    MAS_GRADES,
    cue_key_problems,
    liver_test_problems,
    mas_problems,
    mrc_problems,
    plain,
    relapse_cue_problems,
    visit_grade_problems,
)
from quizzes.bank_loader import Bank, get_bank

Item = Mapping[str, Any]


def item_problems(item: Item) -> list[str]:
    """Every rule's problems for one bank item, each prefixed with the item id."""
    stem = str(item.get("stem") or "")
    problems = (mrc_problems(stem) + visit_grade_problems(stem)
                + mas_problems(stem, _mas_key(item)) + _shape_problems(item))
    return [f"item {item.get('id')!r}: {p}" for p in problems]


def bank_lint(bank: Bank | None = None) -> dict[str, Any]:
    """Raise ContentError listing every problem in the bank; else report how many items passed."""
    bank = get_bank() if bank is None else bank
    problems = [p for item in bank.items.values() for p in item_problems(item)]
    if problems:
        raise ContentError("quizzes/bank:\n  - " + "\n  - ".join(problems))
    return {"questions_linted": len(bank.items)}


def _mas_key(item: Item) -> str | None:
    """The keyed Modified Ashworth grade of a single-answer item about the scale, if any."""
    if item.get("type") != "mcq" or "ashworth" not in plain(item.get("stem")):
        return None
    keyed = [plain(o.get("text")).removeprefix("grade ") for o in item.get("options", []) if o.get("correct")]
    return keyed[0] if keyed and keyed[0] in MAS_GRADES else None


def _shape_problems(item: Item) -> list[str]:
    """Rules that read an item's structure: answer columns, safety columns, keyed options."""
    kind = item.get("type")
    if kind == "matrix_mc":
        columns = {c["id"]: c["text"] for c in item["columns"]}
        return relapse_cue_problems((r["text"], columns.get(r["answer"], "")) for r in item["rows"])
    if kind == "dropdown_table":
        return relapse_cue_problems(_table_answers(item))
    if kind == "matrix_mr":
        return liver_test_problems(item["columns"], item["rows"])
    if kind in ("sata", "select_n", "highlight"):
        options = item.get("options") or [s for s in item.get("passage", []) if isinstance(s, Mapping)]
        return cue_key_problems(str(item.get("stem") or ""),
                                (str(o.get("rationale") or "") for o in options if o.get("correct")))
    return []


def _table_answers(item: Item) -> Iterable[tuple[str, str]]:
    """Each dropdown-table row's text with the text of its keyed option."""
    shared = item.get("options") or []
    for row in item["rows"]:
        options = {o["id"]: o["text"] for o in (row.get("options") or shared)}
        yield row["text"], options.get(row["answer"], "")
