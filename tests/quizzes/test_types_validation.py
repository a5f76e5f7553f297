"""Every validation guard of the question types, each with a damaged item it must reject."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from quizzes.types import REGISTRY, ContentError, get_type, validate_item
from tests.quizzes.fixtures import load_items

ITEMS = load_items()
WHERE = "bank/x.yaml"
DEL = object()
# (case, fixture, damage as (dotted path, new value or DEL) or a function of the item, the error)
CASES: list[tuple[str, str, Any, str]] = [
    # checks.common and check_keys
    ("not-a-mapping", "fx-mcq", lambda i: ["just", "a", "list"],
     'bank/x.yaml: must be a mapping, not list'),
    ("missing-stem", "fx-mcq", ("stem", DEL),
     'bank/x.yaml: missing stem'),
    ("unknown-key", "fx-mcq", ("colour", "red"),
     "bank/x.yaml: unknown key(s) 'colour' (check the spelling against SCHEMA.md)"),
    ("unknown-key-with-space", "fx-mcq", ("why not", "x"),
     "bank/x.yaml: unknown key(s) 'why not' (a comma inside {...} ends the value: put that text in double quotes)"),
    ("id-not-a-slug", "fx-mcq", ("id", "Fx_MCQ"),
     "bank/x.yaml: id: 'Fx_MCQ' must be a lowercase slug such as weak-mrc-grade-3"),
    ("id-a-number", "fx-mcq", ("id", 12),
     'bank/x.yaml: id: 12 must be a lowercase slug such as weak-mrc-grade-3'),
    ("type-mismatch", "fx-mcq", ("type", "sata"),
     "bank/x.yaml: type: expected 'mcq', found 'sata'"),
    ("unknown-topic", "fx-mcq", ("topic", "cardiology"),
     "bank/x.yaml: topic: 'cardiology' is not one of ms-and-muscles, weakness, spasticity, contractures-skin, atrophy, diagnosis, falls-safety"),
    ("stem-a-number", "fx-mcq", ("stem", 3),
     'bank/x.yaml: stem: must be text, not int (quote it in YAML)'),
    ("stem-none", "fx-mcq", ("stem", None),
     'bank/x.yaml: stem: must be text, not NoneType'),
    ("stem-blank", "fx-mcq", ("stem", "   "),
     'bank/x.yaml: stem: must not be empty'),
    ("title-a-bool", "fx-mcq", ("title", True),
     'bank/x.yaml: title: must be text, not bool (quote it in YAML)'),
    ("stage-blank", "fx-mcq", ("stage", ""),
     'bank/x.yaml: stage: must not be empty'),
    ("unknown-cjmm", "fx-mcq", ("cjmm", "guess"),
     "bank/x.yaml: cjmm: 'guess' is not one of recognize_cues, analyze_cues, prioritize_hypotheses, generate_solutions, take_action, evaluate_outcomes"),
    ("shuffle-not-bool", "fx-mcq", ("shuffle", "yes"),
     "bank/x.yaml: shuffle: must be true or false, not 'yes'"),
    ("shuffle-on-ordering", "fx-ordering", ("shuffle", True),
     'bank/x.yaml: shuffle: must be false for ordering items: their order carries meaning'),
    ("shuffle-on-highlight", "fx-highlight", ("shuffle", True),
     'bank/x.yaml: shuffle: must be false for highlight items: their order carries meaning'),
    ("shuffle-on-cloze", "fx-ddcloze", ("shuffle", True),
     'bank/x.yaml: shuffle: must be false for dropdown_cloze items: their order carries meaning'),
    ("sources-not-list", "fx-mcq", ("sources", "a book"),
     'bank/x.yaml: sources: must be a list of non-empty citation strings'),
    ("sources-blank", "fx-mcq", ("sources", ["ok", " "]),
     'bank/x.yaml: sources: must be a list of non-empty citation strings'),
    # entries, unique_ids, sub_id, choices, rationale, flag
    ("options-not-list", "fx-mcq", ("options", {"a": 1}),
     'bank/x.yaml: options: must be a list, not dict'),
    ("mcq-one-option", "fx-mcq", ("options", [{"id": "a", "text": "A", "correct": True, "rationale": "R."}]),
     'bank/x.yaml: options: needs 2 to 8 entries, found 1'),
    ("mcq-nine-options", "fx-mcq", lambda i: i | {"options": i["options"] + [{"id": f"x{n}", "text": "X", "rationale": "R."} for n in range(5)]},
     'bank/x.yaml: options: needs 2 to 8 entries, found 9'),
    ("option-bad-id", "fx-mcq", ("options.0.id", "A B"),
     "bank/x.yaml: options[0].id: 'A B' must match ^[a-z0-9][a-z0-9_-]{0,39}$ (quote numbers)"),
    ("option-numeric-id", "fx-mcq", ("options.0.id", 7),
     'bank/x.yaml: options[0].id: 7 must match ^[a-z0-9][a-z0-9_-]{0,39}$ (quote numbers)'),
    ("option-duplicate-id", "fx-mcq", ("options.1.id", "a"),
     "bank/x.yaml: options[1]: duplicate id 'a'"),
    ("option-missing-text", "fx-mcq", ("options.0.text", DEL),
     'bank/x.yaml: options[0]: missing text'),
    ("option-missing-rationale", "fx-mcq", ("options.0.rationale", DEL),
     'bank/x.yaml: options[0]: missing rationale'),
    ("option-blank-rationale", "fx-mcq", ("options.0.rationale", " "),
     'bank/x.yaml: options[0].rationale: must not be empty'),
    ("option-correct-not-bool", "fx-mcq", ("options.0.correct", "no"),
     "bank/x.yaml: options[0].correct: must be true or false, not 'no'"),
    ("mcq-two-correct", "fx-mcq", ("options.0.correct", True),
     'bank/x.yaml: options: needs 1 option(s) with correct: true, found 2'),
    ("mcq-none-correct", "fx-mcq", ("options.1.correct", False),
     'bank/x.yaml: options: needs 1 option(s) with correct: true, found 0'),
    ("sata-none-correct", "fx-sata", lambda i: i | {"options": [o | {"correct": False} for o in i["options"]]},
     'bank/x.yaml: options: needs 1 to 10 option(s) with correct: true, found 0'),
    ("sata-two-options", "fx-sata", lambda i: i | {"options": i["options"][:2]},
     'bank/x.yaml: options: needs 3 to 10 entries, found 2'),
    # choice
    ("tf-answer-not-bool", "fx-tf", ("answer", "false"),
     "bank/x.yaml: answer: must be true or false, not 'false'"),
    ("tf-blank-rationale", "fx-tf", ("rationale", " "),
     'bank/x.yaml: rationale: must not be empty'),
    ("tf-no-rationale", "fx-tf", ("rationale", DEL),
     'bank/x.yaml: missing rationale'),
    ("select-n-zero", "fx-select2", ("select", 0),
     'bank/x.yaml: select: must be a whole number of 1 or more, not 0'),
    ("select-n-bool", "fx-select2", ("select", True),
     'bank/x.yaml: select: must be a whole number of 1 or more, not True'),
    ("select-n-text", "fx-select2", ("select", "2"),
     "bank/x.yaml: select: must be a whole number of 1 or more, not '2'"),
    ("select-n-three-correct", "fx-select2", ("options.2.correct", True),
     'bank/x.yaml: options: needs 2 option(s) with correct: true, found 3'),
    ("select-n-too-few-options", "fx-select2", ("select", 5),
     'bank/x.yaml: options: needs 6 to 12 entries, found 5'),
    # matching
    ("matching-unknown-target", "fx-matching", ("prompts.0.match", "t9"),
     "bank/x.yaml: prompts[0].match: 't9' is not a target id"),
    ("matching-one-target", "fx-matching", lambda i: i | {"targets": i["targets"][:1]},
     'bank/x.yaml: targets: needs 2 to 12 entries, found 1'),
    ("matching-prompt-no-rationale", "fx-matching", ("prompts.0.rationale", DEL),
     'bank/x.yaml: prompts[0]: missing rationale'),
    # matrix
    ("matrix-mc-unknown-column", "fx-matrix-mc", ("rows.0.answer", "q"),
     "bank/x.yaml: rows[0].answer: 'q' is not a column id"),
    ("matrix-mc-one-column", "fx-matrix-mc", lambda i: i | {"columns": i["columns"][:1]},
     'bank/x.yaml: columns: needs 2 to 8 entries, found 1'),
    ("matrix-mc-row-no-rationale", "fx-matrix-mc", ("rows.0.rationale", DEL),
     'bank/x.yaml: rows[0]: missing rationale'),
    ("matrix-mr-answer-not-list", "fx-matrix-mr", ("rows.0.answer", "x"),
     "bank/x.yaml: rows[0].answer: must be a list of distinct column ids, not 'x'"),
    ("matrix-mr-unknown-column", "fx-matrix-mr", ("rows.0.answer", ["x", "q"]),
     "bank/x.yaml: rows[0].answer: must be a list of distinct column ids, not ['x', 'q']"),
    ("matrix-mr-repeated-column", "fx-matrix-mr", ("rows.1.answer", ["x", "x"]),
     "bank/x.yaml: rows[1].answer: must be a list of distinct column ids, not ['x', 'x']"),
    ("matrix-mr-empty-column", "fx-matrix-mr", ("rows.2.answer", []),
     "bank/x.yaml: columns: column 'z' has no row that belongs in it"),
    ("matrix-mr-column-no-rationale", "fx-matrix-mr", ("columns.0.rationale", DEL),
     'bank/x.yaml: columns[0]: missing rationale'),
    # ordering
    ("ordering-unknown-scoring", "fx-ordering", ("scoring", "best_guess"),
     "bank/x.yaml: scoring: 'best_guess' is not one of per_position, all_or_nothing"),
    ("ordering-one-step", "fx-ordering", lambda i: i | {"options": i["options"][:1]},
     'bank/x.yaml: options: needs 2 to 8 entries, found 1'),
    ("ordering-step-no-rationale", "fx-ordering", ("options.0.rationale", DEL),
     'bank/x.yaml: options[0]: missing rationale'),
    # cloze and slots
    ("cloze-unknown-placeholder", "fx-ddcloze", ("text", "One [[b1]] and [[b2]] and [[b9]]."),
     'bank/x.yaml: text: placeholder [[b9]] names no declared blank or target'),
    ("cloze-missing-placeholder", "fx-ddcloze", ("text", "One [[b1]] only."),
     'bank/x.yaml: text: [[b2]] must appear exactly once, found 0'),
    ("cloze-placeholder-twice", "fx-ddcloze", ("text", "[[b1]] [[b2]] [[b1]]"),
     'bank/x.yaml: text: [[b1]] must appear exactly once, found 2'),
    ("cloze-answer-not-an-option", "fx-ddcloze", ("blanks.0.answer", "o3"),
     "bank/x.yaml: blanks[0].answer: 'o3' is not one of its option ids"),
    ("cloze-one-option", "fx-ddcloze", ("blanks.0.options", [{"id": "o1", "text": "one"}]),
     'bank/x.yaml: blanks[0].options: must be a list of at least 2 options'),
    ("cloze-blank-no-rationale", "fx-ddcloze", ("blanks.0.rationale", DEL),
     'bank/x.yaml: blanks[0]: missing rationale'),
    ("cloze-blank-no-options", "fx-ddcloze", ("blanks.0.options", DEL),
     'bank/x.yaml: blanks[0]: missing options'),
    ("table-headers-one", "fx-ddtable", ("headers", ["Finding"]),
     'bank/x.yaml: headers: must be a list of two strings: [row header, answer header]'),
    ("table-headers-numbers", "fx-ddtable", ("headers", ["Finding", 2]),
     'bank/x.yaml: headers: must be a list of two strings: [row header, answer header]'),
    ("table-shared-options-one", "fx-ddtable", ("options", [{"id": "m1", "text": "Meaning 1"}]),
     'bank/x.yaml: options: must be a list of at least 2 options'),
    ("table-row-without-options", "fx-ddtable", ("options", DEL),
     'bank/x.yaml: rows[0]: missing options'),
    ("table-row-no-text", "fx-ddtable", ("rows.0.text", DEL),
     'bank/x.yaml: rows[0]: missing text'),
    ("drag-answer-not-a-token", "fx-dragcloze", ("targets.0.answer", "k9"),
     "bank/x.yaml: targets[0].answer: 'k9' is not a token id"),
    ("drag-token-repeated", "fx-dragcloze", ("targets.1.answer", "k1"),
     'bank/x.yaml: targets[1].answer: repeats a token; set reuse_tokens: true to allow that'),
    ("drag-reuse-not-bool", "fx-dragcloze", ("reuse_tokens", "yes"),
     "bank/x.yaml: reuse_tokens: must be true or false, not 'yes'"),
    ("drag-one-token", "fx-dragcloze", ("tokens", [{"id": "k1", "text": "alpha"}]),
     'bank/x.yaml: tokens: must be a list of at least 2 options'),
    ("drag-target-no-rationale", "fx-dragcloze", ("targets.0.rationale", DEL),
     'bank/x.yaml: targets[0]: missing rationale'),
    # highlight
    ("shuffle-on-dragdrop", "fx-dragcloze", ("shuffle", True),
     'bank/x.yaml: shuffle: must be false for dragdrop_cloze items: their order carries meaning'),
    ("highlight-passage-not-list", "fx-highlight", ("passage", "text"),
     'bank/x.yaml: passage: must be a list, not str'),
    ("highlight-61-entries", "fx-highlight", lambda i: i | {"passage": i["passage"] + ["More. "] * 54},
     'bank/x.yaml: passage: needs 2 to 60 entries, found 61'),
    ("highlight-segment-blank-text", "fx-highlight", ("passage.1.text", " "),
     'bank/x.yaml: passage[1].text: must not be empty'),
    ("highlight-segment-blank-rationale", "fx-highlight", ("passage.1.rationale", ""),
     'bank/x.yaml: passage[1].rationale: must not be empty'),
    ("matrix-mr-column-blank-rationale", "fx-matrix-mr", ("columns.0.rationale", " "),
     'bank/x.yaml: columns[0].rationale: must not be empty'),
    ("highlight-duplicate-id", "fx-highlight", ("passage.2.id", "s1"),
     "bank/x.yaml: passage[2]: duplicate id 's1'"),
    ("highlight-one-selectable", "fx-highlight", ("passage", ["Text. ", {"id": "s1", "text": "One.", "correct": True, "rationale": "R."}]),
     'bank/x.yaml: passage: needs at least two selectable segments'),
    ("highlight-none-correct", "fx-highlight", lambda i: i | {"passage": [s if isinstance(s, str) else {k: v for k, v in s.items() if k != "correct"} for s in i["passage"]]},
     'bank/x.yaml: passage: needs at least one segment with correct: true'),
    ("highlight-segment-no-text", "fx-highlight", ("passage.1.text", DEL),
     'bank/x.yaml: passage[1]: missing text'),
    ("highlight-segment-no-rationale", "fx-highlight", ("passage.1.rationale", DEL),
     'bank/x.yaml: passage[1]: missing rationale'),
    ("highlight-segment-bad-id", "fx-highlight", ("passage.1.id", "S 1"),
     "bank/x.yaml: passage[1].id: 'S 1' must match ^[a-z0-9][a-z0-9_-]{0,39}$ (quote numbers)"),
    ("highlight-correct-not-bool", "fx-highlight", ("passage.1.correct", 1),
     'bank/x.yaml: passage[1].correct: must be true or false, not 1'),
    # bowtie
    ("bowtie-id-in-two-pools", "fx-bowtie", ("condition.1.id", "a3"),
     "bank/x.yaml: condition: id 'a3' is already used in another pool"),
    ("bowtie-three-right-actions", "fx-bowtie", ("actions.2.correct", True),
     'bank/x.yaml: actions: needs 2 option(s) with correct: true, found 3'),
    ("bowtie-two-right-conditions", "fx-bowtie", ("condition.1.correct", True),
     'bank/x.yaml: condition: needs 1 option(s) with correct: true, found 2'),
    ("bowtie-small-pool", "fx-bowtie", lambda i: i | {"parameters": i["parameters"][:2]},
     'bank/x.yaml: parameters: needs 3 to 8 entries, found 2'),
    # rationale groups
    ("groups-empty", "fx-ddrationale-dyad", ("groups", []),
     'bank/x.yaml: groups: must be a non-empty list of lists of blank or target ids'),
    ("groups-not-list", "fx-ddrationale-dyad", ("groups", "b1 b2"),
     'bank/x.yaml: groups: must be a non-empty list of lists of blank or target ids'),
    ("group-of-one", "fx-ddrationale-triad", ("groups", [["b1"], ["b1", "b2", "b3"]]),
     "bank/x.yaml: groups[0]: must list 2 or more different ids, not ['b1']"),
    ("group-repeats-a-slot", "fx-ddrationale-triad", ("groups", [["b1", "b1"], ["b2", "b3"]]),
     "bank/x.yaml: groups[0]: must list 2 or more different ids, not ['b1', 'b1']"),
    ("group-not-a-list", "fx-ddrationale-triad", ("groups", ["b1", ["b2", "b3"]]),
     "bank/x.yaml: groups[0]: must list 2 or more different ids, not 'b1'"),
    ("group-unknown-slot", "fx-ddrationale-triad", ("groups", [["b1", "b2"], ["b1", "b9"]]),
     "bank/x.yaml: groups[1]: 'b9' is not a declared blank or target"),
    ("group-repeated", "fx-ddrationale-triad", ("groups", [["b1", "b2"], ["b2", "b1"], ["b1", "b3"]]),
     'bank/x.yaml: groups[1]: repeats an earlier group'),
    ("slot-in-no-group", "fx-ddrationale-triad", ("groups", [["b1", "b2"]]),
     "bank/x.yaml: groups: 'b3' is in no group, so it could never score"),
    ("drag-rationale-slot-in-no-group", "fx-dragrationale-triad", ("groups", [["t1", "t2"]]),
     "bank/x.yaml: groups: 't3' is in no group, so it could never score"),
    ("drag-rationale-token-repeated", "fx-dragrationale-triad", ("targets.2.answer", "k2"),
     'bank/x.yaml: targets[2].answer: repeats a token; set reuse_tokens: true to allow that'),
    ("drag-rationale-bad-text", "fx-dragrationale-triad", ("text", "[[t1]] [[t2]]"),
     'bank/x.yaml: text: [[t3]] must appear exactly once, found 0'),
    ("dd-rationale-bad-text", "fx-ddrationale-dyad", ("text", "[[b1]] [[b1]] [[b2]]"),
     'bank/x.yaml: text: [[b1]] must appear exactly once, found 2'),
]


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


def test_validate_item_names_where_the_item_is() -> None:
    with pytest.raises(ContentError, match=r"^item: type: 'essay' is not a known type"):
        validate_item({"type": "essay"})
    with pytest.raises(ContentError, match=r"^item: type: None is not a known type"):
        get_type({})
    with pytest.raises(ContentError) as caught:
        validate_item(damaged("fx-mcq", ("stem", " ")), WHERE)
    assert str(caught.value) == "bank/x.yaml: stem: must not be empty"
    with pytest.raises(ContentError) as caught:
        validate_item(damaged("fx-mcq", ("stem", " ")))
    assert str(caught.value) == "item: stem: must not be empty"


@pytest.mark.parametrize("item", [{"type": "essay"}, {}, ["mcq"], {"type": 3}])
def test_an_unknown_type_names_the_known_ones(item: Any) -> None:
    with pytest.raises(ContentError, match=r"^bank/x.yaml: type: .* is not a known type \(bowtie, dragdrop_cloze"):
        get_type(item, WHERE)
