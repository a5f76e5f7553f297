"""Every registry entry is complete: form, template, GIFT, QTI and Moodle XML support, statistics hooks, rules."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from quizzes.authoring.form_convert import form_to_item, item_to_data
from quizzes.interchange import gift_export, moodle_write, qti
from quizzes.types import REGISTRY
from quizzes.types.base import (
    WRITTEN,
    Exchange,
    ParseResult,
    QuestionType,
    ScoreResult,
    Stats,
    cannot,
)
from quizzes.types.form_spec import TypeForm
from tests.quizzes.fixtures import load_items

TEMPLATES = Path(__file__).resolve().parents[3] / "quizzes" / "templates"
ITEMS = load_items()
# The interchange formats: the type's entry for it and the format module's writers.
FORMATS: tuple[tuple[str, Callable[[QuestionType], Any], Mapping[str, Any]], ...] = (
    ("GIFT", lambda qt: qt.gift, gift_export.WRITERS),
    ("QTI", lambda qt: qt.qti, qti.WRITERS),
    ("Moodle XML", lambda qt: qt.moodle, moodle_write.WRITERS),
)


def samples(qt: QuestionType) -> list[dict[str, Any]]:
    """The fixture items of a type (tests/quizzes/fixtures/items.yaml)."""
    return [item for item in ITEMS.values() if item["type"] == qt.name]


def shape_problems(qt: QuestionType) -> list[str]:
    """What the entry lacks: form spec, template, an answer for each format, statistics hooks."""
    found = []
    if not isinstance(qt.form, TypeForm) or qt.form.name != qt.name:
        found.append("no form spec of its own")
    elif not qt.form.scalars and not qt.form.rows:
        found.append("the form spec has no field")
    if not (TEMPLATES / qt.template).is_file():
        found.append(f"no template {qt.template}")
    for fmt, entry, writers in FORMATS:
        support = entry(qt)
        if not isinstance(support, Exchange):
            found.append(f"no {fmt} entry")
        elif support.written != (qt.name in writers):
            found.append(f"{fmt} entry says written={support.written} but the writer is "
                         + ("there" if qt.name in writers else "missing"))
        elif not support.written and not support.reason.strip():
            found.append(f"{fmt}: no writer and no reason")
    if isinstance(qt.qti, Exchange) and qt.qti.written and qt.name not in qti.CANVAS_TYPES:
        found.append("QTI writer without a Canvas question type")
    if not isinstance(qt.stats, Stats) or not all(
            callable(getattr(qt.stats, f.name)) for f in dataclasses.fields(Stats)):
        found.append("no statistics hooks")
    return found


def behaviour_problems(qt: QuestionType, items: Sequence[Mapping[str, Any]]) -> list[str]:
    """What goes wrong on the type's sample items: rules, view, parse, score, stats, editor round trip."""
    if not items:
        return ["no sample item"]
    found: list[str] = []
    round_trips = False
    for item in items:
        try:
            qt.validate(item, "sample")
            view = qt.public_view(item, "seed")
            json.dumps(view)  # the page embeds it
            parsed = qt.parse(item, {}, "q-")
            result = qt.score(item, parsed.response)
            guess = qt.stats.guess(item)
            counted = qt.stats.counted(item, parsed.response)
            labels = [qt.stats.part_label(item, key) for key in counted]
            data = form_to_item(qt.name, item_to_data(qt.form, item))
        except Exception as err:  # any failure is a finding, not a crash of the check
            found.append(f"{item['id']}: {type(err).__name__}: {err}")
            continue
        if (view.get("id"), view.get("type")) != (item["id"], qt.name):
            found.append(f"{item['id']}: the public view does not name the item")
        if not isinstance(parsed, ParseResult) or not isinstance(result, ScoreResult):
            found.append(f"{item['id']}: parse or score returns the wrong shape")
        elif not (result.points == 0 < result.max_points == qt.max_points(item)):
            found.append(f"{item['id']}: an empty answer scores {result.points}/{result.max_points}")
        if guess is not None and not 0 < guess < 1:
            found.append(f"{item['id']}: a blind guess earns {guess}")
        if not isinstance(counted, Mapping) or not all(x is None or isinstance(x, str) for x in labels):
            found.append(f"{item['id']}: statistics hooks return the wrong shape")
        round_trips |= data.ok and qt.max_points(data.item) == qt.max_points(item)
    if not round_trips:
        found.append("no sample survives the editor's form round trip")
    return found


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registry_entry_is_complete(name: str) -> None:
    qt = REGISTRY[name]
    assert shape_problems(qt) + behaviour_problems(qt, samples(qt)) == []


