"""The handout content check: placeholder phones, box wording and the PEMAT-P gate fail it."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

from course.content import ContentError
from exports import render
from exports.content import load_handouts
from exports.handout_checks import (
    content_check,
    phone_slot_problems,
    placeholder_phones,
    summary,
)
from exports.render import RenderOptions, render_html
from tests.exports.helpers import variant, write_handouts
from tests.exports.test_pemat import record


def checked(tmp_path: pathlib.Path, **changes: Any) -> dict[str, Any]:
    """Run the check on one sample handout with a passing PEMAT record, changed as given."""
    data = variant(**{"pemat": record(), **changes})
    return summary(load_handouts(write_handouts(tmp_path, data)))


def test_shipped_handouts_pass_and_report_both_pemat_scores() -> None:
    report = content_check()["handout_pemat"]
    assert len(report) >= 9
    assert {"fatigue-and-heat", "botulinum-toxin-injections",
            "living-with-a-baclofen-pump"} <= set(report)
    for slug, scores in report.items():
        assert scores["understandability"] >= 80 and scores["actionability"] >= 80, slug


def test_a_sample_handout_passes(tmp_path: pathlib.Path) -> None:
    assert checked(tmp_path)["handout_pemat"]["sample-topic"] == {
        "understandability": 100.0, "actionability": 100.0}


def test_no_clinic_prints_a_write_in_line_not_a_phrase() -> None:
    html = render_html(["spasticity-and-spasms"], {}, RenderOptions())
    assert "Ask your care team" not in html and "Call Ask" not in html
    assert html.count('class="write-in"') >= 2
    assert phone_slot_problems(html) == []


def test_a_worded_placeholder_phone_fails_the_check(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: pathlib.Path) -> None:
    # The bug of issue 16: the placeholder clinic counted as having a phone number.
    monkeypatch.setitem(render.PLACEHOLDER_CLINIC, "phone", "Ask your care team")
    monkeypatch.setattr(render, "clean_clinic", lambda clinic: {
        **render.PLACEHOLDER_CLINIC, "has_phone": True, "has_profile": False})
    with pytest.raises(ContentError, match="blank line to write on, not 'Ask your care team'"):
        checked(tmp_path)


@pytest.mark.parametrize("text", ["Call us on 555-0100 if you are worried.",
                                  "Phone (555) 010-2030.", "Call xxx-xxxx.",
                                  "Call [phone number] today."])
def test_a_phone_or_placeholder_in_handout_text_fails(tmp_path: pathlib.Path, text: str) -> None:
    with pytest.raises(ContentError, match="phone number or placeholder"):
        checked(tmp_path, call_team=[text])


def test_write_in_lines_and_emergency_numbers_are_not_phones() -> None:
    assert placeholder_phones("Call 911, 999 or 112. Next refill: date ________") == []


def test_phone_slots_with_words_are_found() -> None:
    assert phone_slot_problems("<p>Phone: Ask your care team</p>") == ["Ask your care team"]
    assert phone_slot_problems("<p>Call <strong>TBD</strong> if:</p>") == ["TBD"]
    assert phone_slot_problems("<p>Phone: <strong>555-0142</strong></p>") == []


def test_a_box_item_repeating_if_fails(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ContentError, match="starts with 'If'"):
        checked(tmp_path, emergency=["If you have a pump: a high fever."])


def test_a_missing_or_low_pemat_record_fails(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ContentError, match="pemat .* is missing"):
        summary(load_handouts(write_handouts(tmp_path / "a", variant())))
    low = record(item_23="disagree: no tool", item_26="disagree: no pictures",
                 item_24="n/a: none", item_25="n/a: none")
    with pytest.raises(ContentError, match="actionability 60%"):
        checked(tmp_path / "b", pemat=low)
