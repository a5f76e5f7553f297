"""Matrix types: one column per row (0/1 per row) and several per row (+/- per column)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import quizzes.types.checks as checks

from .base import (
    PLAIN_STATS,
    WRITTEN,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    cannot,
    total,
)
from .form_spec import ID, TEXT, WHY, Col, Rows, TypeForm
from .forms import as_map, id_text, known, maybe_shuffled, one, pick, pick_many, public_base


def _col_ids(item: Item) -> list[str]:
    """Column ids in display order."""
    return [c["id"] for c in item["columns"]]


def _grid(item: Item, where: str, name: str,
          column_keys: set[str]) -> tuple[Sequence[Any], list[str]]:
    """Shared checks of rows and columns; returns the rows and the column ids."""
    checks.common(item, where, name, {"rows", "columns"})
    cols = checks.entries(item, "columns", where, min_n=2, max_n=8)
    col_ids = checks.unique_ids(cols, where, "columns", column_keys)
    rows = checks.entries(item, "rows", where, min_n=2, max_n=12)
    checks.unique_ids(rows, where, "rows", {"id", "text", "answer", "rationale"})
    for i, row in enumerate(rows):
        checks.rationale(row, where, f"rows[{i}]")
    return rows, col_ids


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """Rows (shuffled when allowed) and columns (fixed), without answers."""
    view = public_base(item)
    view["columns"] = id_text(item["columns"])
    view["rows"] = maybe_shuffled(item, id_text(item["rows"]), seed, "rows")
    return view


# --- matrix_mc --------------------------------------------------------------------------------

def validate_mc(item: Item, where: str) -> None:
    """Each row's answer is one column id."""
    rows, col_ids = _grid(item, where, "matrix_mc", {"id", "text"})
    for i, row in enumerate(rows):
        if row["answer"] not in col_ids:
            checks.fail(where, f"rows[{i}].answer", f"{row['answer']!r} is not a column id")


def parse_mc(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}row-<row_id>`` = column id."""
    response: dict[str, Any] = {}
    problems: list[str] = []
    for row in item["rows"]:
        choice, several = one(form, f"{prefix}row-{row['id']}", _col_ids(item))
        response[row["id"]] = choice
        if several:
            problems.append(f"Choose one answer for \u201c{row['text']}\u201d.")
    return ParseResult(response, tuple(problems))


def score_mc(item: Item, response: Any) -> ScoreResult:
    """1 point per row answered with its column."""
    answers = as_map(response)
    parts = []
    for row in item["rows"]:
        got = pick(answers.get(row["id"]), _col_ids(item))
        right = got == row["answer"]
        parts.append(PartResult(row["id"], row["text"], 1.0 if right else 0.0, 1.0, right, got,
                                row["answer"], row["rationale"]))
    return total(parts)


def max_mc(item: Item) -> float:
    """One point per row."""
    return float(len(item["rows"]))


# --- matrix_mr --------------------------------------------------------------------------------

def validate_mr(item: Item, where: str) -> None:
    """Each row's answer lists column ids; each column has a rationale and a right row."""
    rows, col_ids = _grid(item, where, "matrix_mr", {"id", "text", "rationale"})
    for i, col in enumerate(item["columns"]):
        checks.rationale(col, where, f"columns[{i}]")
    used: set[str] = set()
    for i, row in enumerate(rows):
        answer = row["answer"]
        if not isinstance(answer, list) or any(a not in col_ids for a in answer) or \
                len(set(map(str, answer))) != len(answer):
            checks.fail(where, f"rows[{i}].answer", f"must be a list of distinct column ids, not {answer!r}")
        used.update(answer)
    for col in col_ids:
        if col not in used:
            checks.fail(where, "columns", f"column {col!r} has no row that belongs in it")


def parse_mr(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read repeated ``{prefix}row-<row_id>`` = column id."""
    cols = _col_ids(item)
    return ParseResult({row["id"]: known(form, f"{prefix}row-{row['id']}", cols) for row in item["rows"]}, ())


def score_mr(item: Item, response: Any) -> ScoreResult:
    """Each column scored like SATA over the rows: +1 right tick, -1 wrong tick, floor 0."""
    answers = as_map(response)
    ticks = {row["id"]: set(pick_many(answers.get(row["id"]), _col_ids(item))) for row in item["rows"]}
    parts = []
    for col in item["columns"]:
        expected = [r["id"] for r in item["rows"] if col["id"] in r["answer"]]
        chosen = [r["id"] for r in item["rows"] if col["id"] in ticks[r["id"]]]
        raw = sum(1 if r in expected else -1 for r in chosen)
        points = float(max(0, raw))
        parts.append(PartResult(col["id"], col["text"], points, float(len(expected)),
                                set(chosen) == set(expected), chosen, expected, col["rationale"]))
    return total(parts)


def max_mr(item: Item) -> float:
    """Number of ticked cells in the key."""
    return float(sum(len(r["answer"]) for r in item["rows"]))


FORM_MC = TypeForm("matrix_mc", (), (
    Rows("columns", "Columns", "Column", (ID, TEXT), 2, 8),
    Rows("rows", "Rows", "Row", (ID, TEXT, Col("answer", "Answer (column id)", "ref"), WHY), 2, 12),
), True)
FORM_MR = TypeForm("matrix_mr", (), (
    Rows("columns", "Columns", "Column", (ID, TEXT, WHY), 2, 8),
    Rows("rows", "Rows", "Row", (ID, TEXT, Col("answer", "Answer (column ids, comma-separated; may be empty)",
                                               "refs", required=False), WHY), 2, 12),
), True)
NO_GIFT = cannot("GIFT has no grid (matrix) question")
NO_QTI = cannot("Canvas classic quizzes have no grid question, and Canvas multiple dropdowns cannot score "
               "each column over the rows as this item does")

TYPES = (
    QuestionType("matrix_mc", "Matrix multiple choice", "ngn", validate_mc, public_view, parse_mc, score_mc, max_mc,
                 form=FORM_MC, gift=NO_GIFT, qti=WRITTEN, stats=PLAIN_STATS, moodle=WRITTEN),
    QuestionType("matrix_mr", "Matrix multiple response", "ngn", validate_mr, public_view, parse_mr, score_mr, max_mr,
                 form=FORM_MR, gift=NO_GIFT, qti=NO_QTI, stats=PLAIN_STATS,
                 moodle=cannot("Moodle has no grid question, and its cloze cannot score several ticks per row "
                               "column by column as this item does")),
)