def test_an_incomplete_entry_is_reported_part_by_part() -> None:
    mcq = REGISTRY["mcq"]
    broken = dataclasses.replace(mcq, name="mcq_copy", form=mcq.form, gift=cannot(" "), qti=WRITTEN,
                                 stats=None, moodle=Exchange())  # type: ignore[arg-type]
    assert shape_problems(broken) == [
        "no form spec of its own",
        "no template quizzes/items/mcq_copy.html",
        "GIFT: no writer and no reason",
        "QTI entry says written=True but the writer is missing",
        "Moodle XML: no writer and no reason",
        "QTI writer without a Canvas question type",
        "no statistics hooks",
    ]
    assert behaviour_problems(broken, []) == ["no sample item"]


def test_an_entry_that_claims_no_writer_while_one_exists_is_reported() -> None:
    mcq = REGISTRY["mcq"]
    assert shape_problems(dataclasses.replace(mcq, gift=cannot("GIFT has none"))) == [
        "GIFT entry says written=False but the writer is there"]
    assert shape_problems(dataclasses.replace(mcq, moodle=cannot("none"))) == [
        "Moodle XML entry says written=False but the writer is there"]


def test_broken_rules_are_reported_on_the_sample() -> None:
    mcq = REGISTRY["mcq"]

    def scores_a_blank(item: Mapping[str, Any], response: Any) -> ScoreResult:
        return ScoreResult(1.0, 1.0, ())

    def bad_view(item: Mapping[str, Any], seed: str) -> dict[str, Any]:
        return {"id": item["id"], "type": "sata", "stem": object()}

    found = behaviour_problems(dataclasses.replace(mcq, score=scores_a_blank), samples(mcq))
    assert found == ["fx-mcq: an empty answer scores 1.0/1.0"]
    found = behaviour_problems(dataclasses.replace(mcq, public_view=bad_view), samples(mcq))
    assert found == ["fx-mcq: TypeError: Object of type object is not JSON serializable",
                     "no sample survives the editor's form round trip"]


def test_statistics_hooks_give_each_type_its_own_answer() -> None:
    mcq, tf, sata = (ITEMS[i] for i in ("fx-mcq", "fx-tf", "fx-sata"))
    assert REGISTRY["mcq"].stats.guess(mcq) == 1 / len(mcq["options"])
    assert REGISTRY["true_false"].stats.guess(tf) == 0.5
    assert REGISTRY["sata"].stats.guess(sata) is None
    stored = {"selected": ["a"]}
    assert REGISTRY["sata"].stats.counted(sata, stored) is stored
    assert REGISTRY["sata"].stats.part_label(sata, "selected") is None


def test_ordering_is_counted_and_named_per_position() -> None:
    ordering, item = REGISTRY["ordering"].stats, ITEMS["fx-ordering"]
    assert ordering.counted(item, {"order": ["s2", "s1"]}) == {"position 1": "s2", "position 2": "s1"}
    assert ordering.counted(item, {"order": None}) == {}
    assert ordering.part_label(item, "position 2") == "Position 2"
    assert ordering.part_label(item, "s1") is None


def test_bowtie_names_its_zones() -> None:
    bowtie, item = REGISTRY["bowtie"].stats, ITEMS["fx-bowtie"]
    assert [bowtie.part_label(item, z) for z in ("action-2", "condition", "parameter-1", "a1")] == [
        "Action to take 2", "Condition most likely", "Parameter to monitor 1", None]
