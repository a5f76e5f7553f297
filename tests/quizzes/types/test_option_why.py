"""Each option's own rationale (quizzes/types/option_why.py): picked distractors and tutor mode's every option."""

from __future__ import annotations

from typing import Any

import pytest

from quizzes.types import REGISTRY
from quizzes.types.option_why import (
    OptionWhy,
    SlotWhys,
    bowtie_whys,
    matrix_whys,
    own_rationale,
    part_whys,
    picked_whys,
    slot_whys,
)

CLOZE: dict[str, Any] = {
    "id": "w-cloze", "type": "dropdown_cloze", "topic": "weakness", "stem": "Fill.",
    "text": "A [[b1]] and [[b2]].",
    "blanks": [
        {"id": "b1", "answer": "o1", "rationale": "Blank one is o1.",
         "options": [{"id": "o1", "text": "one"}, {"id": "o2", "text": "two", "rationale": " Two is wrong here. "},
                     {"id": "o3", "text": "three"}]},
        {"id": "b2", "answer": "o2", "rationale": "Blank two is o2.",
         "options": [{"id": "o1", "text": "uno", "rationale": "Uno is not it."}, {"id": "o2", "text": "dos"}]},
    ],
}
TABLE: dict[str, Any] = {
    "id": "w-table", "type": "dropdown_table", "topic": "weakness", "stem": "Rows.",
    "options": [{"id": "m1", "text": "Meaning 1", "rationale": "M1 means one."},
                {"id": "m2", "text": "Meaning 2"}],
    "rows": [{"id": "r1", "text": "Finding 1", "answer": "m1", "rationale": "Finding 1 means m1."},
             {"id": "r2", "text": "Finding 2", "answer": "m2", "rationale": "Finding 2 means m2."}],
}
DRAG: dict[str, Any] = {
    "id": "w-drag", "type": "dragdrop_cloze", "topic": "atrophy", "stem": "Drag.",
    "text": "[[t1]] then [[t2]].",
    "tokens": [{"id": "k1", "text": "alpha"}, {"id": "k2", "text": "beta"},
               {"id": "k3", "text": "gamma", "rationale": "Gamma belongs nowhere."}],
    "targets": [{"id": "t1", "answer": "k1", "rationale": "Gap 1 is alpha."},
                {"id": "t2", "answer": "k2", "rationale": "Gap 2 is beta."}],
}
MATCH: dict[str, Any] = {
    "id": "w-match", "type": "matching", "topic": "atrophy", "stem": "Match.",
    "prompts": [{"id": "p1", "text": "Prompt 1", "match": "t1", "rationale": "p1 goes with t1."},
                {"id": "p2", "text": "Prompt 2", "match": "t2", "rationale": "p2 goes with t2."}],
    "targets": [{"id": "t1", "text": "Target 1"}, {"id": "t2", "text": "Target 2"},
                {"id": "t3", "text": "Target 3", "rationale": "T3 matches no prompt."}],
}
DYAD: dict[str, Any] = {
    "id": "w-dyad", "type": "dropdown_rationale", "topic": "spasticity", "stem": "Dyad.",
    "text": "Do [[b1]] because [[b2]].", "groups": [["b1", "b2"]],
    "blanks": [{"id": "b1", "answer": "o1", "rationale": "Action o1.",
                "options": [{"id": "o1", "text": "this"}, {"id": "o2", "text": "that", "rationale": "That waits."}]},
               {"id": "b2", "answer": "o2", "rationale": "Reason o2.",
                "options": [{"id": "o1", "text": "reason one", "rationale": "Reason one is false."},
                            {"id": "o2", "text": "reason two"}]}],
}
BOWTIE: dict[str, Any] = {
    "id": "w-bowtie", "type": "bowtie", "topic": "spasticity", "stem": "Bow.",
    "actions": [{"id": "a1", "text": "Action 1", "correct": True, "rationale": "Do this."},
                {"id": "a2", "text": "Action 2", "correct": True, "rationale": "Do this too."},
                {"id": "a3", "text": "Action 3", "rationale": "Not this."}],
    "condition": [{"id": "c1", "text": "Condition 1", "correct": True, "rationale": "This is it."},
                  {"id": "c2", "text": "Condition 2", "rationale": "Not this one."}],
    "parameters": [{"id": "p1", "text": "Parameter 1", "correct": True, "rationale": "Watch this."},
                   {"id": "p2", "text": "Parameter 2", "correct": True, "rationale": "Watch this too."},
                   {"id": "p3", "text": "Parameter 3", "rationale": "Not useful."}],
}


