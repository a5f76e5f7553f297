"""Ordered-response scoring as an item setting: all or nothing (NCLEX) or one point per position."""
import pytest

from course.content import ContentError
from quizzes.bank_loader import load_bank
from quizzes.types import REGISTRY, validate_item
from quizzes.types.base import PartResult, ScoreResult
from quizzes.types.ordering import all_or_nothing
from tests.conftest import launch_as

ORDERING = REGISTRY["ordering"]
STEPS = ["a", "b", "c", "d"]


def item(scoring=None):
    body = {"id": "ord-x", "type": "ordering", "topic": "spasticity", "stem": "Order them.",
            "options": [{"id": s, "text": f"Step {s}", "rationale": f"Why {s}."} for s in STEPS]}
    return body | ({"scoring": scoring} if scoring is not None else {})


WHY_ALL = "1. Step a: Why a.\n2. Step b: Why b.\n3. Step c: Why c.\n4. Step d: Why d."


def whole(points, chosen):
    right = points == 1.0
    return ScoreResult(points, 1.0, (PartResult("order", "Whole order", points, 1.0, right, chosen, STEPS, WHY_ALL),))


@pytest.mark.parametrize(("order", "expected"), [
    (["a", "b", "c", "d"], whole(1.0, ["a", "b", "c", "d"])),
    (["b", "a", "c", "d"], whole(0.0, ["b", "a", "c", "d"])),  # two swapped: nothing, unlike per position
    (["a", "b", "c", None], whole(0.0, ["a", "b", "c", None])),  # one gap: nothing
    (["a", "b", "c", "d", "a"], whole(1.0, ["a", "b", "c", "d"])),  # extra entries are cut
    (["a", "b", "c", "zz"], whole(0.0, ["a", "b", "c", None])),  # unknown ids are blanks
    ([], whole(0.0, [None] * 4)),
])
def test_all_or_nothing_gives_one_point_only_for_the_whole_order(order, expected):
    assert ORDERING.score(item("all_or_nothing"), {"order": order}) == expected
    assert ORDERING.max_points(item("all_or_nothing")) == 1.0


@pytest.mark.parametrize("scoring", ["per_position", None])  # None: an item saved before the setting
@pytest.mark.parametrize(("order", "points", "right"), [
    (["a", "b", "c", "d"], 4.0, [True] * 4),
    (["b", "a", "c", "d"], 2.0, [False, False, True, True]),
    (["d", "c", "b", "a"], 0.0, [False] * 4),
    (["a", None], 1.0, [True, False, False, False]),
    ("junk", 0.0, [False] * 4),
])
def test_per_position_gives_one_point_per_step_in_its_place(scoring, order, points, right):
    result = ORDERING.score(item(scoring), {"order": order})
    assert (result.points, result.max_points) == (points, 4.0)
    assert [p.correct for p in result.parts] == right
    assert [(p.part_id, p.label, p.expected, p.rationale) for p in result.parts] == [
        (f"pos-{n}", f"Position {n}", s, f"Why {s}.") for n, s in enumerate(STEPS, 1)]
    assert ORDERING.max_points(item(scoring)) == 4.0


@pytest.mark.parametrize(("scoring", "expected"), [
    ("all_or_nothing", True), ("per_position", False), (None, False)])
def test_all_or_nothing_reads_the_setting(scoring, expected):
    assert all_or_nothing(item(scoring)) is expected


@pytest.mark.parametrize("scoring", ["all_or_nothing", "per_position"])
def test_both_rules_validate(scoring):
    validate_item(item(scoring), "bank/x.yaml")
    validate_item(item(), "bank/x.yaml")


@pytest.mark.parametrize("bad", ["ALL_OR_NOTHING", "partial", "", 1, False, ["all_or_nothing"]])
def test_an_unknown_rule_is_refused_by_name(bad):
    with pytest.raises(ContentError) as err:
        validate_item(item() | {"scoring": bad}, "bank/x.yaml")
    assert str(err.value) == f"bank/x.yaml: scoring: {bad!r} is not one of per_position, all_or_nothing"


def test_none_is_refused_rather_than_read_as_per_position():
    with pytest.raises(ContentError, match="scoring: None is not one of"):
        validate_item(item() | {"scoring": None}, "bank/x.yaml")


def test_the_editor_offers_both_rules_and_starts_new_items_at_all_or_nothing():
    (scalar,) = ORDERING.form.scalars
    assert (scalar.name, scalar.kind, scalar.required) == ("scoring", "choice", True)
    assert [value for value, _label in scalar.choices] == ["all_or_nothing", "per_position"]
    assert "NCLEX" in scalar.help


def test_the_new_ordering_editor_page_shows_all_or_nothing_first(client, platform):
    cid = launch_as(client, platform, "instructor", user="teacher-1", context="course-1")
    html = client.get(f"/c/{cid}/quizzes/instructor/questions/new/ordering").get_data(as_text=True)
    select = html[html.index('name="scoring"'):]
    select = select[:select.index("</select>")]
    assert select.index('value="all_or_nothing"') < select.index('value="per_position"')
    assert "selected" not in select  # nothing preselected: the browser shows the first, all or nothing


def test_every_shipped_ordering_item_is_all_or_nothing_as_nclex_scores_it():
    shipped = [i for i in load_bank().items.values() if i["type"] == "ordering"]
    assert len(shipped) >= 2
    assert {i["id"]: i.get("scoring") for i in shipped} == {i["id"]: "all_or_nothing" for i in shipped}
