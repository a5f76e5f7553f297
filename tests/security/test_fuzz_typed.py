"""Typed answers under fuzz: GIFT numerical, short-answer and essay blocks, and the learner's typed
number, unit and text, never raise anything but the documented report or score."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quizzes.interchange.gift import DEGRADED, IMPORTED, SKIPPED, parse_gift
from quizzes.types import REGISTRY, numbers
from quizzes.types.short_answer import distance, normalise
from tests.quizzes.fixtures import load_items
from tests.security.fuzz_data import fuzz_settings

ITEMS = load_items()
BLOCK = st.text(alphabet=st.sampled_from(list("#=~%:.-+0123456789eE \n\\}{abc")), max_size=60)


@fuzz_settings(300)
@given(head=st.sampled_from(["", "#", "=", "#=", "####"]), block=BLOCK)
def test_gift_typed_blocks_are_reported_never_raised(head, block):
    result = parse_gift(f"::Q:: Stem {{{head}{block}}}\n")
    assert all(line.status in (IMPORTED, DEGRADED, SKIPPED) and line.reason for line in result.report)
    for question in result.questions:
        REGISTRY[question.item["type"]].validate(question.item, "fuzz")


@fuzz_settings(300)
@given(value=st.text(max_size=60), unit=st.text(max_size=40), places=st.one_of(st.none(), st.integers(0, 4)))
def test_typed_numbers_and_units_never_raise(value, unit, places):
    written = numbers.read_number(value, places)
    assert written.problem in (numbers.OK, *numbers.MESSAGES)
    assert (written.value is None) == (written.problem in (numbers.BLANK, numbers.NOT_A_NUMBER))
    numbers.same_unit(unit, "mcg/day")
    for item_id in ("fx-numeric", "fx-numeric-pct"):
        result = REGISTRY["numeric"].score(ITEMS[item_id], {"value": value, "unit": unit})
        assert 0 <= result.points <= result.max_points


@fuzz_settings(300)
@given(text=st.text(max_size=250), other=st.text(max_size=30))
def test_typed_text_never_raises_and_distance_is_a_metric_bound(text, other):
    assert 0 <= REGISTRY["short_answer"].score(ITEMS["fx-short"], {"text": text}).points <= 1
    assert REGISTRY["essay"].score(ITEMS["fx-essay"], {"text": text}).points == 0
    a, b = normalise(text)[:30], normalise(other)
    assert abs(len(a) - len(b)) <= distance(a, b) <= max(len(a), len(b))
