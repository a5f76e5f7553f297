"""Numeric answers, table-tested: tolerance, units, rounding, leading and trailing zeros."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.types import REGISTRY, ContentError
from quizzes.types import numbers as n
from quizzes.types.numeric import expected, judge

NUMERIC = REGISTRY["numeric"]
BASE: dict[str, Any] = {"id": "n1", "type": "numeric", "topic": "medication-safety", "stem": "Dose?",
                        "answer": 0.25, "rationale": "Working."}


def item(**changes: Any) -> dict[str, Any]:
    """A valid numeric item with some fields changed."""
    return {**BASE, **changes}


# (raw text, places allowed, value read, problem, decimals)
READ_CASES = [
    ("0.5", None, Decimal("0.5"), n.OK, 1),
    (".5", None, Decimal("0.5"), n.LEADING_ZERO, 1),
    ("-.5", None, Decimal("-0.5"), n.LEADING_ZERO, 1),
    ("5.0", None, Decimal("5"), n.TRAILING_ZERO, 1),
    ("2.50", None, Decimal("2.5"), n.TRAILING_ZERO, 2),
    ("5.", None, Decimal("5"), n.TRAILING_ZERO, 0),
    ("5", 0, Decimal("5"), n.OK, 0),
    ("5.5", 0, Decimal("5.5"), n.TOO_MANY_DECIMALS, 1),
    ("3.75", 1, Decimal("3.75"), n.TOO_MANY_DECIMALS, 2),
    ("3.7", 1, Decimal("3.7"), n.OK, 1),
    ("3.75", 2, Decimal("3.75"), n.OK, 2),
    ("1,500", None, Decimal("1500"), n.OK, 0),
    ("1,50", None, None, n.NOT_A_NUMBER, 0),
    ("10", None, Decimal("10"), n.OK, 0),
    ("100", None, Decimal("100"), n.OK, 0),
    ("+2", None, Decimal("2"), n.OK, 0),
    ("-0.25", None, Decimal("-0.25"), n.OK, 2),
    ("  0.25  ", None, Decimal("0.25"), n.OK, 2),
    ("\uff10.\uff15", None, Decimal("0.5"), n.OK, 1),  # full-width digits read as digits
    ("", None, None, n.BLANK, 0),
    ("   ", None, None, n.BLANK, 0),
    (None, None, None, n.BLANK, 0),
    (5, None, None, n.BLANK, 0),
    ("0.25 mL", None, None, n.NOT_A_NUMBER, 0),
    ("1e3", None, None, n.NOT_A_NUMBER, 0),
    ("1/2", None, None, n.NOT_A_NUMBER, 0),
    ("two", None, None, n.NOT_A_NUMBER, 0),
    ("1" * 40, None, Decimal("1" * 40), n.OK, 0),
    ("1" * 41, None, None, n.NOT_A_NUMBER, 0),
]


@pytest.mark.parametrize(("raw", "places", "value", "problem", "decimals"), READ_CASES)
def test_read_number(raw: Any, places: int | None, value: Decimal | None, problem: str, decimals: int) -> None:
    assert n.read_number(raw, places) == n.Written(value, problem, decimals)


# (item changes, typed value, typed unit, points, words in the note)
SCORE_CASES = [
    ({}, "0.25", "", 1.0, ""),
    ({}, ".25", "", 0.0, "Leading zero missing"),
    ({}, "0.250", "", 0.0, "Trailing zero"),
    ({}, "0.26", "", 0.0, "The number is not right"),
    ({}, "", "", 0.0, "No answer"),
    ({}, "a quarter", "", 0.0, "not written as a number"),
    ({"tolerance": 0.01}, "0.26", "", 1.0, ""),
    ({"tolerance": 0.01}, "0.27", "", 0.0, "not right"),
    ({"tolerance": 0.01}, "0.24", "", 1.0, ""),
    ({"answer": 500, "tolerance": 10, "tolerance_type": "percent"}, "450", "", 1.0, ""),
    ({"answer": 500, "tolerance": 10, "tolerance_type": "percent"}, "449", "", 0.0, "not right"),
    ({"answer": -500, "tolerance": 10, "tolerance_type": "percent"}, "-550", "", 1.0, ""),
    ({"answer": 500, "tolerance": 10}, "510", "", 1.0, ""),  # absolute by default: 10 units
    ({"answer": 500, "tolerance": 10}, "511", "", 0.0, "not right"),
    ({"answer": 3.8, "places": 1}, "3.8", "", 1.0, ""),
    ({"answer": 3.8, "places": 1}, "3.75", "", 0.0, "Not rounded"),
    ({"answer": 3.8, "places": 1}, "3.7", "", 0.0, "not right"),
    ({"answer": 50, "places": 1}, "50", "", 1.0, ""),
    ({"answer": 50, "places": 1}, "50.0", "", 0.0, "Trailing zero"),
    ({"unit": "mL"}, "0.25", "mL", 1.0, ""),
    ({"unit": "mL"}, "0.25", "ml", 1.0, ""),
    ({"unit": "mL"}, "0.25", " milliliters ", 1.0, ""),
    ({"unit": "mL"}, "0.25", "cc", 0.0, "unit is wrong"),
    ({"unit": "mL"}, "0.25", "", 0.0, "unit is missing"),
    ({"unit": "mL", "unit_credit": 0.5}, "0.25", "", 0.5, "unit is missing: the answer is in mL"),
    ({"unit": "mL", "unit_credit": 0.5}, "0.25", "mg", 0.5, "unit is wrong"),
    ({"unit": "mL", "unit_credit": 0.5}, ".25", "mL", 0.0, "Leading zero"),
    ({"unit": "mL", "unit_credit": 0.5}, "0.3", "mL", 0.0, "not right"),
    ({"unit": "mcg/day", "answer": 500}, "500", "mcg / day", 1.0, ""),
    ({"unit": "mcg/day", "answer": 500}, "500", "micrograms per day", 1.0, ""),
    ({"unit": "mcg/day", "answer": 500}, "500", "\u00b5g/day", 0.0, "unit is wrong"),  # µg: Do Not Use
    ({"unit": "mcg/day", "answer": 500}, "500", "mcg", 0.0, "unit is wrong"),
    ({"unit": "tablets", "answer": 2}, "2", "tab", 1.0, ""),
    ({"unit": "mL/h", "answer": 125}, "125", "mL per hour", 1.0, ""),
    ({"unit": "gtt/min", "answer": 21}, "21", "drops/min", 1.0, ""),
]


@pytest.mark.parametrize(("changes", "value", "unit", "points", "note"), SCORE_CASES)
def test_numeric_scoring(changes: dict[str, Any], value: str, unit: str, points: float, note: str) -> None:
    it = item(**changes)
    NUMERIC.validate(it, "t")
    share, said = judge(it, {"value": value, "unit": unit})
    assert share == points
    assert (note in said) if note else said == ""
    result = NUMERIC.score(it, {"value": value, "unit": unit})
    (part,) = result.parts
    assert (result.points, result.max_points, part.correct) == (points, 1.0, points == 1.0)
    assert part.rationale.endswith("Working.") and part.rationale.startswith(said or "Working.")
    assert part.chosen == (f"{value} {unit}".strip() or None)


def test_expected_is_written_safely_with_its_unit() -> None:
    assert expected(item(answer=0.25, unit="mL")) == "0.25 mL"
    assert expected(item(answer=50.0)) == "50"
    assert expected(item(answer=1e-05)) == "0.00001"
    assert [n.plain(Decimal(x)) for x in ("2.500", "-0", "0.0", "1E+3", "7")] == ["2.5", "0", "0", "1000", "7"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"answer": "0.25"}, "answer: must be a number, not '0.25'"),
    ({"answer": True}, "answer: must be a number, not True"),
    ({"answer": float("nan")}, "answer: must be a number"),
    ({"places": -1}, "places: must be a whole number from 0 to 4, not -1"),
    ({"places": 5}, "places: must be a whole number from 0 to 4, not 5"),
    ({"places": True}, "places: must be a whole number from 0 to 4, not True"),
    ({"places": 1}, "answer: 0.25 has more decimal places than places: 1 allows"),
    ({"tolerance": -0.1}, "tolerance: must not be negative"),
    ({"tolerance": "1"}, "tolerance: must be a number"),
    ({"tolerance_type": "relative"}, "tolerance_type: 'relative' is not one of absolute, percent"),
    ({"unit": ""}, "unit: must not be empty"),
    ({"unit_credit": 0.5}, "unit_credit: needs a unit"),
    ({"unit": "mL", "unit_credit": 1}, "unit_credit: must be at least 0 and below 1"),
    ({"unit": "mL", "unit_credit": -0.5}, "unit_credit: must be at least 0 and below 1"),
    ({"rationale": " "}, "rationale: must not be empty"),
    ({"shuffle": True}, "shuffle: must be false for numeric items"),
])
def test_numeric_validation(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ContentError) as caught:
        NUMERIC.validate(item(**changes), "t")
    assert str(caught.value).startswith(f"t: {message}")


@pytest.mark.parametrize("changes", [{"places": 0, "answer": 3}, {"places": 4, "answer": 0.1234},
                                     {"unit": "mL", "unit_credit": 0}, {"unit_credit": 0}, {"tolerance": 0},
                                     {"tolerance_type": "percent"}])
def test_numeric_limits_are_valid(changes: dict[str, Any]) -> None:
    NUMERIC.validate(item(**changes), "t")


def test_public_view_states_the_rules_but_not_the_key() -> None:
    view = NUMERIC.public_view(item(places=2, unit="mL"), "s")
    assert view == {"id": "n1", "type": "numeric", "stem": "Dose?", "ask_unit": True,
                    "rounding": "Round to the nearest hundredth."}
    assert NUMERIC.public_view(item(answer=1, places=0), "s")["rounding"] == "Round to the nearest whole number."
    assert NUMERIC.public_view(item(answer=1, places=3), "s")["rounding"] == "Round to 3 decimal places."
    assert NUMERIC.public_view(item(), "s")["rounding"] == ""
    assert NUMERIC.public_view(item(), "s")["ask_unit"] is False


def test_statistics_count_what_was_typed() -> None:
    stats = NUMERIC.stats
    assert stats.counted(item(), {"value": ".25", "unit": "ml"}) == {"answer": ".25 ml"}
    assert stats.counted(item(), {}) == {"answer": None}
    assert (stats.part_label(item(), "answer"), stats.part_label(item(), "x")) == ("Answer", None)
    assert NUMERIC.max_points(item()) == 1.0


@settings(max_examples=200, deadline=None)
@given(key=st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False),
       tol=st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False))
def test_the_key_written_safely_always_scores_and_tolerance_is_symmetric(key: Decimal, tol: Decimal) -> None:
    it = item(answer=float(key), tolerance=float(tol))
    NUMERIC.validate(it, "t")
    written = n.plain(n.as_decimal(it["answer"]) or Decimal(0))
    assert NUMERIC.score(it, {"value": written}).points == 1.0
    exact = n.as_decimal(it["answer"]) or Decimal(0)
    assert n.within(exact + (n.as_decimal(it["tolerance"]) or 0), exact, n.as_decimal(it["tolerance"]) or 0, False)
    assert n.within(exact - (n.as_decimal(it["tolerance"]) or 0), exact, n.as_decimal(it["tolerance"]) or 0, False)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=50), unit=st.text(max_size=12))
def test_any_typed_text_scores_in_bounds(text: str, unit: str) -> None:
    it = item(unit="mL", unit_credit=0.5)
    points = NUMERIC.score(it, {"value": text, "unit": unit}).points
    assert points in (0.0, 0.5, 1.0)
    if text.strip().startswith("."):
        assert points == 0.0
