"""The authoring form of every question type, described as rows of fields (data, not code).

Each type lists its extra single fields and its repeated rows; ``quizzes.authoring.forms`` turns the
description into a Flask-WTF form and back into an item in the bank schema (SCHEMA.md).
Field kinds: ``id`` (sub-id), ``line`` (one line of text), ``md`` (Markdown), ``bool``,
``ref`` (an id from another list), ``refs`` (several ids, comma-separated), ``options``
(one option per line: ``id | text`` or ``id | text | rationale``), ``int``, ``choice``,
``groups`` (blank ids, groups separated by ``;``), ``tf`` (true or false).
"""

from __future__ import annotations

from dataclasses import dataclass

from quizzes.types import REGISTRY


@dataclass(frozen=True)
class Col:
    """One field of a repeated row (an option, a row, a blank...)."""

    name: str
    label: str
    kind: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Rows:
    """A repeated group of fields stored as a list under ``key`` in the item."""

    key: str
    label: str
    singular: str
    cols: tuple[Col, ...]
    min_n: int
    max_n: int
    help: str = ""


@dataclass(frozen=True)
class Scalar:
    """A single type-specific field stored under ``name`` in the item."""

    name: str
    label: str
    kind: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class TypeForm:
    """Everything the editor shows for one type besides the common fields."""

    name: str
    scalars: tuple[Scalar, ...]
    rows: tuple[Rows, ...]
    shuffle: bool  # whether the type may shuffle (SCHEMA.md "Shuffle")


ID = Col("id", "Id", "id", help="Short id: lowercase letters, digits, - or _. Must not hint at the answer.")
TEXT = Col("text", "Text", "md")  # a textarea: option text may hold line breaks
CORRECT = Col("correct", "Correct", "bool", required=False)
WHY = Col("rationale", "Rationale", "md", help="Say why this is right or why it is wrong.")
OPTION_LINES = Col("options", "Options", "options",
                   help="One option per line: id | text, optionally | rationale.")
TOKENS = Rows("tokens", "Word pool", "Token",
              (ID, TEXT, Col("rationale", "Rationale (optional)", "md", required=False)),
              2, 20, "Tokens may include distractors.")
TARGETS = Rows("targets", "Targets", "Target", (ID, Col("answer", "Answer (token id)", "ref"), WHY), 1, 20,
               "Each target id appears in the text as [[id]].")
CLOZE_TEXT = Scalar("text", "Cloze text", "md", help="Markdown with a [[id]] placeholder for each blank or target.")
GROUPS = Scalar("groups", "Scoring groups", "groups",
                help="Blank ids of each group, groups separated by ';' (dyad: b1 b2; triad: b1 b2; b1 b3).")
REUSE = Scalar("reuse_tokens", "A token may fill more than one target", "bool", required=False)
BLANKS = Rows("blanks", "Blanks", "Blank", (ID, OPTION_LINES, Col("answer", "Answer (option id)", "ref"), WHY), 1, 20,
              "Each blank id appears in the text as [[id]].")


def _choice_rows(label: str, singular: str, min_n: int, max_n: int, key: str = "options") -> Rows:
    """Options of {id, text, correct, rationale}."""
    return Rows(key, label, singular, (ID, TEXT, CORRECT, WHY), min_n, max_n)


SPECS: dict[str, TypeForm] = {
    "mcq": TypeForm("mcq", (), (_choice_rows("Options (exactly one correct)", "Option", 2, 8),), True),
    "true_false": TypeForm("true_false", (
        Scalar("answer", "The statement is", "tf", choices=(("true", "True"), ("false", "False"))),
        Scalar("rationale", "Rationale", "md", help="Explain the answer."),
    ), (), False),
    "sata": TypeForm("sata", (), (_choice_rows("Options (at least one correct)", "Option", 3, 10),), True),
    "select_n": TypeForm("select_n", (Scalar("select", "Number to select (N)", "int"),),
                         (_choice_rows("Options (exactly N correct)", "Option", 3, 12),), True),
    "matching": TypeForm("matching", (), (
        Rows("prompts", "Prompts", "Prompt", (ID, TEXT, Col("match", "Matching target id", "ref"), WHY), 2, 12),
        Rows("targets", "Targets", "Target", (ID, TEXT), 2, 12, "Targets may outnumber prompts."),
    ), True),
    "ordering": TypeForm("ordering", (
        Scalar("scoring", "Scoring", "choice", choices=(("per_position", "One point per position"),
                                                         ("all_or_nothing", "All or nothing"))),
    ), (Rows("options", "Steps, in the correct order", "Step", (ID, TEXT, WHY), 2, 8,
             "Learners always see the steps scrambled."),), False),
    "matrix_mc": TypeForm("matrix_mc", (), (
        Rows("columns", "Columns", "Column", (ID, TEXT), 2, 8),
        Rows("rows", "Rows", "Row", (ID, TEXT, Col("answer", "Answer (column id)", "ref"), WHY), 2, 12),
    ), True),
    "matrix_mr": TypeForm("matrix_mr", (), (
        Rows("columns", "Columns", "Column", (ID, TEXT, WHY), 2, 8),
        Rows("rows", "Rows", "Row", (ID, TEXT, Col("answer", "Answer (column ids, comma-separated; may be empty)",
                                                   "refs", required=False), WHY), 2, 12),
    ), True),
    "dropdown_cloze": TypeForm("dropdown_cloze", (CLOZE_TEXT,), (BLANKS,), False),
    "dropdown_table": TypeForm("dropdown_table", (
        Scalar("header_row", "Row header", "line", required=False),
        Scalar("header_answer", "Answer header", "line", required=False),
        Scalar("options", "Options shared by every row", "options", required=False, help=OPTION_LINES.help),
    ), (Rows("rows", "Rows", "Row", (ID, TEXT, Col("answer", "Answer (option id)", "ref"), WHY,
                                     Col("options", "Own options (optional)", "options", required=False,
                                         help="Leave empty to use the shared options.")), 1, 20),), True),
    "dragdrop_cloze": TypeForm("dragdrop_cloze", (CLOZE_TEXT, REUSE), (TOKENS, TARGETS), False),
    "highlight": TypeForm("highlight", (), (
        Rows("passage", "Passage, in reading order", "Segment",
             (Col("id", "Id (empty: plain text that cannot be selected)", "id", required=False), TEXT, CORRECT,
              Col("rationale", "Rationale (selectable segments)", "md", required=False)), 2, 60,
             "Put spaces and line breaks inside the text."),
    ), False),
    "bowtie": TypeForm("bowtie", (), (
        _choice_rows("Condition (exactly one correct)", "Condition", 2, 8, "condition"),
        _choice_rows("Actions to take (exactly two correct)", "Action", 3, 8, "actions"),
        _choice_rows("Parameters to monitor (exactly two correct)", "Parameter", 3, 8, "parameters"),
    ), True),
    "dropdown_rationale": TypeForm("dropdown_rationale", (CLOZE_TEXT, GROUPS), (BLANKS,), False),
    "dragdrop_rationale": TypeForm("dragdrop_rationale", (CLOZE_TEXT, GROUPS, REUSE), (TOKENS, TARGETS), False),
}

missing = set(REGISTRY) - set(SPECS)
if missing:  # a new registry type needs its form described here
    raise RuntimeError(f"no authoring form for question types: {', '.join(sorted(missing))}")
