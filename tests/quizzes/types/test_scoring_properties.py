"""Property-based checks: scores stay in bounds, parsing never raises, views never leak the key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.types import REGISTRY, ContentError, ParseResult
from tests.quizzes.fixtures import load_items, schema_items

ALL_ITEMS = list(load_items().values()) + schema_items()
IDS = [item["id"] for item in ALL_ITEMS]
FORBIDDEN_KEYS = {"correct", "answer", "rationale", "expected", "match"}
ZONES = ["action-1", "action-2", "condition", "parameter-1", "parameter-2"]
PLUS_MINUS = {"sata", "highlight"}
FIELD_STEMS = ["opt", "value", "pair-", "pos-", "row-", "blank-", "target-", "zone-", "text", "unit"]
# Types whose answer is typed text, not ids picked from the item.
TYPED = {"numeric", "short_answer", "essay"}

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ids_in(obj: Any) -> list[str]:
    """Every string an item uses as an id or answer, found by walking it."""
    found: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("id", "answer", "match") and isinstance(value, str):
                found.append(value)
            found.extend(ids_in(value))
    elif isinstance(obj, list):
        for value in obj:
            found.extend(ids_in(value))
    return found


def item_vocabulary(item: dict[str, Any]) -> list[str]:
    """Ids worth generating for an item: its own, zone names, response keys and a few fakes."""
    return sorted(set(ids_in(item))) + ZONES + ["selected", "value", "order", "true", "false", "zzz"]


def junk(vocab: list[str]) -> st.SearchStrategy[Any]:
    """Arbitrary JSON-ish values mixing real ids with wrong types."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                     st.text(max_size=8), st.sampled_from(vocab))
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=6)
                        | st.dictionaries(st.sampled_from(vocab), inner, max_size=4), max_leaves=5)


