"""Essay (written rationale): scored by the instructor against a rubric of criteria with points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import quizzes.types.checks as checks

from .base import (
    WRITTEN,
    Form,
    Item,
    ParseResult,
    PartResult,
    QuestionType,
    ScoreResult,
    Stats,
    total,
)
from .form_spec import ID, Col, Rows, Scalar, TypeForm
from .forms import as_map, public_base, values

MAX_CHARS = 10_000
MAX_CRITERION_POINTS = 10
PENDING = "pending"  # the part id of an answer that waits for the instructor
COMMENT = "comment"  # the part id that carries the instructor's comment


def validate(item: Item, where: str) -> None:
    """A rubric of 1 to 10 criteria, each with whole points and what a full answer says."""
    checks.common(item, where, "essay", {"rubric", "rationale"}, {"max_words"}, shuffle_ok=False)
    checks.text(item, "rationale", where, "")
    seq = checks.entries(item, "rubric", where, min_n=1, max_n=10)
    checks.unique_ids(seq, where, "rubric", {"id", "text", "points", "rationale"})
    for i, criterion in enumerate(seq):
        checks.rationale(criterion, where, f"rubric[{i}]")
        value = criterion["points"]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CRITERION_POINTS:
            checks.fail(where, f"rubric[{i}].points", f"must be a whole number from 1 to {MAX_CRITERION_POINTS}")
    words = item.get("max_words", 1)
    if not isinstance(words, int) or isinstance(words, bool) or not 1 <= words <= 2000:
        checks.fail(where, "max_words", f"must be a whole number from 1 to 2000, not {words!r}")


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """The stem, the word limit and the criteria the answer is marked on (never the model answer)."""
    view = public_base(item)
    view["max_words"] = item.get("max_words")
    view["criteria"] = [{"text": c["text"], "points": c["points"]} for c in item["rubric"]]
    return view


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of characters between spaces."""
    return len(text.split())


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}text``, keeping line breaks; too long an answer is refused with the reason."""
    text = (values(form, f"{prefix}text") or [""])[0].replace("\r\n", "\n")
    limit = item.get("max_words")
    if len(text) > MAX_CHARS:
        return ParseResult({"text": text[:MAX_CHARS]}, (f"Keep the answer under {MAX_CHARS:,} characters.",))
    if isinstance(limit, int) and word_count(text) > limit:
        return ParseResult({"text": text}, (f"Keep the answer to {limit} words (it has {word_count(text)}).",))
    return ParseResult({"text": text}, ())


def typed(response: Any) -> str:
    """The stored answer text (anything else counts as blank)."""
    text = as_map(response).get("text")
    return text[:MAX_CHARS] if isinstance(text, str) else ""


def max_points(item: Item) -> float:
    """The rubric's points added up."""
    return float(sum(c["points"] for c in item["rubric"]))


def score(item: Item, response: Any) -> ScoreResult:
    """Before grading: no points yet, one part that says the answer waits for the instructor."""
    text = typed(response).strip() or None
    return ScoreResult(0.0, max_points(item), (
        PartResult(PENDING, "Waiting for your instructor", 0.0, max_points(item), False, text, None, ""),))


def check_awarded(item: Item, posted: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, str]]:
    """Points per criterion from a grading form, and an error per criterion out of range or not whole."""
    awarded: dict[str, int] = {}
    errors: dict[str, str] = {}
    for criterion in item["rubric"]:
        raw, top = posted.get(criterion["id"]), criterion["points"]
        text = str(raw).strip() if isinstance(raw, (str, int)) else ""  # True is "True": refused below
        if not text.isdigit() or not 0 <= int(text) <= top:
            errors[criterion["id"]] = f"Give a whole number from 0 to {top}."
        else:
            awarded[criterion["id"]] = int(text)
    return awarded, errors


def graded(item: Item, response: Any, awarded: Mapping[str, int], comment: str) -> ScoreResult:
    """After grading: one part per criterion with the points given, and the comment if there is one."""
    parts = []
    for criterion in item["rubric"]:
        got, top = awarded.get(criterion["id"], 0), criterion["points"]
        parts.append(PartResult(criterion["id"], criterion["text"], float(got), float(top), got == top, got, top,
                                criterion["rationale"]))
    if comment.strip():
        parts.append(PartResult(COMMENT, "Instructor's comment", 0.0, 0.0, True, None, None, comment.strip()))
    return total(parts)


def counted(item: Item, response: Mapping[str, Any]) -> dict[str, Any]:
    """Free text is not counted: every essay differs, so item analysis uses the points alone."""
    return {}


FORM = TypeForm("essay", (
    Scalar("rationale", "Model answer (shown after grading)", "md"),
    Scalar("max_words", "Word limit (optional)", "number", required=False),
), (Rows("rubric", "Rubric", "Criterion", (ID, Col("text", "Criterion", "md"),
                                           Col("points", "Points (1 to 10)", "number"),
                                           Col("rationale", "What a full answer says", "md")), 1, 10,
         "The instructor gives 0 to the criterion's points for each criterion."),), False)

TYPES = (QuestionType("essay", "Essay (written rationale)", "classic", validate, public_view, parse, score,
                      max_points, form=FORM, gift=WRITTEN, qti=WRITTEN, stats=Stats(counted=counted),
                      manual=True, moodle=WRITTEN),)
