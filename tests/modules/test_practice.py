"""Tests for practice checking, ladder shuffling and the EMG trace SVGs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from modules.loader import load_course
from modules.practice import CHOOSE_AN_ANSWER, PracticeResult, check_practice, shuffled_steps
from modules.schema import Module, PracticeItem
from modules.traces import trace_svg

VALID = Path(__file__).parent / "fixtures" / "valid"
SVG = "{http://www.w3.org/2000/svg}"
SINGLE_ANSWER_ITEMS = ["ash-1", "mrc-1", "emg-1", "atrophy-1", "check-1"]
TRACE_KINDS = ["normal", "denervation", "myopathic", "upper_motor_neuron"]


@pytest.fixture(scope="module")
def alpha() -> Module:
    """The fixture module holding one item of every type."""
    return load_course(VALID).module("alpha")


def wrong_option(item: PracticeItem, with_why: bool) -> str:
    """Pick a wrong option id, preferring one with (or without) authored feedback."""
    wrong = [o for o in item.options if not o.correct]
    matching = [o for o in wrong if bool(o.why_html) == with_why]
    return (matching or wrong)[0].id


def test_fixture_covers_every_type(alpha: Module) -> None:
    """Guard: the fixture really holds each practice type these tests rely on."""
    types = {alpha.item(i).type for i in SINGLE_ANSWER_ITEMS + ["ladder-1"]}
    assert types == {"ashworth", "mrc", "emg", "atrophy", "choice", "ladder"}


@pytest.mark.parametrize("item_id", SINGLE_ANSWER_ITEMS)
def test_right_answer_scores_one(alpha: Module, item_id: str) -> None:
    """The correct option is marked correct, scores 1 and shows the explanation."""
    item = alpha.item(item_id)
    result = check_practice(item, {"answer": item.answer})
    assert result.correct and result.score == 1.0
    assert result.chosen == item.answer == result.expected
    assert item.explanation_html in result.feedback


@pytest.mark.parametrize("item_id", SINGLE_ANSWER_ITEMS)
def test_wrong_answer_feedback_includes_why(alpha: Module, item_id: str) -> None:
    """A wrong option scores 0 and its authored why appears in the feedback."""
    item = alpha.item(item_id)
    chosen = wrong_option(item, with_why=True)
    result = check_practice(item, {"answer": chosen})
    assert not result.correct and result.score == 0.0
    assert result.chosen == chosen and result.expected == item.answer
    why = item.option(chosen).why_html
    assert why, "fixture: every item has at least one wrong option with a why"
    assert why in result.feedback
    assert item.explanation_html in result.feedback


def test_wrong_grade_without_why_still_explains(alpha: Module) -> None:
    """A scale grade with no authored why gets the explanation alone."""
    item = alpha.item("ash-1")
    result = check_practice(item, {"answer": wrong_option(item, with_why=False)})
    assert not result.correct
    assert result.feedback == item.explanation_html


@pytest.mark.parametrize("item_id", SINGLE_ANSWER_ITEMS)
@pytest.mark.parametrize("submitted", [
    {}, {"answer": ""}, {"answer": "   "}, {"answer": None}, {"answer": ["a"]},
    {"answer": 3}, {"answer": {"x": 1}}, {"answer": "not-an-option"}, {"order": ["a"]},
])
def test_missing_or_malformed_answer_never_raises(
    alpha: Module, item_id: str, submitted: dict
) -> None:
    """Empty, unknown or wrongly typed answers return 'Choose an answer' with score 0."""
    result = check_practice(alpha.item(item_id), submitted)
    assert not result.correct and result.score == 0.0
    assert result.feedback == CHOOSE_AN_ANSWER


def test_numeric_grades_match_as_strings(alpha: Module) -> None:
    """Grades arrive from forms as strings; '3' is MRC grade 3."""
    assert check_practice(alpha.item("mrc-1"), {"answer": "3"}).correct
    assert not check_practice(alpha.item("mrc-1"), {"answer": "4"}).correct


def test_multidict_form_data_is_read(alpha: Module) -> None:
    """Werkzeug's MultiDict (request.form) works; two answers at once are malformed."""
    item = alpha.item("check-1")
    assert check_practice(item, MultiDict([("answer", item.answer)])).correct
    doubled = MultiDict([("answer", item.answer), ("answer", item.answer)])
    assert check_practice(item, doubled).feedback == CHOOSE_AN_ANSWER


