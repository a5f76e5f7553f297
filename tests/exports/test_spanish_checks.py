"""Spanish handouts get the English gates too: PEMAT-P records, phone slots and box wording."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from flask.testing import FlaskClient

from course.content import ContentError
from exports import render
from exports.content import load_handouts
from exports.handout_checks import (
    PHONE_SLOT,
    content_check,
    phone_slot_problems,
    summary,
)
from exports.languages import REVIEW_PENDING
from exports.render import RenderOptions, render_html
from exports.translations import content_check as translation_check
from tests.conftest import launch_as
from tests.exports.test_pemat import record
from tests.exports.test_spanish import spanish, write_es


def checked_es(tmp_path: pathlib.Path, **changes: Any) -> dict[str, Any]:
    """Run the handout check on one sample Spanish handout with a passing PEMAT record."""
    data = spanish(**{"pemat": record(), **changes})
    return summary(load_handouts(write_es(tmp_path, data), lang="es"))


def test_every_english_handout_has_a_spanish_one_with_a_passing_pemat_record() -> None:
    english = {h.slug for h in load_handouts()}
    report = content_check()
    assert set(report["handout_pemat_es"]) == english == set(report["handout_pemat"])
    for slug, scores in report["handout_pemat_es"].items():
        assert scores["understandability"] >= 80 and scores["actionability"] >= 80, slug
    parity = translation_check()
    assert parity["handouts_by_language"] == {"en": len(english), "es": len(english)}
    assert parity["handouts_missing_es"] == [] and parity["handouts_es_out_of_step"] == {}


def test_a_spanish_sample_is_reported_under_its_own_key(tmp_path: pathlib.Path) -> None:
    assert checked_es(tmp_path) == {"handout_pemat_es": {
        "sample-topic": {"understandability": 100.0, "actionability": 100.0}}}


def test_a_spanish_handout_without_or_below_pemat_fails(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ContentError, match="sample-topic: pemat .* is missing"):
        summary(load_handouts(write_es(tmp_path / "a", spanish()), lang="es"))
    low = record(item_23="disagree: no tool", item_26="disagree: no pictures",
                 item_24="n/a: none", item_25="n/a: none")
    with pytest.raises(ContentError, match="actionability 60%"):
        checked_es(tmp_path / "b", pemat=low)


def test_one_language_at_a_time(tmp_path: pathlib.Path) -> None:
    (es,) = load_handouts(write_es(tmp_path, spanish(pemat=record())), lang="es")
    with pytest.raises(ValueError, match="one language at a time"):
        summary((es, load_handouts()[0]))


def test_a_spanish_box_item_repeating_si_fails(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ContentError, match="starts with 'Si' after the lead 'Llame a su"):
        checked_es(tmp_path / "a", call_team=["Si tiene fiebre, llame."])
    with pytest.raises(ContentError, match="starts with 'Si' after the lead 'Pida ayuda"):
        checked_es(tmp_path / "b", emergency=["**Si** no puede respirar."])
    # A word that only starts with "si" is fine.
    assert checked_es(tmp_path / "c", call_team=["Siente más debilidad."])


@pytest.mark.parametrize("text", ["Llame al 555-0100 si tiene dudas.",
                                  "Llame al [teléfono de la clínica].", "Llame al xxx-xxxx."])
def test_a_phone_or_placeholder_in_spanish_text_fails(tmp_path: pathlib.Path,
                                                      text: str) -> None:
    with pytest.raises(ContentError, match="phone number or placeholder"):
        checked_es(tmp_path, call_team=[text])


def test_spanish_phone_slots_are_found_and_a_worded_one_fails(
        monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    html = render_html(["fatigue-and-heat"], {"name": "Lakeside", "phone": "555-0142"},
                       RenderOptions(lang="es"))
    # Both Spanish slots (the header's "Teléfono:" and "Llame al … si:") are read.
    slots = [next(v for v in m.groups() if v is not None) for m in PHONE_SLOT.finditer(html)]
    assert slots.count("555-0142") == 2
    assert phone_slot_problems("<p>Teléfono: Pregunte en la recepción</p>") == [
        "Pregunte en la recepción"]
    assert phone_slot_problems("<p>Llame al <strong>su equipo</strong> si:</p>") == ["su equipo"]
    monkeypatch.setitem(render.PLACEHOLDER_CLINIC, "phone", "Pregunte a su equipo")
    monkeypatch.setattr(render, "clean_clinic", lambda clinic: {
        **render.PLACEHOLDER_CLINIC, "has_phone": True, "has_profile": False})
    with pytest.raises(ContentError, match="not 'Pregunte a su equipo'"):
        checked_es(tmp_path)


def test_the_staff_line_is_english_staff_text_outside_the_spanish_handout(
        client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "learner")
    page = client.get(f"/c/{cid}/handouts/fatigue-and-heat?lang=es").get_data(as_text=True)
    note = page.index("For staff, not printed:")
    # The page chrome is English (html lang="en"); the handout itself is the lang="es" article,
    # and the staff line sits before it, so it is read as English staff text.
    assert page.index('<html lang="en"') < note < page.index('<article class="handout"')
    assert REVIEW_PENDING.format(lang="Spanish") in page[note:page.index("<article")]
