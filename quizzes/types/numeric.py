"""Numeric answer (dosage calculation): a number within a tolerance, an optional unit, safe writing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import quizzes.types.checks as checks
import quizzes.types.numbers as numbers

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
from .form_spec import Scalar, TypeForm
from .forms import as_map, public_base, values

TOLERANCE_TYPES = ("absolute", "percent")
MAX_PLACES = 4
UNIT_CHARS = 30
ROUNDING = {0: "Round to the nearest whole number.", 1: "Round to the nearest tenth.",
            2: "Round to the nearest hundredth."}
OPTIONAL = {"tolerance", "tolerance_type", "places", "unit", "unit_credit"}


def _number(item: Item, key: str, where: str) -> Decimal:
    """An authored number field; text, booleans and NaN are refused."""
    value = item.get(key)
    found = numbers.as_decimal(value) if isinstance(value, (int, float)) else None
    if found is None:
        checks.fail(where, key, f"must be a number, not {value!r}")
    return found


def places(item: Item) -> int | None:
    """The most decimal places an answer may have (None: the question sets no rounding rule)."""
    value = item.get("places")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate(item: Item, where: str) -> None:
    """A key written safely, a tolerance of zero or more, and a unit credit only with a unit."""
    checks.common(item, where, "numeric", {"answer", "rationale"}, OPTIONAL, shuffle_ok=False)
    checks.text(item, "rationale", where, "")
    key = _number(item, "answer", where)
    if "places" in item:
        rule = places(item)
        if rule is None or not 0 <= rule <= MAX_PLACES:
            checks.fail(where, "places", f"must be a whole number from 0 to {MAX_PLACES}, not {item['places']!r}")
        if numbers.read_number(numbers.plain(key), rule).problem != numbers.OK:
            checks.fail(where, "answer", f"{numbers.plain(key)} has more decimal places than places: {rule} allows")
    if "tolerance" in item and _number(item, "tolerance", where) < 0:
        checks.fail(where, "tolerance", "must not be negative")
    if item.get("tolerance_type", "absolute") not in TOLERANCE_TYPES:
        checks.fail(where, "tolerance_type", f"{item['tolerance_type']!r} is not one of {', '.join(TOLERANCE_TYPES)}")
    unit = checks.text(item, "unit", where, "", required=False)
    if "unit_credit" in item:
        credit = _number(item, "unit_credit", where)
        if not 0 <= credit < 1:
            checks.fail(where, "unit_credit", "must be at least 0 and below 1 (a share of the mark)")
        if credit and unit is None:
            checks.fail(where, "unit_credit", "needs a unit: it is the credit for a right number with a wrong unit")


def public_view(item: Item, seed: str) -> dict[str, Any]:
    """The stem, whether a unit is asked for (never which) and the rounding rule."""
    view = public_base(item)
    view["ask_unit"] = bool(item.get("unit"))
    rule = places(item)
    view["rounding"] = "" if rule is None else ROUNDING.get(rule, f"Round to {rule} decimal places.")
    return view


def parse(item: Item, form: Form, prefix: str) -> ParseResult:
    """Read ``{prefix}value`` and ``{prefix}unit`` as typed; a badly written number is scored, not refused."""
    value = (values(form, f"{prefix}value") or [""])[0][:numbers.MAX_CHARS + 1]
    unit = (values(form, f"{prefix}unit") or [""])[0][:UNIT_CHARS] if item.get("unit") else ""
    return ParseResult({"value": value, "unit": unit}, ())


def _typed(response: Any) -> tuple[str, str]:
    """The stored value and unit as text (anything else counts as blank)."""
    stored = as_map(response)
    value, unit = stored.get("value"), stored.get("unit")
    return (value if isinstance(value, str) else "", unit if isinstance(unit, str) else "")


def expected(item: Item) -> str:
    """The key as it should be written, with its unit."""
    key = numbers.plain(numbers.as_decimal(item["answer"]) or Decimal(0))
    return f"{key} {item['unit']}" if item.get("unit") else key


def judge(item: Item, response: Any) -> tuple[float, str]:
    """Share of the mark (0, the unit credit, or 1) and the note saying what was wrong."""
    value, unit = _typed(response)
    written = numbers.read_number(value, places(item))
    if written.problem != numbers.OK or written.value is None:
        return 0.0, numbers.MESSAGES.get(written.problem, numbers.MESSAGES[numbers.NOT_A_NUMBER])
    key = numbers.as_decimal(item["answer"]) or Decimal(0)
    tolerance = numbers.as_decimal(item.get("tolerance", 0)) or Decimal(0)
    if not numbers.within(written.value, key, tolerance, item.get("tolerance_type") == "percent"):
        return 0.0, "The number is not right: check each step of the working below."
    if not item.get("unit") or numbers.same_unit(unit, item["unit"]):
        return 1.0, ""
    credit = float(item.get("unit_credit", 0))
    what = "missing" if not unit.strip() else "wrong"
    return credit, f"Right number, but the unit is {what}: the answer is in {item['unit']}."


def score(item: Item, response: Any) -> ScoreResult:
    """One part: 1 for the right number written safely in the right unit; the unit credit without it."""
    value, unit = _typed(response)
    points, note = judge(item, response)
    chosen = f"{value} {unit}".strip() or None
    why = f"{note}\n\n{item['rationale']}" if note else item["rationale"]
    return total([PartResult("answer", "Answer", points, 1.0, points == 1.0, chosen, expected(item), why)])


def max_points(item: Item) -> float:
    """One point."""
    return 1.0


def counted(item: Item, response: Mapping[str, Any]) -> dict[str, Any]:
    """The typed answer with its unit, as written, so common slips show up in item analysis."""
    value, unit = _typed(response)
    return {"answer": f"{value} {unit}".strip() or None}


def part_label(item: Item, key: str) -> str | None:
    """The one counted part."""
    return "Answer" if key == "answer" else None


FORM = TypeForm("numeric", (
    Scalar("answer", "Correct answer (a number, written safely: 0.5, not .5 or 5.0)", "number"),
    Scalar("places", "Rounding rule", "number", required=False,
           choices=(("", "No rounding rule"), ("0", "Whole number"), ("1", "Nearest tenth"),
                    ("2", "Nearest hundredth"))),
    Scalar("tolerance", "Tolerance (0 or empty = exact)", "number", required=False),
    Scalar("tolerance_type", "The tolerance is", "choice", required=False,
           choices=(("absolute", "An amount in the answer's unit"), ("percent", "A percent of the answer"))),
    Scalar("unit", "Required unit (optional: mg, mL, mL/h, mcg/day...)", "line", required=False),
    Scalar("unit_credit", "Credit for the right number with a wrong or missing unit", "number", required=False,
           choices=(("0", "None"), ("0.5", "Half the mark"))),
    Scalar("rationale", "Rationale: show the working", "md"),
), (), False)

TYPES = (QuestionType("numeric", "Numeric answer", "classic", validate, public_view, parse, score, max_points,
                      form=FORM, gift=WRITTEN, qti=WRITTEN, stats=Stats(counted=counted, part_label=part_label),
                      moodle=WRITTEN),)
