"""The review's per-part rows carry a wrong pick's own rationale, and in tutor mode every option's."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from quizzes.taking.pages import review_view
from quizzes.types import REGISTRY
from tests.quizzes.types.test_option_why import BOWTIE, DYAD, TABLE


def _review(item: dict[str, Any], response: dict[str, Any], **flags: bool) -> dict[str, Any]:
    """review_view of a scored response."""
    result = REGISTRY[item["type"]].score(item, response)
    show = {"show_correctness": True, "show_rationales": True} | flags
    return review_view(item, 1, [asdict(p) for p in result.parts], result.points, result.max_points,
                       show.pop("show_correctness"), show.pop("show_rationales"), **show)


def test_a_wrong_pick_shows_its_own_rationale() -> None:
    review = _review(TABLE, {"r1": "m2", "r2": "m2"})
    assert review["parts"][0]["picked_why"] == [("Meaning 2", "Finding 2 means m2.")]
    assert review["parts"][1]["picked_why"] == []  # right: its own rationale says why
    assert review["parts"][0]["whys"] == [] and review["pools"] == []  # exam mode


def test_no_rationales_setting_hides_the_pick_too() -> None:
    review = _review(TABLE, {"r1": "m2"}, show_rationales=False)
    assert review["parts"][0]["picked_why"] == [] and review["parts"][0]["rationale"] is None
    assert _review(TABLE, {"r1": "m2"}, show_rationales=False, every_option=True)["parts"][0]["whys"] == []
    assert _review(TABLE, {"r1": "m2"}, show_correctness=False)["parts"] == []


def test_tutor_mode_lists_every_option_of_every_slot_and_pool() -> None:
    review = _review(DYAD, {"b1": "o2", "b2": "o2"}, every_option=True)
    [part] = review["parts"]
    assert [s.id for s in part["whys"]] == ["b1", "b2"]
    assert part["picked_why"] == [("that", "That waits.")]
    bow = _review(BOWTIE, {"condition": "c2", "action-1": "a1"}, every_option=True)
    assert [p.id for p in bow["pools"]] == ["condition", "actions", "parameters"]
    assert [o.id for o in bow["pools"][0].options if o.picked] == ["c2"]
    assert _review(BOWTIE, {}, every_option=True, show_correctness=False)["pools"] == []
