"""Cloze types scored 0/1 per slot: drop-down cloze, drop-down table and drag-and-drop cloze."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import quizzes.types.checks as checks
import quizzes.types.slots as slots

from .base import (
    PLAIN_STATS,
    WRITTEN,
    Form,
    Item,
    ParseResult,
    QuestionType,
    ScoreResult,
    cannot,
    total,
)
from .form_spec import (
    BLANKS,
    CLOZE_TEXT,
    ID,
    OPTION_LINES,
    REUSE,
    TARGETS,
    TEXT,
    TOKENS,
    WHY,
    Col,
    Rows,
    Scalar,
    TypeForm,
)
from .forms import id_text, maybe_shuffled, public_base, shuffled


def count(key: str) -> Callable[[Item], float]:
    """Build a max_points function worth one point per entry of ``key``."""

    def max_points(item: Item) -> float:
        """One point per slot."""
        return float(len(item[key]))

    return max_points


# --- dropdown_cloze ---------------------------------------------------------------------------

def validate_dropdown_cloze(item: Item, where: str) -> None:
    """Text with [[blank]] placeholders and one dropdown per blank."""
    checks.common(item, where, "dropdown_cloze", {"text", "blanks"}, shuffle_ok=False)
    slots.check_text(item, where, slots.validate_dropdowns(item, where, "blanks"))


def public_dropdown_cloze(item: Item, seed: str) -> dict[str, Any]:
    """The text split into pieces and blanks, in order; options keep their authored order."""
    view = public_base(item)
    view["segments"] = slots.segments(item, {b["id"]: slots.dropdown_view(item, b) for b in item["blanks"]})
    return view


def parse_dropdown_cloze(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}blank-<blank_id>``."""
    return slots.parse_dropdowns(item, form, prefix, "blanks", "blank")


def score_dropdown_cloze(item: Item, response: Any) -> ScoreResult:
    """1 point per blank."""
    return total(slots.slot_parts(item["blanks"], slots.dropdown_choices(item, response, "blanks"), "Blank"))


# --- dropdown_table ---------------------------------------------------------------------------

def validate_dropdown_table(item: Item, where: str) -> None:
    """Rows with a dropdown each; options per row or shared by all rows."""
    checks.common(item, where, "dropdown_table", {"rows"}, {"headers", "options"})
    shared = item.get("options")
    if shared is not None:
        checks.plain_options(shared, where, "options")
    slots.validate_dropdowns(item, where, "rows", default_options=shared)
    headers = item.get("headers", ["", ""])
    if not isinstance(headers, list) or len(headers) != 2 or not all(isinstance(h, str) for h in headers):
        checks.fail(where, "headers", "must be a list of two strings: [row header, answer header]")


def public_dropdown_table(item: Item, seed: str) -> dict[str, Any]:
    """Header labels and rows (shuffled when allowed), each with its options."""
    view = public_base(item)
    view["headers"] = list(item.get("headers", ["", ""]))
    rows = [{"id": r["id"], "text": r["text"], "options": id_text(slots.dropdown_options(item, r))}
            for r in item["rows"]]
    view["rows"] = maybe_shuffled(item, rows, seed, "rows")
    return view


def parse_dropdown_table(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}row-<row_id>``."""
    return slots.parse_dropdowns(item, form, prefix, "rows", "row")


def score_dropdown_table(item: Item, response: Any) -> ScoreResult:
    """1 point per row."""
    return total(slots.slot_parts(item["rows"], slots.dropdown_choices(item, response, "rows"), "Row"))


# --- dragdrop_cloze ---------------------------------------------------------------------------

def validate_dragdrop_cloze(item: Item, where: str) -> None:
    """Text with [[target]] placeholders, a token pool and one answer per target."""
    checks.common(item, where, "dragdrop_cloze", {"text", "tokens", "targets"}, {"reuse_tokens"}, shuffle_ok=False)
    slots.check_text(item, where, slots.validate_targets(item, where))


def public_dragdrop_cloze(item: Item, seed: str) -> dict[str, Any]:
    """Text pieces with empty targets, and the token pool in a seeded order."""
    view = public_base(item)
    view["segments"] = slots.segments(item, {t["id"]: {"kind": "target", "id": t["id"]} for t in item["targets"]})
    # Always shuffled: authors tend to list the answers first, in gap order.
    view["tokens"] = shuffled(id_text(item["tokens"]), seed, f"{item['id']}|tokens")
    view["reuse_tokens"] = item.get("reuse_tokens", False) is True
    return view


def score_dragdrop_cloze(item: Item, response: Any) -> ScoreResult:
    """1 point per target."""
    return total(slots.slot_parts(item["targets"], slots.target_choices(item, response), "Gap"))


FORM_TABLE = TypeForm("dropdown_table", (
    Scalar("header_row", "Row header", "line", required=False),
    Scalar("header_answer", "Answer header", "line", required=False),
    Scalar("options", "Options shared by every row", "options", required=False, help=OPTION_LINES.help),
), (Rows("rows", "Rows", "Row", (ID, TEXT, Col("answer", "Answer (option id)", "ref"), WHY,
                                 Col("options", "Own options (optional)", "options", required=False,
                                     help="Leave empty to use the shared options.")), 1, 20),), True)

TYPES = (
    QuestionType("dropdown_cloze", "Drop-down cloze", "ngn", validate_dropdown_cloze, public_dropdown_cloze,
                 parse_dropdown_cloze, score_dropdown_cloze, count("blanks"),
                 form=TypeForm("dropdown_cloze", (CLOZE_TEXT,), (BLANKS,), False),
                 gift=WRITTEN, qti=WRITTEN, stats=PLAIN_STATS, moodle=WRITTEN),
    QuestionType("dropdown_table", "Drop-down table", "ngn", validate_dropdown_table, public_dropdown_table,
                 parse_dropdown_table, score_dropdown_table, count("rows"),
                 form=FORM_TABLE, gift=cannot("GIFT has no table of dropdowns"),
                 qti=WRITTEN, stats=PLAIN_STATS,
                 moodle=WRITTEN),
    QuestionType("dragdrop_cloze", "Drag-and-drop cloze", "ngn", validate_dragdrop_cloze, public_dragdrop_cloze,
                 slots.parse_targets, score_dragdrop_cloze, count("targets"),
                 form=TypeForm("dragdrop_cloze", (CLOZE_TEXT, REUSE), (TOKENS, TARGETS), False),
                 gift=cannot("GIFT has no drag-and-drop question"),
                 qti=cannot("Canvas classic quizzes have no drag-and-drop question"), stats=PLAIN_STATS,
                 moodle=WRITTEN),
)