def test_the_sample_items_are_valid() -> None:
    for item in (CLOZE, TABLE, DRAG, MATCH, DYAD, BOWTIE):
        REGISTRY[item["type"]].validate(item, item["id"])


@pytest.mark.parametrize(("item", "slot", "option", "expected"), [
    (CLOZE, 0, 1, "Two is wrong here."),      # its own, stripped
    (CLOZE, 0, 0, "Blank one is o1."),         # the answer: the slot explains it
    (CLOZE, 0, 2, ""),                          # none of its own, and no slot takes it
    (CLOZE, 1, 0, "Uno is not it."),
    (TABLE, 1, 0, "M1 means one."),
    (TABLE, 0, 1, "Finding 2 means m2."),     # another row's answer: that row explains it
    (DRAG, 0, 1, "Gap 2 is beta."),
    (DRAG, 1, 2, "Gamma belongs nowhere."),
    (MATCH, 0, 1, "p2 goes with t2."),
    (MATCH, 1, 2, "T3 matches no prompt."),
])
def test_own_rationale(item: dict[str, Any], slot: int, option: int, expected: str) -> None:
    key = {"dropdown_cloze": "blanks", "dropdown_table": "rows", "dragdrop_cloze": "targets",
           "matching": "prompts"}[item["type"]]
    entry = item[key][slot]
    pool = {"dropdown_table": item.get("options"), "dragdrop_cloze": item.get("tokens"),
            "matching": item.get("targets")}.get(item["type"]) or entry["options"]
    assert own_rationale(item, entry, pool[option]) == expected


def test_a_blank_own_rationale_falls_back_to_the_slot() -> None:
    blank = {**CLOZE["blanks"][0]}
    blank["options"] = [{"id": "o1", "text": "one", "rationale": "   "}]
    assert own_rationale(CLOZE, blank, blank["options"][0]) == "Blank one is o1."
    assert own_rationale(CLOZE, blank, {"id": "o9", "text": "x", "rationale": 7}) == ""


def test_a_missing_slot_rationale_gives_an_empty_string() -> None:
    item = {**CLOZE, "blanks": [{**CLOZE["blanks"][0], "rationale": None}]}
    assert own_rationale(item, item["blanks"][0], item["blanks"][0]["options"][0]) == ""


def test_slot_whys_lists_every_option_with_key_and_pick() -> None:
    assert slot_whys(CLOZE, "b1", "o2") == SlotWhys("b1", "Blank 1", (
        OptionWhy("o1", "one", "Blank one is o1.", True, False),
        OptionWhy("o2", "two", "Two is wrong here.", False, True),
        OptionWhy("o3", "three", "", False, False)))
    assert slot_whys(CLOZE, "b2", None) == SlotWhys("b2", "Blank 2", (
        OptionWhy("o1", "uno", "Uno is not it.", False, False),
        OptionWhy("o2", "dos", "Blank two is o2.", True, False)))


