"""Parsing posted forms for every type: the response kept and the problems reported, exactly."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from quizzes.types import REGISTRY
from quizzes.types.base import PartResult, ScoreResult, total, zero
from tests.quizzes.fixtures import load_items

ITEMS = load_items()

# (case, fixture, posted form, stored response, problems), worked out from the rules by hand.
CASES: list[tuple[str, str, dict[str, list[str]], dict[str, Any], tuple[str, ...]]] = [
    ("mcq-one", "fx-mcq", {'q-opt': ['b']},
     {'selected': 'b'}, ()),
    ("mcq-two", "fx-mcq", {'q-opt': ['a', 'b']},
     {'selected': None}, ('Choose only one answer.',)),
    ("mcq-same-twice", "fx-mcq", {'q-opt': ['b', 'b']},
     {'selected': 'b'}, ()),
    ("mcq-unknown", "fx-mcq", {'q-opt': ['zz']},
     {'selected': None}, ()),
    ("tf-true", "fx-tf", {'q-value': ['TRUE']},
     {'value': True}, ()),
    ("tf-none", "fx-tf", {},
     {'value': None}, ()),
    ("tf-both", "fx-tf", {'q-value': ['true', 'false']},
     {'value': None}, ('Choose either true or false.',)),
    ("tf-junk", "fx-tf", {'q-value': ['maybe']},
     {'value': None}, ()),
    ("sata", "fx-sata", {'q-opt': ['w1', 'c1']},
     {'selected': ['w1', 'c1']}, ()),
    ("select-n-at-n", "fx-select2", {'q-opt': ['c1', 'w1']},
     {'selected': ['c1', 'w1']}, ()),
    ("select-n-over-n", "fx-select2", {'q-opt': ['c1', 'c2', 'w1']},
     {'selected': ['c1', 'c2', 'w1']}, ('Select no more than 2 options (you selected 3).',)),
    ("matching-one-each", "fx-matching", {'q-pair-p1': ['t1'], 'q-pair-p2': ['t3']},
     {'p1': 't1', 'p2': 't3', 'p3': None}, ()),
    ("matching-two-for-one", "fx-matching", {'q-pair-p1': ['t1', 't2'], 'q-pair-p3': ['t2', 't3']},
     {'p1': None, 'p2': None, 'p3': None}, ('Choose one match for “Prompt 1”.', 'Choose one match for “Prompt 3”.')),
    ("matrix-mc-two-in-a-row", "fx-matrix-mc", {'q-row-r1': ['x', 'y'], 'q-row-r2': ['y']},
     {'r1': None, 'r2': 'y', 'r3': None}, ('Choose one answer for “Row 1”.',)),
    ("matrix-mr", "fx-matrix-mr", {'q-row-r1': ['x', 'y', 'bad'], 'q-row-r3': ['z']},
     {'r1': ['x', 'y'], 'r2': [], 'r3': ['z'], 'r4': []}, ()),
    ("ddcloze-two-in-a-blank", "fx-ddcloze", {'q-blank-b1': ['o1'], 'q-blank-b2': ['o2', 'o3']},
     {'b1': 'o1', 'b2': None}, ('Choose one option for blank 2.',)),
    ("ddcloze-option-of-another-blank", "fx-ddcloze", {'q-blank-b1': ['o3']},
     {'b1': None, 'b2': None}, ()),
    ("ddtable-two-in-a-row", "fx-ddtable", {'q-row-r1': ['m1', 'm2'], 'q-row-r3': ['q2']},
     {'r1': None, 'r2': None, 'r3': 'q2'}, ('Choose one option for row 1.',)),
    ("ddtable-row-own-options", "fx-ddtable", {'q-row-r3': ['m1'], 'q-row-r2': ['m2']},
     {'r1': None, 'r2': 'm2', 'r3': None}, ()),
    ("dragcloze", "fx-dragcloze", {'q-target-t1': ['k1'], 'q-target-t2': ['k2'], 'q-target-t3': ['k3']},
     {'t1': 'k1', 't2': 'k2', 't3': 'k3'}, ()),
    ("dragcloze-token-twice", "fx-dragcloze", {'q-target-t1': ['k1'], 'q-target-t2': ['k1'], 'q-target-t3': ['k1']},
     {'t1': 'k1', 't2': None, 't3': None}, ('Use each word only once.',)),
    ("dragcloze-two-in-a-gap", "fx-dragcloze", {'q-target-t1': ['k1', 'k2'], 'q-target-t2': ['k3', 'k4']},
     {'t1': None, 't2': None, 't3': None}, ('Put only one word in each gap.',)),
    ("highlight", "fx-highlight", {'q-opt': ['s3', 's1', 's9']},
     {'selected': ['s3', 's1']}, ()),
    ("ordering-authored-ids", "fx-ordering", {'q-pos-1': ['b'], 'q-pos-2': ['a'], 'q-pos-4': ['zz']},
     {'order': ['b', 'a', None, None]}, ()),
    ("ordering-step-twice", "fx-ordering", {'q-pos-1': ['a'], 'q-pos-2': ['a'], 'q-pos-3': ['a']},
     {'order': ['a', None, None, None]}, ('Use each step only once.',)),
    ("bowtie-perfect", "fx-bowtie", {'q-zone-action-1': ['a1'], 'q-zone-action-2': ['a2'],
                                     'q-zone-condition': ['c1'], 'q-zone-parameter-1': ['p1'],
                                     'q-zone-parameter-2': ['p2']},
     {'action-1': 'a1', 'action-2': 'a2', 'condition': 'c1', 'parameter-1': 'p1', 'parameter-2': 'p2'}, ()),
    ("bowtie-option-in-two-zones", "fx-bowtie", {'q-zone-action-1': ['a1'], 'q-zone-action-2': ['a1'],
                                                 'q-zone-parameter-1': ['p1'],
                                                 'q-zone-parameter-2': ['p1']},
     {'action-1': 'a1', 'action-2': None, 'condition': None, 'parameter-1': 'p1', 'parameter-2': None},
     ('Place each option only once.',)),
    ("bowtie-two-in-a-zone", "fx-bowtie", {'q-zone-action-1': ['a1', 'a2'], 'q-zone-condition': ['c1', 'c2']},
     {'action-1': None, 'action-2': None, 'condition': None, 'parameter-1': None, 'parameter-2': None},
     ('Put only one option in “Action to take 1”.', 'Put only one option in “Condition most likely”.')),
    ("bowtie-option-of-another-pool", "fx-bowtie",
     {'q-zone-action-1': ['c1'], 'q-zone-condition': ['c1'], 'q-zone-parameter-1': ['p2']},
     {'action-1': None, 'action-2': None, 'condition': 'c1', 'parameter-1': 'p2', 'parameter-2': None}, ()),
    ("dd-rationale-two-in-a-blank", "fx-ddrationale-dyad", {'q-blank-b1': ['o1', 'o2'], 'q-blank-b2': ['o2']},
     {'b1': None, 'b2': 'o2'}, ('Choose one option for blank 1.',)),
    ("drag-rationale-token-twice", "fx-dragrationale-triad", {'q-target-t1': ['k1'], 'q-target-t2': ['k1']},
     {'t1': 'k1', 't2': None, 't3': None}, ('Use each word only once.',)),
    ("numeric-value-and-unit", "fx-numeric", {'q-value': [' 0.25 '], 'q-unit': ['mL']},
     {'value': '0.25', 'unit': 'mL'}, ()),
    ("numeric-badly-written-is-kept", "fx-numeric", {'q-value': ['.25']},
     {'value': '.25', 'unit': ''}, ()),
    ("numeric-unit-ignored-without-one", "fx-numeric-pct", {'q-value': ['500'], 'q-unit': ['mcg']},
     {'value': '500', 'unit': ''}, ()),
    ("short-text", "fx-short", {'q-text': ['baclofen']},
     {'text': 'baclofen'}, ()),
    ("short-too-long", "fx-short", {'q-text': ['x' * 201]},
     {'text': 'x' * 200}, ('Keep the answer under 200 characters.',)),
    ("essay-text", "fx-essay", {'q-text': ['Taper it.']},
     {'text': 'Taper it.'}, ()),
    ("essay-too-many-words", "fx-essay", {'q-text': ['word ' * 151]},
     {'text': ('word ' * 151).strip()}, ('Keep the answer to 150 words (it has 151).',)),
]


def parse(item: dict[str, Any], form: Any, prefix: str = "q-") -> tuple[dict[str, Any], tuple[str, ...]]:
    """Parse through the registry."""
    response, problems = REGISTRY[item["type"]].parse(item, form, prefix)
    return response, problems


@pytest.mark.parametrize(("case", "item_id", "form", "response", "problems"), CASES, ids=[c[0] for c in CASES])
def test_parse_keeps_the_response_and_reports_the_problems(case: str, item_id: str, form: dict[str, list[str]],
                                                           response: dict[str, Any], problems: tuple[str, ...]) -> None:
    result = REGISTRY[ITEMS[item_id]["type"]].parse(ITEMS[item_id], form, "q-")
    assert (result.response, result.problems) == (response, problems)
    assert result.valid is (not problems)
    # A browser posts a MultiDict: the same fields give the same answer.
    multi = MultiDict([(name, value) for name, posted in form.items() for value in posted])
    assert parse(ITEMS[item_id], multi) == (response, problems)


def test_every_type_has_a_parse_case_and_a_template() -> None:
    assert {ITEMS[c[1]]["type"] for c in CASES} == set(REGISTRY)
    assert REGISTRY["matrix_mr"].template == "quizzes/items/matrix_mr.html"


@pytest.mark.parametrize("item_id", ["fx-dragcloze", "fx-dragrationale-triad"])
def test_reusable_tokens_may_fill_several_gaps(item_id: str) -> None:
    item = copy.deepcopy(ITEMS[item_id]) | {"reuse_tokens": True}
    response, problems = parse(item, {"q-target-t1": ["k1"], "q-target-t2": ["k1"]})
    assert (response, problems) == ({"t1": "k1", "t2": "k1", "t3": None}, ())
    # Only a real true allows reuse.
    item["reuse_tokens"] = "true"
    assert parse(item, {"q-target-t1": ["k1"], "q-target-t2": ["k1"]}) == (
        {"t1": "k1", "t2": None, "t3": None}, ("Use each word only once.",))


def test_problems_are_reported_once_each() -> None:
    form = {"q-target-t1": ["k1"], "q-target-t2": ["k1"], "q-target-t3": ["k1", "k2"]}
    assert parse(ITEMS["fx-dragcloze"], form)[1] == ("Use each word only once.", "Put only one word in each gap.")


def test_select_n_over_selection_scores_zero_in_every_part() -> None:
    result = REGISTRY["select_n"].score(ITEMS["fx-select2"], {"selected": ["c1", "c2", "w1"]})
    assert (result.points, result.max_points) == (0.0, 2.0)
    assert [(p.part_id, p.points, p.max_points, p.correct, p.chosen, p.expected) for p in result.parts] == [
        ("c1", 0.0, 1.0, False, True, True),
        ("c2", 0.0, 1.0, False, True, True),
        ("w1", 0.0, 0.0, False, True, False),
        ("w2", 0.0, 0.0, False, False, False),
        ("w3", 0.0, 0.0, False, False, False),
    ]
    assert [p.rationale for p in result.parts] == [o["rationale"] for o in ITEMS["fx-select2"]["options"]]
    assert [p.label for p in result.parts] == [o["text"] for o in ITEMS["fx-select2"]["options"]]


@pytest.mark.parametrize("points", [[1.0, 1.0], [0.0, 1.0], [-1.0, 1.0], [0.0, 0.0]])
def test_zero_keeps_the_breakdown_but_no_points(points: list[float]) -> None:
    parts = [PartResult(f"p{n}", f"Part {n}", pts, 1.0, pts > 0, "got", "want", "why") for n, pts in enumerate(points)]
    result = zero(total(parts))
    assert result == ScoreResult(0.0, 2.0, tuple(
        PartResult(f"p{n}", f"Part {n}", 0.0, 1.0, False, "got", "want", "why") for n in range(len(points))))


@pytest.mark.parametrize(("points", "floor", "expected"), [
    ([1.0, -1.0, -1.0], True, 0.0),
    ([1.0, -1.0, -1.0], False, -1.0),
    ([1.0, 1.0, -1.0], True, 1.0),
    ([], True, 0.0),
])
def test_total_adds_parts_and_floors_on_request(points: list[float], floor: bool, expected: float) -> None:
    parts = [PartResult("p", "P", pts, 1.0, pts > 0, None, None, "") for pts in points]
    result = total(parts, floor=floor)
    assert (result.points, result.max_points, len(result.parts)) == (expected, float(len(points)), len(points))
    assert result.fraction == (expected / len(points) if points else 0.0)


# The review breakdown of every scoring case in test_scoring.CASES: per part its id, label,
# points, maximum, correctness, what was chosen, what was expected and the rationale shown.
# Reviewed by hand when written; it is what a learner reads on the review page.
PARTS = json.loads((Path(__file__).parents[1] / "fixtures" / "score_parts.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PARTS, ids=[f"{c['item']}-{n}" for n, c in enumerate(PARTS)])
def test_score_breakdown_shown_at_review(case: dict[str, Any]) -> None:
    item = ITEMS[case["item"]]
    result = REGISTRY[item["type"]].score(item, case["response"])
    assert (result.points, result.max_points) == (case["points"], case["max_points"])
    shown = [[p.part_id, p.label, p.points, p.max_points, p.correct, p.chosen, p.expected, p.rationale]
             for p in result.parts]
    assert json.loads(json.dumps(shown)) == case["parts"]


def test_ordering_score_ignores_junk_in_the_stored_order() -> None:
    result = REGISTRY["ordering"].score(ITEMS["fx-ordering"], {"order": ["zz", "b", 3]})
    assert [p.chosen for p in result.parts] == [None, "b", None, None]
    assert result.points == 1.0
