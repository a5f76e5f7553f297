"""Every validation guard of the question types, each with a damaged item it must reject."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from quizzes.types import REGISTRY, ContentError, checks, get_type, validate_item
from tests.quizzes.fixtures import load_items
from tests.quizzes.validation_cases import CASES, DEL

ITEMS = load_items()
WHERE = "bank/x.yaml"


def damaged(item_id: str, how: Any) -> Any:
    """A deep copy of a fixture with one field changed, removed, or rebuilt by a function."""
    item = copy.deepcopy(ITEMS[item_id])
    if callable(how):
        return how(item)
    path, value = how
    *parents, last = path.split(".")
    box: Any = item
    for part in parents:
        box = box[int(part)] if part.isdigit() else box[part]
    key = int(last) if last.isdigit() else last
    if value is DEL:
        del box[key]
    else:
        box[key] = value
    return item


@pytest.mark.parametrize("item_id", sorted(ITEMS))
def test_every_fixture_is_valid(item_id: str) -> None:
    validate_item(ITEMS[item_id], WHERE)


@pytest.mark.parametrize(("case", "item_id", "how", "message"), CASES, ids=[c[0] for c in CASES])
def test_validate_rejects_the_damaged_item(case: str, item_id: str, how: Any, message: str) -> None:
    validate: Callable[[Any, str], None] = REGISTRY[ITEMS[item_id]["type"]].validate
    with pytest.raises(ContentError) as caught:
        validate(damaged(item_id, how), WHERE)
    assert str(caught.value) == message


@pytest.mark.parametrize("item_id", ["fx-dragcloze", "fx-dragrationale-triad"])
def test_reuse_tokens_true_allows_a_token_in_two_gaps(item_id: str) -> None:
    item = damaged(item_id, ("targets.1.answer", "k1"))
    item["reuse_tokens"] = True
    validate_item(item, WHERE)


@pytest.mark.parametrize(("changes", "removed"), [
    ({"title": "A title", "stage": "Stage 1", "cjmm": "take_action", "sources": ["NICE NG220"]}, ()),
    ({"shuffle": False, "sources": []}, ()),
    ({}, ("options",)),  # the dropdown table's shared options are optional when rows bring their own
    ({"shuffle": True}, ()),  # a dropdown table may shuffle its rows
])
def test_optional_fields_are_accepted(changes: dict[str, Any], removed: tuple[str, ...]) -> None:
    item = copy.deepcopy(ITEMS["fx-ddtable"]) | changes
    for key in removed:
        del item[key]
        for row in item["rows"]:
            row.setdefault("options", [{"id": "m1", "text": "Meaning 1"}, {"id": "m2", "text": "Meaning 2"}])
    validate_item(item, WHERE)


@pytest.mark.parametrize("passage", [
    ["Plain. ", {"id": "s1", "text": "One.", "correct": True, "rationale": "R."},
     {"id": "s2", "text": "Two.", "rationale": "R."}],  # the fewest: two segments, one correct
    [{"id": "s1", "text": "One.", "correct": True, "rationale": "R."},
     {"id": "s2", "text": "Two.", "rationale": "R."}] + ["More. "] * 58,  # the most: 60 entries
])
def test_highlight_limits_are_inclusive(passage: list[Any]) -> None:
    validate_item(copy.deepcopy(ITEMS["fx-highlight"]) | {"passage": passage}, WHERE)


@pytest.mark.parametrize(("item_id", "changes"), [
    ("fx-matching", {"prompts": [{"id": f"p{n}", "text": "P", "match": "t1", "rationale": "R."} for n in range(12)]}),
    ("fx-matching", {"prompts": [{"id": f"p{n}", "text": "P", "match": "t2", "rationale": "R."} for n in range(2)]}),
    ("fx-matching", {"targets": [{"id": "t1", "text": "T1", "rationale": "Why."}, {"id": "t2", "text": "T2"}]}),
    ("fx-dragcloze", {"text": "[[t1]].", "targets": [{"id": "t1", "answer": "k2", "rationale": "R."}]}),
    ("fx-matrix-mc", {"rows": [{"id": f"r{n}", "text": "R", "answer": "x", "rationale": "R."} for n in range(12)]}),
    ("fx-matrix-mc", {"rows": [{"id": f"r{n}", "text": "R", "answer": "y", "rationale": "R."} for n in range(2)]}),
    ("fx-dragcloze", {"text": " ".join(f"[[t{n}]]" for n in range(20)), "reuse_tokens": True,
                      "targets": [{"id": f"t{n}", "answer": "k1", "rationale": "R."} for n in range(20)]}),
    ("fx-select2", {"select": 1, "options": [{"id": "a", "text": "A", "correct": True, "rationale": "R."},
                                             {"id": "b", "text": "B", "rationale": "R."}]}),
])
def test_items_at_their_limits_are_valid(item_id: str, changes: dict[str, Any]) -> None:
    validate_item(copy.deepcopy(ITEMS[item_id]) | changes, WHERE)


@pytest.mark.parametrize(("item_id", "path"), [
    ("fx-dragcloze", ("tokens", 0)), ("fx-ddcloze", ("blanks", 0, "options", 1)), ("fx-mcq", ()),
])
def test_plain_options_may_explain_themselves_and_options_may_shuffle(item_id: str, path: tuple) -> None:
    """A token or dropdown option may carry a rationale; a multiple-choice item may shuffle."""
    item = copy.deepcopy(ITEMS[item_id])
    box: Any = item
    for step in path:
        box = box[step]
    box.update({"rationale": "Why this one."} if path else {"shuffle": True})
    validate_item(item, WHERE)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: checks.rationale({"id": "a"}, WHERE, "parts[0]"),
     "bank/x.yaml: parts[0].rationale: is required (say why this is right or wrong)"),
    (lambda: checks.text({}, "label", WHERE, "parts[1]"), "bank/x.yaml: parts[1].label: must be text, not NoneType"),
    (lambda: checks.entries({"parts": ["p"] * 101}, "parts", WHERE, min_n=1),
     "bank/x.yaml: parts: needs 1 to 100 entries, found 101"),
])
def test_helpers_for_new_types_require_by_default(call: Callable[[], object], message: str) -> None:
    """A new type's validate may call the helpers directly: a rationale or text is required
    unless said otherwise, and a list holds at most 100 entries."""
    with pytest.raises(ContentError) as caught:
        call()
    assert str(caught.value) == message


def test_helpers_accept_what_they_allow() -> None:
    assert checks.rationale({}, WHERE, "parts[0]", required=False) is None
    assert checks.text({}, "label", WHERE, "", required=False) is None
    assert len(checks.entries({"parts": ["p"] * 100}, "parts", WHERE, min_n=1)) == 100


def test_dropdown_table_headers_are_optional() -> None:
    item = copy.deepcopy(ITEMS["fx-ddtable"])
    del item["headers"]
    validate_item(item, WHERE)


def test_validate_item_names_where_the_item_is() -> None:
    with pytest.raises(ContentError, match=r"^item: type: 'hotspot' is not a known type"):
        validate_item({"type": "hotspot"})
    with pytest.raises(ContentError, match=r"^item: type: None is not a known type"):
        get_type({})
    with pytest.raises(ContentError, match=r"^bank/x.yaml: type: 'hotspot' is not a known type"):
        validate_item({"type": "hotspot"}, WHERE)
    with pytest.raises(ContentError) as caught:
        validate_item(damaged("fx-mcq", ("stem", " ")), WHERE)
    assert str(caught.value) == "bank/x.yaml: stem: must not be empty"
    with pytest.raises(ContentError) as caught:
        validate_item(damaged("fx-mcq", ("stem", " ")))
    assert str(caught.value) == "item: stem: must not be empty"


@pytest.mark.parametrize("item", [{"type": "hotspot"}, {}, ["mcq"], {"type": 3}])
def test_an_unknown_type_names_the_known_ones(item: Any) -> None:
    with pytest.raises(ContentError, match=r"^bank/x.yaml: type: .* is not a known type \(bowtie, dragdrop_cloze"):
        get_type(item, WHERE)
