"""Every public view: what it shows (all of it, in a stable order) and what it hides (the key)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from quizzes.types import REGISTRY
from tests.quizzes.fixtures import load_items

ITEMS = load_items()
# The views of the fixture items for three seeds, reviewed by hand when written. An
# attempt's seed is stored, so a view must not change between releases: a learner who reloads a
# page mid-attempt after a deploy must see the options where they left them.
GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "public_views.json").read_text(encoding="utf-8"))
HIDDEN_KEYS = {"correct", "answer", "rationale", "match", "expected", "groups", "select_correct"}


def view(item_id: str, seed: str = "attempt-7", **changes: Any) -> dict[str, Any]:
    """The public view of a fixture item, optionally with some fields changed."""
    item = copy.deepcopy(ITEMS[item_id]) | changes
    return REGISTRY[item["type"]].public_view(item, seed)


def keys_in(obj: Any) -> set[str]:
    """Every mapping key in a nested structure."""
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in keys_in(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in keys_in(v)}
    return set()


def strings_in(obj: Any) -> set[str]:
    """Every string value in a nested structure."""
    if isinstance(obj, str):
        return {obj}
    if isinstance(obj, dict):
        return {s for v in obj.values() for s in strings_in(v)}
    if isinstance(obj, list):
        return {s for v in obj for s in strings_in(v)}
    return set()


def test_every_fixture_has_a_golden_view() -> None:
    assert set(GOLDEN) == set(ITEMS)
    assert {ITEMS[i]["type"] for i in GOLDEN} == set(REGISTRY)


@pytest.mark.parametrize("item_id", sorted(ITEMS))
def test_public_view_shows_exactly_the_golden_view(item_id: str) -> None:
    for seed, golden in GOLDEN[item_id].items():
        assert view(item_id, seed) == golden, seed
    shown = view(item_id)
    assert shown, "an empty view hides the key but shows nothing"
    assert (shown["id"], shown["type"], shown["stem"]) == (item_id, ITEMS[item_id]["type"], ITEMS[item_id]["stem"])


@pytest.mark.parametrize("item_id", sorted(ITEMS))
def test_public_view_hides_every_answer_and_rationale(item_id: str) -> None:
    shown = view(item_id)
    assert shown and not keys_in(shown) & HIDDEN_KEYS
    rationales = set(_rationales(ITEMS[item_id]))
    assert rationales and not strings_in(shown) & rationales


def _rationales(obj: Any) -> list[str]:
    """Every rationale text in an item."""
    if isinstance(obj, dict):
        return ([obj["rationale"]] if "rationale" in obj else []) + [r for v in obj.values() for r in _rationales(v)]
    if isinstance(obj, list):
        return [r for v in obj for r in _rationales(v)]
    return []


@pytest.mark.parametrize("item_id", ["fx-mcq", "fx-sata", "fx-select2", "fx-matching", "fx-matrix-mc",
                                     "fx-ddtable", "fx-bowtie"])
def test_shuffle_false_keeps_the_authored_order(item_id: str) -> None:
    shown = view(item_id, shuffle=False)
    item = ITEMS[item_id]
    for key in ("options", "prompts", "targets", "rows", "actions", "condition", "parameters"):
        if key in shown and key in item:
            assert [e["id"] for e in shown[key]] == [e["id"] for e in item[key]], key


def test_select_n_view_says_how_many_to_pick() -> None:
    assert view("fx-select2")["select"] == 2
    assert view("fx-select2", select=3)["select"] == 3


def test_true_false_view_offers_the_two_fixed_choices_only() -> None:
    assert view("fx-tf")["options"] == [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}]
    assert view("fx-tf", answer=True) == view("fx-tf", answer=False)


def test_dragdrop_view_says_whether_tokens_are_reusable() -> None:
    assert view("fx-dragcloze")["reuse_tokens"] is False
    assert view("fx-dragcloze", reuse_tokens=True)["reuse_tokens"] is True
    assert view("fx-dragrationale-triad", reuse_tokens=True)["reuse_tokens"] is True
    assert view("fx-dragcloze", reuse_tokens="yes")["reuse_tokens"] is False  # only a real true counts


def test_dragdrop_tokens_are_shuffled_even_without_shuffle() -> None:
    orders = {tuple(t["id"] for t in view("fx-dragcloze", seed=f"s{n}", shuffle=False)["tokens"]) for n in range(12)}
    assert len(orders) > 1


def test_dropdown_table_headers_default_to_blank() -> None:
    item = copy.deepcopy(ITEMS["fx-ddtable"])
    del item["headers"]
    assert REGISTRY["dropdown_table"].public_view(item, "s")["headers"] == ["", ""]


def test_cloze_text_after_the_last_blank_is_kept_and_none_is_invented() -> None:
    shown = view("fx-ddcloze", text="[[b1]] and [[b2]]")
    assert [s["kind"] for s in shown["segments"]] == ["blank", "text", "blank"]
    assert shown["segments"][1] == {"kind": "text", "text": " and "}


def test_ordering_view_uses_opaque_ids_and_counts_positions() -> None:
    shown = view("fx-ordering")
    assert shown["positions"] == 4
    assert not {o["id"] for o in shown["options"]} & {"a", "b", "c", "d"}
    assert sorted(o["text"] for o in shown["options"]) == sorted(o["text"] for o in ITEMS["fx-ordering"]["options"])


@pytest.mark.parametrize("seed", [f"seed-{n}" for n in range(30)])
def test_ordering_view_is_never_already_solved(seed: str) -> None:
    for item_id in ("fx-ordering", "fx-ordering-aon"):
        shown = [o["text"] for o in view(item_id, seed=seed)["options"]]
        assert shown != [o["text"] for o in ITEMS[item_id]["options"]]
