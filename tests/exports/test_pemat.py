"""PEMAT-P scoring: every item 1-26 rated, N/A only where the print form allows it, 80% gate."""

from __future__ import annotations

from typing import Any

import pytest

from exports.content import get_handout, load_handouts
from exports.pemat import PematError, parse_ratings, score


def record(**changes: str) -> dict[int, str]:
    """A full PEMAT-P record (all agree, AV items n/a) with items changed as item_N='...'."""
    ratings: dict[int, str] = {n: "agree: fine" for n in range(1, 27)}
    ratings[13] = ratings[14] = "n/a: audiovisual only"
    for key, value in changes.items():
        ratings[int(key.removeprefix("item_"))] = value
    return ratings


def test_scores_are_percent_of_applicable_items() -> None:
    ratings = parse_ratings(record(item_6="n/a: no numbers", item_15="disagree: no pictures",
                                   item_23="disagree: no tool", item_24="n/a: no sums"))
    result = score(ratings)
    # Understandability: items 1-19 less 13, 14 and 6 = 16 applicable, 15 agreed.
    assert result.understandability == round(100 * 15 / 16, 1)
    # Actionability: items 20-26 less 24 = 6 applicable, 5 agreed.
    assert result.actionability == round(100 * 5 / 6, 1)
    assert result.passes


def test_the_old_spasticity_handout_fails_at_60_percent_actionability() -> None:
    old = record(item_23="disagree: no diary or refill tool", item_26="disagree: no pictures",
                 item_24="n/a: no sums", item_25="n/a: no diagrams")
    result = score(parse_ratings(old))
    assert result.actionability == 60.0
    assert not result.passes


@pytest.mark.parametrize(("raw", "message"), [
    ({n: "agree: x" for n in range(1, 26)}, r"missing item\(s\) 26"),
    (record(item_13="agree: x"), "audiovisual material only"),
    (record(item_1="n/a: x"), "item 1 has no N/A option"),
    (record(item_23="n/a: no tool"), "item 23 has no N/A option"),
    (record(item_5="maybe: x"), "rating must be one of"),
    (record(item_5="agree"), "give a short reason"),
    ({**record(), 27: "agree: x"}, "not a PEMAT item"),
    ("agree", "must map item numbers"),
])
def test_broken_records_are_refused(raw: Any, message: str) -> None:
    with pytest.raises(PematError, match=message):
        parse_ratings(raw)


def test_every_shipped_handout_has_a_passing_record() -> None:
    handouts = load_handouts()
    assert len(handouts) >= 9
    for handout in handouts:
        result = score(handout.pemat)
        assert result.understandability >= 80 and result.actionability >= 80, handout.slug


def test_spasticity_handout_now_has_a_tool_and_pictures() -> None:
    handout = get_handout("spasticity-and-spasms", load_handouts())
    ratings = {r.item: r.rating for r in handout.pemat}
    assert ratings[23] == ratings[26] == "agree"
    assert sum(1 for s in handout.sections if s.figure) >= 2
    assert any("<table>" in s.html for s in handout.sections)
