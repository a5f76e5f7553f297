"""Spanish handouts: loading, review status, wording rules, readability floors and parity."""

from __future__ import annotations

import pathlib
import shutil
import types
from typing import Any

import pytest
import yaml

import exports.readability as readability
from course.content import ContentError
from exports.content import HANDOUT_DIR, SHARED_FILE, get_handout, load_handouts
from exports.languages import long_date, review_line, wording_problems
from exports.readability import (
    MIN_FERNANDEZ_HUERTA,
    MIN_SZIGRISZT_PAZOS,
    content_check,
    fernandez_huerta,
    spanish_summary,
    szigriszt_pazos,
)
from exports.translations import parity_problems, translation_report
from tests.exports.helpers import variant

ES_SHARED = HANDOUT_DIR / "es" / SHARED_FILE
EASY = "Camine un poco cada día. Le ayuda a sus músculos. Descanse si se cansa."
HARD = ("La rehabilitación multidisciplinaria individualizada constituye una intervención "
        "terapéutica fundamental, considerando simultáneamente la heterogeneidad "
        "fisiopatológica, farmacológica y neuropsicológica característica de la enfermedad.")


def spanish(**changes: Any) -> dict[str, Any]:
    """A valid Spanish handout (pending review) with fields changed."""
    base = variant(title="Un tema", main_message=EASY, review_status="pending",
                   sections=[{"heading": "Por qué", "text": EASY},
                             {"heading": "Qué hacer", "do": ["Camine un poco.", "Siéntese."]}],
                   call_team=["Se siente más débil."], emergency=["No puede respirar bien."])
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def write_es(folder: pathlib.Path, *handouts: dict[str, Any]) -> pathlib.Path:
    """Write the Spanish shared file and the handouts into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ES_SHARED, folder / SHARED_FILE)
    for data in handouts:
        (folder / f"{data['slug']}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder


def test_every_shipped_spanish_handout_has_an_english_original_and_passes_both_floors() -> None:
    english = {h.slug for h in load_handouts()}
    spanish_items = load_handouts(lang="es")
    assert len(spanish_items) >= 6 and {h.slug for h in spanish_items} <= english
    report = spanish_summary(spanish_items)
    assert report["handouts_es"] == len(spanish_items)
    huerta, inflesz = report["handout_fernandez_huerta"], report["handout_szigriszt_pazos"]
    assert isinstance(huerta, dict) and isinstance(inflesz, dict)
    assert set(huerta) == set(inflesz) == {h.slug for h in spanish_items}
    assert all(v >= MIN_FERNANDEZ_HUERTA for v in huerta.values()), huerta
    assert all(v >= MIN_SZIGRISZT_PAZOS for v in inflesz.values()), inflesz
    assert all(h.lang == "es" and h.review_status in ("pending", "reviewed")
               for h in spanish_items)


def test_content_check_reports_both_languages() -> None:
    report = content_check()
    assert report["handouts"] == len(load_handouts())
    assert report["handouts_es"] == len(load_handouts(lang="es"))
    assert set(report["handout_fernandez_huerta"]) == {  # type: ignore[call-overload]
        h.slug for h in load_handouts(lang="es")}


def test_spanish_text_is_scored_with_spanish_syllables(tmp_path: pathlib.Path) -> None:
    (easy,) = load_handouts(write_es(tmp_path / "a", spanish()), lang="es")
    (hard,) = load_handouts(write_es(tmp_path / "b", spanish(
        main_message=HARD, sections=[{"heading": "H", "text": HARD, "do": [HARD]}])), lang="es")
    assert fernandez_huerta(easy) > 80 > MIN_FERNANDEZ_HUERTA > fernandez_huerta(hard)
    assert szigriszt_pazos(easy) > 75 > MIN_SZIGRISZT_PAZOS > szigriszt_pazos(hard)
    with pytest.raises(ContentError) as error:
        spanish_summary((easy, hard))
    message = str(error.value)
    assert "sample-topic" in message and f"{fernandez_huerta(hard):.1f}" in message


@pytest.mark.parametrize(("scores", "error"), [
    ({"a": (70.0, 55.0), "b": (99.0, 99.0)}, None),  # exactly at both floors passes
    ({"a": (69.996, 54.996)}, None),  # rounded to 70.0 and 55.0 first
    ({"a": (69.99, 80.0)}, "a (Fernández-Huerta 70.0, INFLESZ 80.0)"),
    ({"b": (80.0, 54.99), "a": (90.0, 90.0), "c": (50.0, 40.123)},
     "b (Fernández-Huerta 80.0, INFLESZ 55.0), c (Fernández-Huerta 50.0, INFLESZ 40.1)"),
])
def test_spanish_gate_at_the_floors(monkeypatch: pytest.MonkeyPatch,
                                    scores: dict[str, tuple[float, float]],
                                    error: str | None) -> None:
    monkeypatch.setattr(readability, "fernandez_huerta", lambda h: scores[h.slug][0])
    monkeypatch.setattr(readability, "szigriszt_pazos", lambda h: scores[h.slug][1])
    handouts = tuple(types.SimpleNamespace(slug=slug) for slug in scores)
    if error:
        with pytest.raises(ContentError) as caught:
            spanish_summary(handouts)  # type: ignore[arg-type]
        assert str(caught.value) == ("Spanish handouts below Fernández-Huerta 70 or INFLESZ "
                                     f"55: {error}")
        return
    assert spanish_summary(handouts) == {  # type: ignore[arg-type]
        "handouts_es": len(scores),
        "handout_fernandez_huerta": {s: round(v[0], 2) for s, v in scores.items()},
        "handout_szigriszt_pazos": {s: round(v[1], 2) for s, v in scores.items()},
    }


def test_spanish_summary_reads_the_shipped_spanish_handouts_by_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake(lang: str = "en") -> tuple[Any, ...]:
        asked.append(lang)
        return (types.SimpleNamespace(slug="uno"),)

    monkeypatch.setattr(readability, "get_handouts", fake)
    monkeypatch.setattr(readability, "fernandez_huerta", lambda h: 75.0)
    monkeypatch.setattr(readability, "szigriszt_pazos", lambda h: 60.0)
    assert spanish_summary()["handout_fernandez_huerta"] == {"uno": 75.0}
    assert asked == ["es"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"review_status": None}, "review_status must be one of pending, reviewed"),
    ({"review_status": "done"}, "review_status must be one of pending, reviewed"),
    ({"review_status": "reviewed"}, "review_status is reviewed but reviewed_by is empty"),
    ({"reviewed_by": "Dr. Ana Ruiz"}, "reviewed_by is set but review_status is pending"),
    ({"main_message": "Está constipado."}, "«constipado» means having a cold"),
    ({"main_message": "Tiene una contractura."}, "say «contractura articular»"),
    ({"main_message": "Siente fatiga."}, r"write «cansancio extremo \(fatiga\)»"),
])
def test_spanish_files_must_state_review_and_avoid_ruled_out_words(
        tmp_path: pathlib.Path, changes: dict[str, Any], message: str) -> None:
    data = spanish()
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    with pytest.raises(ContentError, match=message):
        load_handouts(write_es(tmp_path, data), lang="es")


def test_a_review_is_shown_only_when_it_happened(tmp_path: pathlib.Path) -> None:
    (pending,) = load_handouts(write_es(tmp_path / "p", spanish()), lang="es")
    (done,) = load_handouts(write_es(tmp_path / "d", spanish(
        review_status="reviewed", reviewed_by="Ana Ruiz, CoreCHI-certified medical interpreter")),
        lang="es")
    assert review_line("es", pending.review_status, pending.reviewed_by).startswith(
        "Not yet reviewed by a qualified medical translator or bilingual clinician")
    assert review_line("es", done.review_status, done.reviewed_by) == (
        "Spanish version reviewed by Ana Ruiz, CoreCHI-certified medical interpreter.")
    assert review_line("en", "", "") == ""


def test_english_files_take_no_review_fields(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "en"
    folder.mkdir()
    shutil.copy(HANDOUT_DIR / SHARED_FILE, folder / SHARED_FILE)
    (folder / "sample-topic.yaml").write_text(yaml.safe_dump(variant(review_status="pending")))
    with pytest.raises(ContentError, match="for translations only"):
        load_handouts(folder)


@pytest.mark.parametrize(("text", "problems"), [
    ("una contractura articular y cansancio extremo (fatiga)", 0),
    ("contracturas en las piernas", 1),
    ("el zumo y el ordenador", 2),
    ("cansancio extremo (fatiga). La fatiga es real.", 1),
])
def test_wording_problems(text: str, problems: int) -> None:
    assert len(wording_problems(text)) == problems


def test_spanish_dates() -> None:
    from datetime import date
    assert long_date(date(2026, 12, 3), "es") == "3 de diciembre de 2026"
    assert long_date(date(2026, 1, 21), "en") == "21 January 2026"


def test_get_handout_picks_the_language() -> None:
    english, spanish_one = get_handout("muscle-loss"), get_handout("muscle-loss", lang="es")
    assert (english.lang, spanish_one.lang) == ("en", "es")
    assert english.title != spanish_one.title
    with pytest.raises(KeyError):
        get_handout("muscle-loss", load_handouts(), lang="es")


def test_parity_names_each_structural_difference(tmp_path: pathlib.Path) -> None:
    (english,) = load_handouts(write_es(tmp_path / "e", spanish()), lang="es")
    (short,) = load_handouts(write_es(tmp_path / "s", spanish(
        sections=[{"heading": "Qué hacer", "do": ["Camine."]}, {"heading": "B", "text": EASY}],
        emergency=["Uno.", "Dos."])), lang="es")
    assert parity_problems(english, english) == []
    assert parity_problems(english, short) == [
        "section 1: 1 actions and drawing '', English has 0 and ''",
        "section 2: 0 actions and drawing '', English has 2 and ''",
        "emergency: 2 items, English has 1",
    ]
    report = translation_report((english,), (english,))
    assert report["handouts_by_language"] == {"en": 1, "es": 1}
    assert report["handouts_missing_es"] == [] and report["handouts_es_out_of_step"] == {}
    with pytest.raises(ContentError, match="no English original: sample-topic"):
        translation_report((), (english,))