@pytest.mark.parametrize(("item", "slot", "label", "texts"), [
    (TABLE, "r2", "Finding 2", ["Meaning 1", "Meaning 2"]),
    (DRAG, "t2", "Gap 2", ["alpha", "beta", "gamma"]),
    (MATCH, "p1", "Prompt 1", ["Target 1", "Target 2", "Target 3"]),
])
def test_slot_whys_names_the_slot_and_offers_its_pool(item: dict[str, Any], slot: str, label: str,
                                                       texts: list[str]) -> None:
    found = slot_whys(item, slot, None)
    assert found is not None and found.label == label and found.id == slot
    assert [o.text for o in found.options] == texts
    assert [o.key for o in found.options].count(True) == 1


def test_slot_whys_for_other_types_and_unknown_slots() -> None:
    assert slot_whys(BOWTIE, "a1", "a1") is None
    assert slot_whys(CLOZE, "nope", "o1") is None


def test_part_whys_for_a_slot_and_for_a_group() -> None:
    assert [s.id for s in part_whys(CLOZE, "b2", "o1")] == ["b2"]
    assert part_whys(CLOZE, "ghost", "o1") == []
    group = part_whys(DYAD, "group-1", {"b1": "o2", "b2": "o2"})
    assert [s.id for s in group] == ["b1", "b2"]
    assert [o.id for o in group[0].options if o.picked] == ["o2"]
    assert [o.id for o in group[1].options if o.picked] == ["o2"]


@pytest.mark.parametrize(("item", "part", "chosen", "expected"), [
    (CLOZE, "b1", "o2", [("two", "Two is wrong here.")]),
    (CLOZE, "b1", "o1", []),                 # right: the part's own rationale says why
    (CLOZE, "b1", "o3", []),                 # a wrong pick with no rationale anywhere
    (CLOZE, "b1", None, []),
    (TABLE, "r1", "m2", [("Meaning 2", "Finding 2 means m2.")]),
    (DRAG, "t1", "k3", [("gamma", "Gamma belongs nowhere.")]),
    (MATCH, "p2", "t3", [("Target 3", "T3 matches no prompt.")]),
    (DYAD, "group-1", {"b1": "o2", "b2": "o1"}, [("that", "That waits."), ("reason one", "Reason one is false.")]),
    (DYAD, "group-1", {"b1": "o1", "b2": "o1"}, [("reason one", "Reason one is false.")]),
    (BOWTIE, "condition", "c2", []),          # bow-tie parts carry the picked option's rationale already
])
def test_picked_whys(item: dict[str, Any], part: str, chosen: Any, expected: list[tuple[str, str]]) -> None:
    assert picked_whys(item, part, chosen) == expected


def test_bowtie_whys_lists_every_pool() -> None:
    pools = bowtie_whys(BOWTIE, ["a3", "c1"])
    assert [(p.id, p.label) for p in pools] == [("condition", "Condition"), ("actions", "Actions to take"),
                                                ("parameters", "Parameters to monitor")]
    assert pools[0].options == (OptionWhy("c1", "Condition 1", "This is it.", True, True),
                                OptionWhy("c2", "Condition 2", "Not this one.", False, False))
    assert pools[1].options[2] == OptionWhy("a3", "Action 3", "Not this.", False, True)
    assert [o.key for o in pools[2].options] == [True, True, False]
    assert not any(o.picked for o in pools[2].options)
    assert bowtie_whys(CLOZE, ["o1"]) == []


def test_matrix_whys_lists_every_row_with_its_rationale() -> None:
    item = {"type": "matrix_mr", "rows": [
        {"id": "r1", "text": "Baclofen", "answer": ["a"], "rationale": " Never stop it abruptly. "},
        {"id": "r2", "text": "Gabapentin", "answer": []}]}
    [rows] = matrix_whys(item)
    assert (rows.id, rows.label) == ("rows", "each row")
    assert rows.options == (OptionWhy("r1", "Baclofen", "Never stop it abruptly.", False, False),
                            OptionWhy("r2", "Gabapentin", "", False, False))
    assert matrix_whys({"type": "matrix_mc", "rows": item["rows"]}) == []