def test_ladder_in_correct_order(alpha: Module) -> None:
    """All steps in place: correct with score 1."""
    item = alpha.item("ladder-1")
    order = [s.id for s in item.steps]
    result = check_practice(item, {"order": order})
    assert result.correct and result.score == 1.0 and result.chosen == order


def test_ladder_partial_credit_is_fraction_in_place(alpha: Module) -> None:
    """Swapping two steps leaves the others in place; score is the fraction in place."""
    item = alpha.item("ladder-1")
    order = [s.id for s in item.steps]
    order[0], order[1] = order[1], order[0]
    result = check_practice(item, {"order": order})
    in_place = sum(a == b.id for a, b in zip(order, item.steps))
    assert not result.correct
    assert result.score == pytest.approx(in_place / len(item.steps))
    assert result.expected == [s.id for s in item.steps]


def test_ladder_from_multidict(alpha: Module) -> None:
    """A ladder posted as repeated 'order' fields is read with getlist."""
    item = alpha.item("ladder-1")
    form = MultiDict([("order", s.id) for s in item.steps])
    assert check_practice(item, form).correct


@pytest.mark.parametrize("order", [
    None, "first,second,third,fourth", ["first", "second"], ["first", "first", "second", "third"],
    ["first", "second", "third", "fifth"], [1, 2, 3, 4], {"a": 1},
])
def test_ladder_malformed_order_never_raises(alpha: Module, order: object) -> None:
    """A ladder order must be a full permutation of the step ids, else 'Choose an answer'."""
    result = check_practice(alpha.item("ladder-1"), {"order": order})
    assert not result.correct and result.score == 0.0
    assert result.feedback == CHOOSE_AN_ANSWER


def test_shuffled_steps_are_stable_and_never_already_solved(alpha: Module) -> None:
    """Same seed, same order; always a permutation; never the answer itself."""
    item = alpha.item("ladder-1")
    correct = list(item.steps)
    orders = {tuple(s.id for s in shuffled_steps(item, f"learner-{n}")) for n in range(30)}
    for n in range(30):
        steps = shuffled_steps(item, f"learner-{n}")
        assert steps == shuffled_steps(item, f"learner-{n}")
        assert sorted(s.id for s in steps) == sorted(s.id for s in correct)
        assert steps != correct
    assert len(orders) > 1, "different learners should not all see the same order"


# Every field of the result, exactly: the template shows chosen, expected and feedback.
LADDER = ["first", "second", "third", "fourth"]
LADDER_WHY = "<p>This is the usual order.</p>\n"


@pytest.mark.parametrize("item_id, submitted, expected", [
    ("check-1", {}, "a"),
    ("check-1", {"answer": "  "}, "a"),
    ("check-1", {"answer": "zz"}, "a"),  # not an option of the item
    ("ash-1", {"answer": 2}, "1+"),
    ("ladder-1", {"order": None}, LADDER),
    ("ladder-1", {"order": ["first", "second"]}, LADDER),  # not a permutation of the steps
])
def test_missing_answer_result_in_full(alpha: Module, item_id: str, submitted: dict,
                                       expected: object) -> None:
    """An unusable answer: not correct, nothing chosen, the key, 'Choose an answer', score 0."""
    empty = [] if isinstance(expected, list) else ""
    assert check_practice(alpha.item(item_id), submitted) == PracticeResult(
        correct=False, chosen=empty, expected=expected, feedback=CHOOSE_AN_ANSWER, score=0.0)


