"""Highlight text: select the segments of a passage that matter, scored +/- with floor 0."""

from __future__ import annotations

from typing import Any

import quizzes.types.checks as checks

from .base import (
    PLAIN_STATS,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    cannot,
    total,
)
from .form_spec import CORRECT, TEXT, Col, Rows, TypeForm
from .forms import as_map, known, pick_many, public_base


def _selectable(item: Item) -> list[dict[str, Any]]:
    """The passage segments a learner can select (the mappings)."""
    return [s for s in item["passage"] if isinstance(s, dict)]


def validate(item: Item, where: str) -> None:
    """A passage of plain strings and selectable {id, text, correct, rationale} segments."""
    checks.common(item, where, "highlight", {"passage"}, shuffle_ok=False)
    passage = checks.entries(item, "passage", where, min_n=2, max_n=60)
    ids: list[str] = []
    right = 0
    for i, seg in enumerate(passage):
        if isinstance(seg, str):
            continue
        path = f"passage[{i}]"
        checks.check_keys(seg, where, path, {"id", "text", "rationale"}, {"correct"})
        ident = checks.sub_id(seg, where, path)
        if ident in ids:
            checks.fail(where, path, f"duplicate id {ident!r}")
        ids.append(ident)
        checks.text(seg, "text", where, path)
        checks.rationale(seg, where, path)
        right += checks.flag(seg, "correct", where, path)
    if len(ids) < 2:
        checks.fail(where, "passage", "needs at least two selectable segments")
    if right < 1:
        checks.fail(where, "passage", "needs at least one segment with correct: true")


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """The passage in order: plain pieces as {text}, selectable ones as {id, text}."""
    view = public_base(item)
    view["passage"] = [{"text": s} if isinstance(s, str) else {"id": s["id"], "text": s["text"]}
                       for s in item["passage"]]
    return view


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read repeated ``{prefix}opt`` = segment id."""
    return ParseResult({"selected": known(form, f"{prefix}opt", [s["id"] for s in _selectable(item)])}, ())


def score(item: Item, response: Any) -> ScoreResult:
    """+1 per correct segment selected, -1 per incorrect one, floor 0."""
    segs = _selectable(item)
    chosen = pick_many(as_map(response).get("selected"), [s["id"] for s in segs])
    parts = []
    for seg in segs:
        right = bool(seg.get("correct", False))
        picked = seg["id"] in chosen
        points = (1.0 if right else -1.0) if picked else 0.0
        parts.append(PartResult(seg["id"], seg["text"].strip(), points, 1.0 if right else 0.0,
                                picked == right, picked, right, seg["rationale"]))
    return total(parts, floor=True)


def max_points(item: Item) -> float:
    """Number of segments that should be highlighted."""
    return float(sum(1 for s in _selectable(item) if s.get("correct", False)))


FORM = TypeForm("highlight", (), (
    Rows("passage", "Passage, in reading order", "Segment",
         (Col("id", "Id (empty: plain text that cannot be selected)", "id", required=False), TEXT, CORRECT,
          Col("rationale", "Rationale (selectable segments)", "md", required=False)), 2, 60,
         "Put spaces and line breaks inside the text."),
), False, bare_rows=True)

TYPES = (QuestionType("highlight", "Highlight text", "ngn", validate, public_view, parse, score, max_points,
                      form=FORM, gift=cannot("GIFT has no highlight-text question"),
                      qti=cannot("Canvas classic quizzes have no highlight-text question"), stats=PLAIN_STATS,
                      moodle=cannot("Moodle has no highlight-text question, and a multiple-answer list of the "
                                    "segments would drop the passage they are read in")),)
