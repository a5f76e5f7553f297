"""The reading-level gate: grade 8 or below for body text, headings and sources left out."""

from __future__ import annotations

import pathlib

import pytest

from course.content import ContentError
from exports.content import load_handouts, summary as content_summary
from exports.readability import MAX_GRADE, body_text, grade, summary
from tests.exports.helpers import variant, write_handouts

HARD = ("Individuals experiencing multiple sclerosis-associated musculoskeletal deterioration "
        "should contemplate comprehensive multidisciplinary rehabilitative interventions, "
        "incorporating progressive resistance methodologies, pharmacological optimisation, "
        "and environmental modifications, notwithstanding considerable heterogeneity.")


def test_every_shipped_handout_is_at_grade_eight_or_below() -> None:
    report = summary(load_handouts())
    assert report["handouts"] == len(load_handouts()) >= 6
    grades = report["handout_grades"]
    assert isinstance(grades, dict)
    assert all(0 < g <= MAX_GRADE for g in grades.values()), grades
    assert set(report["handout_smog"]) == set(grades)  # type: ignore[arg-type]


def test_content_summary_runs_the_gate() -> None:
    assert content_summary()["handouts"] == len(load_handouts())


def test_a_handout_above_grade_eight_is_rejected_with_slug_and_grade(
        tmp_path: pathlib.Path) -> None:
    data = variant(main_message=HARD,
                   sections=[{"heading": "H", "text": HARD, "do": [HARD]}])
    handouts = load_handouts(write_handouts(tmp_path, data))
    measured = grade(handouts[0])
    assert measured > MAX_GRADE
    with pytest.raises(ContentError) as error:
        summary(handouts)
    assert "sample-topic" in str(error.value)
    assert f"{measured:.1f}" in str(error.value)


def test_body_text_leaves_out_headings_sources_and_disclaimer(tmp_path: pathlib.Path) -> None:
    data = variant(
        sections=[{"heading": "Zebraheading", "text": "Plain words here.\n\n## Hippoheading\n\nMore.",
                   "do": ["Take a walk"]}],
        sources=["Quokkasource et al. 2020."],
    )
    (handout,) = load_handouts(write_handouts(tmp_path, data))
    text = body_text(handout)
    for left_out in ("Zebraheading", "Hippoheading", "Quokkasource", handout.disclaimer):
        assert left_out not in text
    for kept in ("Move a little every day.", "Plain words here.", "More.",
                 "You feel much weaker than usual.", "You cannot breathe well."):
        assert kept in text
    # A list item without a full stop still counts as its own sentence.
    assert "Take a walk." in text


def test_headings_do_not_change_the_grade(tmp_path: pathlib.Path) -> None:
    plain = variant()
    long_heading = variant()
    long_heading["sections"][0]["heading"] = HARD
    (a,) = load_handouts(write_handouts(tmp_path / "a", plain))
    (b,) = load_handouts(write_handouts(tmp_path / "b", long_heading))
    assert grade(a) == grade(b)