def responses(item: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Stored responses: mostly mappings keyed by real ids, sometimes not mappings at all."""
    vocab = item_vocabulary(item)
    keys = st.one_of(st.sampled_from(vocab), st.text(max_size=6))
    return st.one_of(st.dictionaries(keys, junk(vocab), max_size=6), junk(vocab))


def forms(item: dict[str, Any], prefix: str) -> st.SearchStrategy[Any]:
    """Posted forms with plausible and junk field names and values of any shape."""
    vocab = item_vocabulary(item)
    names = st.one_of(
        st.builds(lambda stem, ident: f"{prefix}{stem}{ident}", st.sampled_from(FIELD_STEMS),
                  st.sampled_from(vocab + ["1", "2", "3", ""])),
        st.text(max_size=10),
    )
    values = st.one_of(
        st.lists(st.one_of(st.sampled_from(vocab), st.text(max_size=6), st.integers(), st.none()),
                 max_size=6),
        st.sampled_from(vocab), st.integers(), st.none())
    return st.dictionaries(names, values, max_size=10)


@pytest.mark.parametrize("item", ALL_ITEMS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_any_response_scores_within_bounds(item: dict[str, Any], data: st.DataObject) -> None:
    qt = REGISTRY[item["type"]]
    result = qt.score(item, data.draw(responses(item)))
    assert 0 <= result.points <= result.max_points == qt.max_points(item)
    assert result.max_points == sum(p.max_points for p in result.parts)
    assert all(p.points <= p.max_points for p in result.parts)
    if item["type"] not in PLUS_MINUS:
        assert all(p.points >= 0 for p in result.parts)


@pytest.mark.parametrize("item", ALL_ITEMS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_parse_never_raises_and_gives_scoreable_json(item: dict[str, Any], data: st.DataObject) -> None:
    qt = REGISTRY[item["type"]]
    parsed = qt.parse(item, data.draw(forms(item, "p-")), "p-")
    assert isinstance(parsed, ParseResult)
    assert all(isinstance(p, str) and p for p in parsed.problems)
    assert json.loads(json.dumps(parsed.response)) == parsed.response
    known = set(ids_in(item)) | {True, False, None}
    leaves = [v for value in parsed.response.values() for v in (value if isinstance(value, list) else [value])]
    if item["type"] in TYPED:
        assert all(isinstance(v, str) for v in leaves), "a typed answer is stored as text"
    else:
        assert all(v in known for v in leaves), "parse let an unknown id through"
    result = qt.score(item, parsed.response)
    assert 0 <= result.points <= result.max_points


@pytest.mark.parametrize("item", [i for i in ALL_ITEMS if i["type"] in PLUS_MINUS], ids=lambda i: i["id"])
@SETTINGS
@given(data=st.data())
def test_plus_minus_matches_the_ncsbn_formula(item: dict[str, Any], data: st.DataObject) -> None:
    options = item["options"] if item["type"] == "sata" else [s for s in item["passage"] if isinstance(s, dict)]
    chosen = data.draw(st.lists(st.sampled_from([o["id"] for o in options]), unique=True))
    right = sum(1 for o in options if o["id"] in chosen and o.get("correct"))
    wrong = len(chosen) - right
    assert REGISTRY[item["type"]].score(item, {"selected": chosen}).points == max(0, right - wrong)


@pytest.mark.parametrize("item", [i for i in ALL_ITEMS if i["type"] == "matrix_mr"], ids=lambda i: i["id"])
@SETTINGS
@given(data=st.data())
def test_matrix_mr_floors_each_column(item: dict[str, Any], data: st.DataObject) -> None:
    cols = [c["id"] for c in item["columns"]]
    ticks = {r["id"]: data.draw(st.lists(st.sampled_from(cols), unique=True)) for r in item["rows"]}
    expected = 0
    for col in cols:
        raw = sum((1 if col in r["answer"] else -1) for r in item["rows"] if col in ticks[r["id"]])
        expected += max(0, raw)
    assert REGISTRY["matrix_mr"].score(item, ticks).points == expected


@pytest.mark.parametrize("item", [i for i in ALL_ITEMS if i["type"].endswith("_rationale")], ids=lambda i: i["id"])
@SETTINGS
@given(data=st.data())
def test_rationale_groups_need_every_slot(item: dict[str, Any], data: st.DataObject) -> None:
    key = "blanks" if item["type"] == "dropdown_rationale" else "targets"
    slots = {s["id"]: s for s in item[key]}
    pool = [o["id"] for o in item.get("tokens", [])]
    chosen = {
        sid: data.draw(st.sampled_from(pool or [o["id"] for o in s["options"]]))
        for sid, s in slots.items()
    }
    expected = sum(all(chosen[sid] == slots[sid]["answer"] for sid in group) for group in item["groups"])
    assert REGISTRY[item["type"]].score(item, chosen).points == expected


def walk_keys(obj: Any) -> set[str]:
    """Every mapping key anywhere in a nested structure."""
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in walk_keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in walk_keys(v)}
    return set()


def walk_strings(obj: Any) -> set[str]:
    """Every string value anywhere in a nested structure."""
    if isinstance(obj, dict):
        return {s for v in obj.values() for s in walk_strings(v)}
    if isinstance(obj, list):
        return {s for v in obj for s in walk_strings(v)}
    return {obj} if isinstance(obj, str) else set()


@pytest.mark.parametrize("item", ALL_ITEMS, ids=IDS)
@SETTINGS
@given(seed=st.text(max_size=20))
def test_public_view_hides_the_key(item: dict[str, Any], seed: str) -> None:
    qt = REGISTRY[item["type"]]
    view = qt.public_view(item, seed)
    # An empty view hides the key too: insist it shows the item (tests/quizzes/types/test_types_views.py
    # checks every field of every type).
    assert view and (view["id"], view["type"], view["stem"]) == (item["id"], item["type"], item["stem"])
    assert not walk_keys(view) & FORBIDDEN_KEYS
    rationales = {v["rationale"] for v in _dicts(item) if "rationale" in v}
    assert not walk_strings(view) & rationales
    assert json.loads(json.dumps(view)) == view
    assert view == qt.public_view(item, seed), "same seed must give the same view"
    if item["type"] == "ordering":
        shown = [o["text"] for o in view["options"]]
        assert shown != [o["text"] for o in item["options"]], "ordering shown already solved"
        assert sorted(shown) == sorted(o["text"] for o in item["options"])


def _dicts(obj: Any) -> list[dict[str, Any]]:
    """Every mapping in a nested structure, the outer one included."""
    if isinstance(obj, dict):
        return [obj] + [d for v in obj.values() for d in _dicts(v)]
    if isinstance(obj, list):
        return [d for v in obj for d in _dicts(v)]
    return []


def test_shuffle_depends_on_the_seed_and_can_be_turned_off() -> None:
    item = load_items()["fx-sata"]
    orders = {tuple(o["id"] for o in REGISTRY["sata"].public_view(item, f"seed-{n}")["options"]) for n in range(20)}
    assert len(orders) > 1
    fixed = dict(item, shuffle=False)
    assert [o["id"] for o in REGISTRY["sata"].public_view(fixed, "seed-3")["options"]] == [
        o["id"] for o in item["options"]]


def _slots(obj: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) pair inside a nested structure."""
    pairs: list[tuple[Any, Any]] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            pairs.append((obj, key))
            pairs.extend(_slots(value))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            pairs.append((obj, index))
            pairs.extend(_slots(value))
    return pairs


@pytest.mark.parametrize("item", ALL_ITEMS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_validate_raises_only_content_errors_on_damaged_items(item: dict[str, Any], data: st.DataObject) -> None:
    damaged = json.loads(json.dumps(item))
    container, key = data.draw(st.sampled_from(_slots(damaged)))
    if data.draw(st.booleans()) and isinstance(container, dict):
        del container[key]
    else:
        container[key] = data.draw(junk(item_vocabulary(item)))
    try:
        REGISTRY[item["type"]].validate(damaged, "damaged")
    except ContentError as exc:
        assert str(exc).startswith("damaged")
    else:
        # Some damage is harmless (an optional field dropped), but not the loss of a field every
        # item needs: a validator that never raises fails here. Every guard has its own damaged
        # item in tests/quizzes/types/test_types_validation.py.
        assert not (container is damaged and key in ("id", "type", "topic", "stem") and key not in damaged), key