@pytest.mark.parametrize("order, right, lead", [
    (LADDER, 4, ""),
    (["second", "first", "third", "fourth"], 2, "<p>2 of 4 steps are in the right place.</p>"),
    (["fourth", "first", "second", "third"], 0, "<p>0 of 4 steps are in the right place.</p>"),
    (["first", "second", "fourth", "third"], 2, "<p>2 of 4 steps are in the right place.</p>"),
])
def test_ladder_result_in_full(alpha: Module, order: list, right: int, lead: str) -> None:
    """A ladder's feedback says how many steps are in place, unless all are."""
    assert check_practice(alpha.item("ladder-1"), {"order": order}) == PracticeResult(
        correct=right == 4, chosen=order, expected=LADDER, feedback=lead + LADDER_WHY,
        score=right / 4)


def test_single_answer_feedback_is_why_then_explanation(alpha: Module) -> None:
    """A wrong option's why comes first in its own paragraph, right before the explanation."""
    item = alpha.item("check-1")
    assert check_practice(item, {"answer": " b "}) == PracticeResult(
        correct=False, chosen="b", expected="a",
        feedback="<p>It is <em>wrong</em>.</p>" + item.explanation_html, score=0.0)
    right = check_practice(item, {"answer": "a"})
    assert right.feedback == item.explanation_html and right.score == 1.0


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["answer", "order", "other"]),
    st.one_of(st.none(), st.text(max_size=12), st.integers(), st.lists(st.text(max_size=8))),
))
def test_check_practice_never_raises(submitted: dict) -> None:
    """Whatever a client posts, checking returns a result with a score in [0, 1]."""
    module = load_course(VALID).module("alpha")
    for item_id in SINGLE_ANSWER_ITEMS + ["ladder-1"]:
        result = check_practice(module.item(item_id), submitted)
        assert 0.0 <= result.score <= 1.0


# --- EMG traces ---------------------------------------------------------------------------

def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("kind", TRACE_KINDS)
def test_trace_svg_is_accessible_xml(kind: str) -> None:
    """Each trace parses as XML, is an image with a title and a description it is labelled by."""
    root = ET.fromstring(trace_svg(kind))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby", "").split() == [title.get("id"), desc.get("id")]


@pytest.mark.parametrize("kind", TRACE_KINDS)
def test_trace_colours_contrast_with_white(kind: str) -> None:
    """Every stroke colour has at least 4.5:1 contrast against white."""
    svg = trace_svg(kind)
    colours = re.findall(r'stroke="(#[0-9a-fA-F]{6})"', svg)
    assert colours
    for colour in colours:
        assert (1.05) / (relative_luminance(colour) + 0.05) >= 4.5, colour


def test_trace_kinds_look_different() -> None:
    """The four patterns are distinct drawings with distinct titles."""
    svgs = [ET.fromstring(trace_svg(kind)) for kind in TRACE_KINDS]
    paths = {svg.find(f"{SVG}path").get("d") for svg in svgs}
    titles = {svg.find(f"{SVG}title").text for svg in svgs}
    assert len(paths) == len(titles) == len(TRACE_KINDS)


def test_trace_uid_keeps_ids_unique() -> None:
    """Two traces of one kind on one page get different element ids."""
    first = ET.fromstring(trace_svg("normal", uid="item-1")).find(f"{SVG}title").get("id")
    second = ET.fromstring(trace_svg("normal", uid="item-2")).find(f"{SVG}title").get("id")
    assert first != second


def test_unknown_trace_kind_raises() -> None:
    """Asking for a trace that does not exist is a programming error."""
    with pytest.raises(ValueError, match="unknown trace kind"):
        trace_svg("fasciculation")


@pytest.mark.parametrize("size", [1, 2, 3])
def test_shuffled_ladder_of_any_length_is_never_solved(size: int) -> None:
    """Two steps still get turned round when the shuffle leaves them in order; one cannot be."""
    from modules.schema import Step

    steps = tuple(Step(id=f"s{n}", text_html=f"Step {n}") for n in range(size))
    item = PracticeItem(id="ladder-x", type="ladder", prompt_html="", explanation_html="", steps=steps)
    for n in range(20):
        shown = shuffled_steps(item, f"learner-{n}")
        assert sorted(s.id for s in shown) == [s.id for s in steps]
        assert shown != list(steps) or size == 1
