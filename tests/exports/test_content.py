"""The handout loader accepts the shipped content and rejects each kind of broken handout."""

from __future__ import annotations

import pathlib

import pytest

from course.content import ContentError
from exports.content import get_handout, load_handouts
from tests.exports.helpers import VALID, variant, write_handouts

TOPICS = {
    "weakness-and-staying-active", "spasticity-and-spasms",
    "preventing-contractures-and-pressure-sores", "muscle-loss", "your-tests-explained",
    "preventing-falls-at-home",
}


def test_shipped_handouts_cover_every_topic_with_all_required_parts() -> None:
    handouts = load_handouts()
    assert {h.slug for h in handouts} >= TOPICS
    for h in handouts:
        assert h.call_team and h.emergency and h.sources and h.main_message
        assert h.reviewed >= h.written
        assert "not a substitute" in h.disclaimer
        assert any(section.actions for section in h.sections)


def test_disclaimer_text_is_shared_not_copied_into_handouts() -> None:
    handouts = load_handouts()
    assert len({h.disclaimer for h in handouts}) == 1
    folder = pathlib.Path(__file__).resolve().parents[2] / "exports" / "handouts"
    for path in folder.glob("[!_]*.yaml"):
        assert "not a substitute" not in path.read_text()


def test_spasticity_handout_flags_off_label_gabapentin_and_baclofen_safety() -> None:
    handout = get_handout("spasticity-and-spasms", load_handouts())
    assert "off-label" in handout.off_label
    text = " ".join(s.html + " ".join(s.actions) for s in handout.sections)
    assert "Never stop baclofen suddenly" in text


def test_a_minimal_valid_handout_loads(tmp_path: pathlib.Path) -> None:
    (handout,) = load_handouts(write_handouts(tmp_path, VALID))
    assert handout.slug == "sample-topic"
    assert handout.sections[1].actions == ("Walk for a few minutes.", "Sit down to rest.")
    assert len(handout.version) == 64


@pytest.mark.parametrize("field", [
    "emergency", "call_team", "sources", "written", "reviewed", "main_message", "disclaimer",
])
def test_missing_required_part_is_a_content_error_naming_file_and_field(
        tmp_path: pathlib.Path, field: str) -> None:
    folder = write_handouts(tmp_path, variant(**{field: None}))
    with pytest.raises(ContentError) as error:
        load_handouts(folder)
    assert "sample-topic.yaml" in str(error.value)
    assert f"{field} is missing" in str(error.value)


@pytest.mark.parametrize("changes, message", [
    ({"emergency": []}, "emergency is missing"),
    ({"reviewed": "2025-01-01"}, "is before written"),
    ({"written": "soon"}, "not an ISO date"),
    ({"disclaimer": "none"}, "disclaimer 'none' is not in"),
    ({"slug": "other-name"}, "must match the file name"),
    ({"colour": "blue"}, "unknown field(s) colour"),
    ({"sections": [{"heading": "Only a heading"}]}, "sections[0].text is missing"),
    ({"sections": [{"heading": "Talk", "text": "Some words."}]}, "at least one 'do' list"),
    ({"sections": [{"heading": "H", "do": ["x"], "figure": {"file": "nope.svg", "alt": "a"}}]},
     "figure.file 'nope.svg'"),
    ({"sections": [{"heading": "H", "do": ["Ask about gabapentin."]}]}, "off_label note"),
])
def test_broken_handouts_are_rejected(tmp_path: pathlib.Path, changes: dict[str, object],
                                      message: str) -> None:
    data = variant(**changes)
    folder = tmp_path / "h"
    write_handouts(folder, data)
    if data["slug"] != VALID["slug"]:
        (folder / f"{data['slug']}.yaml").rename(folder / "sample-topic.yaml")
    with pytest.raises(ContentError, match="sample-topic.yaml") as error:
        load_handouts(folder)
    assert message in str(error.value)


def test_missing_shared_disclaimer_is_a_content_error(tmp_path: pathlib.Path) -> None:
    folder = write_handouts(tmp_path, VALID)
    (folder / "_shared.yaml").write_text("off_label_drugs: []\n")
    with pytest.raises(ContentError, match="_shared.yaml: disclaimer is missing"):
        load_handouts(folder)


def test_figure_without_alt_text_is_rejected(tmp_path: pathlib.Path) -> None:
    sections = [{"heading": "H", "do": ["Walk."], "figure": {"file": "safe-home.svg"}}]
    with pytest.raises(ContentError, match=r"figure\.alt must be non-empty"):
        load_handouts(write_handouts(tmp_path, variant(sections=sections)))


def test_raw_html_in_content_is_not_passed_through(tmp_path: pathlib.Path) -> None:
    sections = [{"heading": "H", "text": "Hi <script>alert(1)</script> there.",
                 "do": ["<img src=x onerror=alert(1)> Walk."]}]
    (handout,) = load_handouts(write_handouts(tmp_path, variant(sections=sections)))
    assert "<script" not in handout.sections[0].html
    assert "<img" not in handout.sections[0].actions[0]
