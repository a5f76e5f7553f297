"""The reading-level gate: grade 8 or below for body text, headings and sources left out."""

from __future__ import annotations

import pathlib

import pytest

from course.content import ContentError
from exports.content import load_handouts
from exports.readability import (
    MAX_GRADE,
    _ensure_cmudict,
    _write_corpus,
    body_text,
    grade,
    html_blocks,
    summary,
)
from exports.readability import content_check as content_summary
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


@pytest.mark.parametrize(("html", "blocks"), [
    ("<h2>Head</h2><p>One  two\nthree</p><ul><li>a</li><li>b</li></ul>tail", ["One two three", "a", "b", "tail"]),
    ("<h1>x<h3>y</h3>z</h1>w", ["w"]),  # nested headings all left out, text after them kept
    ("<p>  </p><p>kept</p>", ["kept"]),  # empty blocks dropped
    ("<table><tr><th>Head cell</th><td>Cell</td></tr></table>", ["Head cell", "Cell"]),
    ("<dl><dt>Term</dt><dd>Means</dd></dl><blockquote>Quote</blockquote>", ["Term", "Means", "Quote"]),
    ("<figure><img alt='x'><figcaption>Caption</figcaption></figure>", ["Caption"]),
    ("plain <em>inline</em> text", ["plain inline text"]),  # inline tags do not split a block
])
def test_html_blocks(html: str, blocks: list[str]) -> None:
    assert html_blocks(html) == blocks


def test_body_text_ends_each_block_once(tmp_path: pathlib.Path) -> None:
    data = variant(sections=[{"heading": "H", "text": "Is it safe?\n\nYes!\n\nAsk us", "do": ["Rest."]}],
                   call_team=["Call us", "Ask about form X"], emergency=["Call 999!"])
    (handout,) = load_handouts(write_handouts(tmp_path, data))
    text = body_text(handout)
    assert "Is it safe? Yes! Ask us. Rest." in text
    assert "Call us. Ask about form X. Call 999!" in text
    assert ".." not in text and "?." not in text and "!." not in text


def test_write_corpus_writes_nltk_layout_once(tmp_path: pathlib.Path) -> None:
    entries = [("walk", ["W", "AO1", "K"]), ("rest", ["R", "EH1", "S", "T"])]
    assert _write_corpus(tmp_path, entries) == tmp_path
    target = tmp_path / "corpora" / "cmudict" / "cmudict"
    assert target.read_text(encoding="utf-8") == "walk 1 W AO1 K\nrest 1 R EH1 S T\n"
    _write_corpus(tmp_path, [("other", ["AH1"])])  # already there: left alone
    assert target.read_text(encoding="utf-8").startswith("walk 1")


def _no_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> list[str]:
    """Make NLTK find no cmudict and give it an empty search path; return that path."""
    import exports.readability as readability

    def missing(name: str) -> None:
        raise LookupError(name)

    search: list[str] = []
    monkeypatch.setattr(readability.nltk.data, "find", missing)
    monkeypatch.setattr(readability.nltk.data, "path", search)
    monkeypatch.setattr(readability.cmudict, "entries", lambda: [("walk", ["W", "AO1", "K"])])
    return search


def test_write_corpus_into_an_existing_folder_beside_its_target(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: pathlib.Path) -> None:
    import exports.readability as readability

    (tmp_path / "corpora" / "cmudict").mkdir(parents=True)  # a folder left by an earlier try
    # The temporary file is written next to the target, so the final rename stays atomic.
    monkeypatch.setattr(readability.tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    _write_corpus(tmp_path, [("walk", ["W", "AO1", "K"])])
    assert (tmp_path / "corpora" / "cmudict" / "cmudict").read_text(encoding="utf-8") == "walk 1 W AO1 K\n"
    assert [p.name for p in (tmp_path / "corpora" / "cmudict").iterdir()] == ["cmudict"]


def test_summary_grades_the_shipped_handouts_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    import exports.readability as readability

    shipped = (types.SimpleNamespace(slug="one"), types.SimpleNamespace(slug="two"))
    monkeypatch.setattr(readability, "get_handouts", lambda: shipped)
    monkeypatch.setattr(readability, "grade", lambda h: 5.0)
    monkeypatch.setattr(readability, "smog", lambda h: 6.0)
    assert summary()["handout_grades"] == {"one": 5.0, "two": 5.0}


def test_ensure_cmudict_writes_the_corpus_to_the_cache(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: pathlib.Path) -> None:
    search = _no_corpus(monkeypatch, tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _ensure_cmudict.__wrapped__()
    folder = tmp_path / "cache" / "ms-muscle-course" / "nltk_data"
    assert search == [str(folder)]
    assert (folder / "corpora" / "cmudict" / "cmudict").read_text(encoding="utf-8") == "walk 1 W AO1 K\n"
    _ensure_cmudict.__wrapped__()
    assert search == [str(folder)]  # not added twice


def test_ensure_cmudict_falls_back_to_the_temp_folder(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: pathlib.Path) -> None:
    import exports.readability as readability

    search = _no_corpus(monkeypatch, tmp_path)
    (tmp_path / "cache").write_text("a file, so no folder can be made under it")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(readability.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    _ensure_cmudict.__wrapped__()
    assert search == [str(tmp_path / "tmp" / "ms-muscle-course-nltk")]


def test_ensure_cmudict_uses_an_installed_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import exports.readability as readability

    search: list[str] = []
    monkeypatch.setattr(readability.nltk.data, "find", lambda name: name)
    monkeypatch.setattr(readability.nltk.data, "path", search)
    _ensure_cmudict.__wrapped__()
    assert search == []


@pytest.mark.parametrize(("grades", "error"), [
    ({"a": 8.0, "b": 3.333}, None),  # exactly grade 8 passes
    ({"a": 8.004, "b": 2.0}, None),  # rounded to 8.0 first
    ({"b": 8.01, "a": 12.345, "c": 1.0}, "handouts above reading grade 8: a (grade 12.3), b (grade 8.0)"),
])
def test_summary_gate_at_grade_eight(monkeypatch: pytest.MonkeyPatch, grades: dict[str, float],
                                     error: str | None) -> None:
    import types

    import exports.readability as readability

    monkeypatch.setattr(readability, "grade", lambda h: grades[h.slug])
    monkeypatch.setattr(readability, "smog", lambda h: grades[h.slug] + 1.0)
    handouts = tuple(types.SimpleNamespace(slug=slug) for slug in grades)
    if error:
        with pytest.raises(ContentError) as caught:
            summary(handouts)  # type: ignore[arg-type]
        assert str(caught.value) == error
        return
    assert summary(handouts) == {  # type: ignore[arg-type]
        "handouts": len(grades),
        "handout_grades": {slug: round(g, 2) for slug, g in grades.items()},
        "handout_smog": {slug: round(g + 1.0, 2) for slug, g in grades.items()},
    }
