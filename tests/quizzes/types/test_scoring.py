"""Table-driven checks of every scorer against the NCSBN rules, plus parsing and public views."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from quizzes.types import REGISTRY, ScoreResult
from quizzes.types.numeric import expected
from quizzes.types.ordering import public_id
from tests.quizzes.fixtures import load_items

ITEMS = load_items()
PERFECT_BOWTIE = {"action-1": "a1", "action-2": "a2", "condition": "c1", "parameter-1": "p1", "parameter-2": "p2"}

# (item id, stored response, points expected by the NCSBN rule, worked out by hand)
CASES: list[tuple[str, Any, float]] = [
    ("fx-mcq", {"selected": "b"}, 1),
    ("fx-mcq", {"selected": "a"}, 0),
    ("fx-mcq", {"selected": ["b"]}, 0),  # wrong shape counts as no answer
    ("fx-tf", {"value": False}, 1),
    ("fx-tf", {"value": True}, 0),
    ("fx-tf", {"value": "false"}, 0),  # a string is not a boolean answer
    ("fx-matching", {"p1": "t1", "p2": "t2", "p3": "t1"}, 3),
    ("fx-matching", {"p1": "t1", "p2": "t1", "p3": "t3"}, 1),
    ("fx-ordering", {"order": ["a", "b", "c", "d"]}, 4),
    ("fx-ordering", {"order": ["b", "a", "c", "d"]}, 2),
    ("fx-ordering", {"order": ["d", "c", "b", "a"]}, 0),
    ("fx-ordering", {"order": ["a", None]}, 1),
    ("fx-ordering-aon", {"order": ["a", "b", "c"]}, 1),
    ("fx-ordering-aon", {"order": ["a", "c", "b"]}, 0),
    # SATA +/-: NCSBN's worked example, 4 correct and 2 incorrect selections score 2.
    ("fx-sata", {"selected": ["c1", "c2", "c3", "c4", "w1", "w2"]}, 2),
    ("fx-sata", {"selected": ["c1", "c2", "c3", "c4", "c5"]}, 5),
    ("fx-sata", {"selected": ["c1", "c2", "c3", "w1"]}, 2),
    ("fx-sata", {"selected": ["c1", "w1", "w2"]}, 0),  # 1 - 2 floors at 0
    ("fx-sata", {"selected": ["w1", "w2", "w3"]}, 0),
    ("fx-sata", {"selected": ["c1", "c2", "c3", "c4", "c5", "w1", "w2", "w3"]}, 2),  # everything: 5 - 3
    ("fx-sata", {"selected": []}, 0),
    ("fx-select2", {"selected": ["c1", "c2"]}, 2),
    ("fx-select2", {"selected": ["c1", "w1"]}, 1),
    ("fx-select2", {"selected": ["c1", "c2", "w1"]}, 0),  # more than N is invalid
    ("fx-matrix-mc", {"r1": "x", "r2": "y", "r3": "x"}, 3),
    ("fx-matrix-mc", {"r1": "x", "r2": "x", "r3": "y"}, 1),
    ("fx-matrix-mr", {"r1": ["x", "y"], "r2": ["x"], "r3": ["z"], "r4": []}, 4),
    # Column x: +2. Column y: r1 +1, r2/r3/r4 -3 floors at 0. Column z: nothing. A whole-item
    # floor would give 2 - 2 = 0; the per-column floor gives 2.
    ("fx-matrix-mr", {"r1": ["x", "y"], "r2": ["x", "y"], "r3": ["y"], "r4": ["y"]}, 2),
    ("fx-matrix-mr", {r: ["x", "y", "z"] for r in ("r1", "r2", "r3", "r4")}, 0),
    ("fx-ddcloze", {"b1": "o1", "b2": "o2"}, 2),
    ("fx-ddcloze", {"b1": "o1", "b2": "o3"}, 1),
    ("fx-ddtable", {"r1": "m1", "r2": "m2", "r3": "q2"}, 3),
    ("fx-ddtable", {"r1": "m1", "r3": "m2"}, 1),  # m2 is not an option of row 3
    ("fx-dragcloze", {"t1": "k1", "t2": "k2", "t3": "k3"}, 3),
    ("fx-dragcloze", {"t1": "k2", "t2": "k1", "t3": "k3"}, 1),
    ("fx-highlight", {"selected": ["s1", "s3", "s5"]}, 3),
    ("fx-highlight", {"selected": ["s1", "s3", "s2"]}, 1),
    ("fx-highlight", {"selected": ["s1", "s2", "s4"]}, 0),  # 1 - 2 floors at 0
    ("fx-highlight", {"selected": ["s1", "s2", "s3", "s4", "s5"]}, 1),
    ("fx-bowtie", PERFECT_BOWTIE, 5),
    ("fx-bowtie", PERFECT_BOWTIE | {"action-1": "a2", "action-2": "a1"}, 5),  # action zones interchangeable
    ("fx-bowtie", PERFECT_BOWTIE | {"action-2": "a1"}, 4),  # one action twice counts once
    ("fx-bowtie", {"condition": "c1"}, 1),
    ("fx-bowtie", {"action-1": "a3", "action-2": "a4", "condition": "c2", "parameter-1": "p3"}, 0),
    ("fx-ddrationale-dyad", {"b1": "o1", "b2": "o2"}, 1),
    ("fx-ddrationale-dyad", {"b1": "o1", "b2": "o1"}, 0),  # one half right scores nothing
    ("fx-ddrationale-dyad", {"b1": "o2", "b2": "o2"}, 0),
    ("fx-ddrationale-triad", {"b1": "o1", "b2": "o1", "b3": "o2"}, 2),
    ("fx-ddrationale-triad", {"b1": "o1", "b2": "o1", "b3": "o1"}, 1),
    ("fx-ddrationale-triad", {"b1": "o2", "b2": "o1", "b3": "o2"}, 0),  # a wrong cause sinks both pairs
    ("fx-dragrationale-triad", {"t1": "k1", "t2": "k2", "t3": "k3"}, 2),
    ("fx-dragrationale-triad", {"t1": "k1", "t2": "k2", "t3": "k4"}, 1),
    ("fx-dragrationale-triad", {"t1": "k1", "t2": "k3", "t3": "k2"}, 0),
    ("fx-numeric", {"value": "0.25", "unit": "mL"}, 1),
    ("fx-numeric", {"value": "0.25", "unit": ""}, 0.5),  # right number, missing unit: the unit credit
    ("fx-numeric", {"value": ".25", "unit": "mL"}, 0),  # no leading zero
    ("fx-numeric-pct", {"value": "550"}, 1),  # 10% of 500
    ("fx-numeric-pct", {"value": "551"}, 0),
    ("fx-short", {"text": "  Baclofen. "}, 1),
    ("fx-short", {"text": "baclofne"}, 1),  # one swap in a word of 5+ letters
    ("fx-short", {"text": "tizanidine"}, 0),
    ("fx-essay", {"text": "Withdrawal can cause seizures."}, 0),  # waits for the instructor
]

MAX_POINTS = {
    "fx-mcq": 1, "fx-tf": 1, "fx-matching": 3, "fx-ordering": 4, "fx-ordering-aon": 1, "fx-sata": 5,
    "fx-select2": 2, "fx-matrix-mc": 3, "fx-matrix-mr": 4, "fx-ddcloze": 2, "fx-ddtable": 3,
    "fx-dragcloze": 3, "fx-highlight": 3, "fx-bowtie": 5, "fx-ddrationale-dyad": 1,
    "fx-ddrationale-triad": 2, "fx-dragrationale-triad": 2, "fx-numeric": 1, "fx-numeric-pct": 1,
    "fx-short": 1, "fx-essay": 3,
}


def score(item_id: str, response: Any) -> ScoreResult:
    """Score a fixture item through the registry."""
    item = ITEMS[item_id]
    return REGISTRY[item["type"]].score(item, response)


def parse(item_id: str, form: Any, prefix: str = "q-") -> tuple[dict[str, Any], tuple[str, ...]]:
    """Parse a form for a fixture item through the registry."""
    item = ITEMS[item_id]
    response, problems = REGISTRY[item["type"]].parse(item, form, prefix)
    return response, problems


@pytest.mark.parametrize(("item_id", "response", "expected"), CASES)
def test_ncsbn_scoring_rules(item_id: str, response: Any, expected: float) -> None:
    result = score(item_id, response)
    assert result.points == expected
    assert result.max_points == MAX_POINTS[item_id]


def test_every_type_has_a_case_and_every_fixture_a_maximum() -> None:
    assert {ITEMS[i]["type"] for i, _r, _e in CASES} == set(REGISTRY)
    assert set(MAX_POINTS) == set(ITEMS)


@pytest.mark.parametrize("item_id", sorted(MAX_POINTS))
def test_empty_response_scores_zero_and_max_points_agree(item_id: str) -> None:
    item = ITEMS[item_id]
    qt = REGISTRY[item["type"]]
    for empty in ({}, None, [], "junk"):
        result = qt.score(item, empty)
        assert result.points == 0
        assert result.max_points == qt.max_points(item) == MAX_POINTS[item_id]


def test_bowtie_is_worth_five_with_five_zone_parts() -> None:
    result = score("fx-bowtie", PERFECT_BOWTIE)
    assert [p.part_id for p in result.parts] == list(PERFECT_BOWTIE)
    assert all(p.correct and p.points == 1 for p in result.parts)


def test_sata_parts_show_the_penalty_and_the_total_is_floored() -> None:
    result = score("fx-sata", {"selected": ["c1", "w1", "w2"]})
    by_id = {p.part_id: p for p in result.parts}
    assert by_id["c1"].points == 1 and by_id["w1"].points == -1 and not by_id["w1"].correct
    assert by_id["c2"].points == 0 and not by_id["c2"].correct  # a correct option left out
    assert by_id["w3"].correct  # a wrong option left out is handled correctly
    assert result.points == 0


def test_rationale_part_reports_the_whole_group() -> None:
    result = score("fx-ddrationale-triad", {"b1": "o1", "b2": "o1", "b3": "o1"})
    first, second = result.parts
    assert first.correct and first.chosen == {"b1": "o1", "b2": "o1"}
    assert not second.correct and second.expected == {"b1": "o1", "b3": "o2"}
    assert "Cause o1." in second.rationale and "Effect o2." in second.rationale


def test_select_n_more_than_n_is_rejected_by_parse() -> None:
    response, problems = parse("fx-select2", {"q-opt": ["c1", "c2", "w1"]})
    assert problems and "no more than 2" in problems[0]
    assert response["selected"] == ["c1", "c2", "w1"]  # kept so the form can be shown again
    ok_response, ok_problems = parse("fx-select2", {"q-opt": ["c1", "w1"]})
    assert ok_problems == () and score("fx-select2", ok_response).points == 1


def test_parse_drops_unknown_ids_and_duplicates() -> None:
    response, problems = parse("fx-sata", {"q-opt": ["c1", "nope", "c1", "w2"], "other-opt": ["c2"]})
    assert response == {"selected": ["c1", "w2"]} and problems == ()


def test_parse_accepts_a_werkzeug_multidict() -> None:
    form = MultiDict([("q-opt", "c1"), ("q-opt", "c2"), ("q-opt", "c3")])
    response, problems = parse("fx-sata", form)
    assert response["selected"] == ["c1", "c2", "c3"] and problems == ()


def test_mcq_with_two_answers_is_a_problem() -> None:
    response, problems = parse("fx-mcq", {"q-opt": ["a", "b"]})
    assert response == {"selected": None} and problems == ("Choose only one answer.",)


def test_true_false_parses_the_posted_word() -> None:
    response, problems = parse("fx-tf", {"q-value": ["False"]})
    assert response == {"value": False} and not problems
    assert score("fx-tf", response).points == 1


def test_ordering_round_trip_through_public_ids() -> None:
    item = ITEMS["fx-ordering"]
    view = REGISTRY["ordering"].public_view(item, "attempt-1")
    by_text = {o["text"]: o["id"] for o in view["options"]}
    assert not set(by_text.values()) & {"a", "b", "c", "d"}  # authored ids stay hidden
    form = {f"q-pos-{n}": [by_text[o["text"]]] for n, o in enumerate(item["options"], 1)}
    response, problems = parse("fx-ordering", form)
    assert response == {"order": ["a", "b", "c", "d"]} and not problems
    assert score("fx-ordering", response).points == 4


def test_ordering_step_used_twice_is_a_problem() -> None:
    pid = public_id(ITEMS["fx-ordering"], "a")
    response, problems = parse("fx-ordering", {"q-pos-1": [pid], "q-pos-2": [pid]})
    assert response["order"][:2] == ["a", None] and problems == ("Use each step only once.",)


def test_dragdrop_token_used_twice_is_a_problem() -> None:
    response, problems = parse("fx-dragcloze", {"q-target-t1": ["k1"], "q-target-t2": ["k1"]})
    assert response["t1"] == "k1" and response["t2"] is None and problems == ("Use each word only once.",)


def test_bowtie_parse_keeps_options_in_their_own_pool() -> None:
    form = {"q-zone-action-1": ["c1"], "q-zone-condition": ["c1"], "q-zone-parameter-1": ["p2"]}
    response, problems = parse("fx-bowtie", form)
    assert response["action-1"] is None and response["condition"] == "c1" and response["parameter-1"] == "p2"
    assert problems == ()  # an option of another pool is ignored, not placed twice


def test_matrix_mr_parse_reads_repeated_row_fields() -> None:
    response, problems = parse("fx-matrix-mr", {"q-row-r1": ["x", "y", "bad"], "q-row-r3": ["z"]})
    assert response == {"r1": ["x", "y"], "r2": [], "r3": ["z"], "r4": []} and problems == ()


def perfect_form(item: dict[str, Any], prefix: str) -> dict[str, list[str]]:
    """The form a learner who knows every answer would post, built from the documented names."""
    t = item["type"]
    if t in ("mcq", "sata", "select_n"):
        return {f"{prefix}opt": [o["id"] for o in item["options"] if o.get("correct")]}
    if t == "highlight":
        return {f"{prefix}opt": [s["id"] for s in item["passage"] if isinstance(s, dict) and s.get("correct")]}
    if t == "true_false":
        return {f"{prefix}value": [str(item["answer"]).lower()]}
    if t == "matching":
        return {f"{prefix}pair-{p['id']}": [p["match"]] for p in item["prompts"]}
    if t == "ordering":
        return {f"{prefix}pos-{n}": [public_id(item, o["id"])] for n, o in enumerate(item["options"], 1)}
    if t == "matrix_mc":
        return {f"{prefix}row-{r['id']}": [r["answer"]] for r in item["rows"]}
    if t == "matrix_mr":
        return {f"{prefix}row-{r['id']}": list(r["answer"]) for r in item["rows"]}
    if t in ("dropdown_cloze", "dropdown_rationale"):
        return {f"{prefix}blank-{b['id']}": [b["answer"]] for b in item["blanks"]}
    if t == "dropdown_table":
        return {f"{prefix}row-{r['id']}": [r["answer"]] for r in item["rows"]}
    if t in ("dragdrop_cloze", "dragdrop_rationale"):
        return {f"{prefix}target-{g['id']}": [g["answer"]] for g in item["targets"]}
    if t == "numeric":
        return {f"{prefix}value": [expected(item).split(" ")[0]], f"{prefix}unit": [item.get("unit", "")]}
    if t == "short_answer":
        return {f"{prefix}text": [item["answers"][0]]}
    assert t == "bowtie"
    form: dict[str, list[str]] = {}
    for pool, zone in (("actions", "action"), ("condition", "condition"), ("parameters", "parameter")):
        right = [o["id"] for o in item[pool] if o.get("correct")]
        names = [f"{zone}-{n}" for n in (1, 2)] if len(right) == 2 else [zone]
        form.update({f"{prefix}zone-{name}": [ident] for name, ident in zip(names, right)})
    return form


@pytest.mark.parametrize("item_id", sorted(i for i in MAX_POINTS if not REGISTRY[ITEMS[i]["type"]].manual))
def test_perfect_form_parses_to_full_marks_and_json(item_id: str) -> None:
    item = ITEMS[item_id]
    qt = REGISTRY[item["type"]]
    response, problems = qt.parse(item, perfect_form(item, "item7-"), "item7-")
    assert problems == ()
    assert json.loads(json.dumps(response)) == response
    result = qt.score(item, response)
    assert result.points == result.max_points == qt.max_points(item)
    assert all(p.correct for p in result.parts)
    assert all(p.rationale.strip() for p in result.parts)
    # The same form under another prefix is not this item's answer.
    assert qt.score(item, qt.parse(item, perfect_form(item, "item7-"), "item8-").response).points == 0


def shipped_items() -> list[dict[str, Any]]:
    """Every item of the shipped bank (empty while the content is being written)."""
    from quizzes.bank_loader import load_bank

    return list(load_bank().items.values())


def test_shipped_items_score_full_marks_when_answered_perfectly() -> None:
    for item in shipped_items():
        qt = REGISTRY[item["type"]]
        if qt.manual:  # an instructor scores it (tests/quizzes/types/test_essay.py)
            assert qt.score(item, {}).points == 0 < qt.max_points(item), item["id"]
            continue
        response, problems = qt.parse(item, perfect_form(item, "x-"), "x-")
        assert problems == (), item["id"]
        assert qt.score(item, response).points == qt.max_points(item) > 0, item["id"]
        assert qt.score(item, {}).points == 0, item["id"]
        view = json.dumps(qt.public_view(item, "seed"))
        for key in ("correct", "answer", "rationale", "expected", "match"):
            assert f'"{key}":' not in view, (item["id"], key)
