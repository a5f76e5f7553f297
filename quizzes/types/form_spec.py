"""The authoring form of a question type, described as rows of fields (data, not code).

Each type lists its extra single fields and its repeated rows on its registry entry;
``quizzes.authoring.forms`` turns the description into a Flask-WTF form and back into an item in
the bank schema (SCHEMA.md). Field kinds: ``id`` (sub-id), ``line`` (one line of text),
``md`` (Markdown), ``bool``, ``ref`` (an id from another list), ``refs`` (several ids,
comma-separated), ``options`` (one option per line: ``id | text`` or ``id | text | rationale``),
``int``, ``choice``, ``groups`` (blank ids, groups separated by ``;``), ``tf`` (true or false),
``number`` (stored as int or float; a drop-down when the field has choices).
"""

from __future__ import annotations

from dataclasses import dataclass


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
    # A row left without an id is stored as its bare text, and a row with an id needs its
    # rationale (the highlight passage: plain text between selectable segments).
    bare_rows: bool = False


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


def choice_rows(label: str, singular: str, min_n: int, max_n: int, key: str = "options") -> Rows:
    """Options of {id, text, correct, rationale}."""
    return Rows(key, label, singular, (ID, TEXT, CORRECT, WHY), min_n, max_n)
