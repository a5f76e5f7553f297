"""GIFT import and export: a fixture corpus, malformed files, round trips and fuzzing."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.interchange.gift import DEGRADED, IMPORTED, PLACEHOLDER_RATIONALE, SKIPPED, parse_gift
from quizzes.interchange.gift_export import export_gift
from quizzes.types import REGISTRY

FIXTURES = Path(__file__).parents[1] / "fixtures" / "gift"


def _read(name: str) -> str:
    """Read one fixture file."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def _valid(item: dict[str, Any]) -> None:
    """Every imported item must pass the registry's own validation."""
    REGISTRY[item["type"]].validate(item, "test")


def _corpus() -> dict[str, dict[str, Any]]:
    """The valid corpus, imported, by question title."""
    return {q.title: q.item for q in parse_gift(_read("valid/ms_muscles.gift")).questions}


def test_valid_corpus_imports_every_supported_kind() -> None:
    result = parse_gift(_read("valid/ms_muscles.gift"))
    assert [q.item["type"] for q in result.questions] == [
        "mcq", "true_false", "matching", "sata", "dropdown_cloze", "mcq"]
    assert [r.status for r in result.report] == [IMPORTED] * 6
    # ::title:: lines sit on lines 5, 12, 16, 26, 32 and 34 of the file.
    assert [r.line for r in result.report] == [5, 12, 16, 26, 32, 34]
    for question in result.questions:
        _valid(question.item)


def test_valid_corpus_keeps_stems_options_keys_and_rationales() -> None:
    items = _corpus()
    mcq = items["MRC grade 3"]
    assert mcq["stem"].startswith("A client lifts") and "**any**" in mcq["stem"]  # [markdown] marker gone
    assert [(o["text"], o.get("correct", False)) for o in mcq["options"]] == [
        ("Grade 2", False), ("Grade 3", True), ("Grade 4", False)]
    assert mcq["options"][1]["rationale"] == "Grade 3 is movement against gravity with no added resistance."
    assert mcq["topic"] == "weakness"  # last part of $CATEGORY names one of our topics

    tf = items["Early wasting"]
    assert tf["answer"] is False
    assert tf["rationale"].startswith("Right: early focal wasting")  # right-answer feedback first
    assert "Not so" in tf["rationale"]  # the wrong-answer feedback is kept too

    matching = items["Atrophy types"]
    assert matching["topic"] == "atrophy"
    targets = {t["id"]: t["text"] for t in matching["targets"]}
    assert [(p["text"], targets[p["match"]]) for p in matching["prompts"]] == [
        ("Disuse atrophy", "Often recovers with activity"),
        ("Neurogenic atrophy", "Fibrillation potentials on EMG"),
        ("Steroid myopathy", "Proximal weakness after steroid courses")]
    assert "Weight loss despite good intake" in targets.values()  # '= -> x' is a distractor
    assert all(p["rationale"] == "Disuse is the main kind of muscle loss in MS." for p in matching["prompts"])


def test_valid_corpus_sata_cloze_and_escapes() -> None:
    items = _corpus()
    sata = items["Refer for EMG"]
    assert [o["correct"] for o in sata["options"]] == [True, True, False]
    assert sata["topic"] == "diagnosis"

    cloze = items["Main loss in MS"]
    assert cloze["text"] == "The main kind of muscle loss in MS is [[b1]] atrophy."
    blank = cloze["blanks"][0]
    assert [o["text"] for o in blank["options"]] == ["disuse", "neurogenic"]
    assert blank["answer"] == blank["options"][0]["id"]
    assert blank["rationale"] == "Inactivity and deconditioning drive it."

    escaped = items["Escapes: braces"]
    assert escaped["stem"] == "Which symbol opens a GIFT answer block { like this }?"
    assert [o["text"] for o in escaped["options"]] == ["The brace {", "The colon :", "The hash #"]
    assert escaped["options"][2]["rationale"] == "And escaped hashes."


def test_typed_kinds_are_imported_with_notes_and_a_description_is_skipped() -> None:
    result = parse_gift(_read("valid/unsupported.gift"))
    report = result.report
    assert [(r.status, r.line) for r in report] == [
        (DEGRADED, 3), (DEGRADED, 5), (DEGRADED, 7), (SKIPPED, 9), (DEGRADED, 11)]
    assert "GIFT has no rubric" in report[0].reason and "description" in report[3].reason
    assert report[0].title == "Essay"
    assert all("no feedback in GIFT source" in r.reason for r in report[:3] + [report[4]])
    items = {q.title: q.item for q in result.questions}
    assert items["Essay"]["type"] == "essay" and items["Essay"]["rubric"][0]["points"] == 1
    assert (items["Numeric"]["type"], items["Numeric"]["answer"]) == ("numeric", 4)
    assert items["Short answer"]["answers"] == ["baclofen", "gabapentin"]


def test_missing_feedback_becomes_a_marked_placeholder() -> None:
    result = parse_gift("::Q::Pick the upper motor neuron sign.{=Spasticity ~Fasciculations#LMN sign.}")
    (question,) = result.questions
    options = question.item["options"]
    assert options[0]["rationale"] == PLACEHOLDER_RATIONALE
    assert options[1]["rationale"] == "LMN sign."
    assert result.report[0].status == DEGRADED
    assert "no feedback in GIFT source" in result.report[0].reason and "1 option" in result.report[0].reason
    _valid(question.item)


def test_general_feedback_fills_missing_option_rationales() -> None:
    result = parse_gift("Pick one.{=a ~b ####Both explained here.}")
    options = result.questions[0].item["options"]
    assert {o["rationale"] for o in options} == {"Both explained here."}
    assert result.report[0].status == IMPORTED


def test_partial_weights_in_single_answer_are_reported_as_degraded() -> None:
    result = parse_gift("Pick one.{=a#A. ~%50%b#B. ~c#C.}")
    assert result.questions[0].item["type"] == "mcq"
    assert result.report[0].status == DEGRADED and "weights dropped" in result.report[0].reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("malformed/unclosed_brace.gift", [(4, "never closed"), (6, None)]),
        ("malformed/missing_answers.gift", [
            (1, "at least two answers"), (3, "nothing after '->'"), (5, "at least two"),
            (7, "no answer is marked"), (9, "no text"), (11, None)]),
        ("malformed/bad_weight.gift", [
            (1, "bad weight"), (3, "outside -100% to 100%"), (5, "bad weight"), (10, "bad weight"), (13, None)]),
        ("malformed/garbage.gift", [
            (1, "without a matching"), (3, "without a matching"), (5, "title"), (7, "never closed"),
            (9, "second answer block"), (11, None)]),
    ],
)
def test_malformed_files_give_line_numbered_reports(name: str, expected: list[tuple[int, str | None]]) -> None:
    result = parse_gift(_read(name))
    assert [r.line for r in result.report] == [line for line, _ in expected]
    for report, (_, fragment) in zip(result.report, expected):
        if fragment is None:
            assert report.status == IMPORTED  # the reader carried on after the broken question
        else:
            assert report.status == SKIPPED
            assert report.reason.startswith("Syntax error:") and fragment in report.reason
    assert len(result.questions) == 1


def _schema_items() -> list[dict[str, Any]]:
    """The standalone example items of quizzes/bank/SCHEMA.md."""
    import yaml

    text = (Path(__file__).parents[3] / "quizzes" / "bank" / "SCHEMA.md").read_text(encoding="utf-8")
    items: list[dict[str, Any]] = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        data = yaml.safe_load(block)
        if isinstance(data, list) and data and "type" in data[0]:
            items += data
    return items


def _shape(item: dict[str, Any]) -> dict[str, Any]:
    """What a round trip must keep, independent of generated sub-ids.

    Texts are compared trimmed: GIFT (like Moodle) trims every answer and feedback.
    """
    base = {k: item.get(k) for k in ("id", "type", "topic", "title", "shuffle", "sources")}
    base["stem"] = item["stem"].strip()
    kind = item["type"]
    if kind in ("mcq", "sata"):
        base["options"] = [(o["text"].strip(), bool(o.get("correct")), o["rationale"].strip()) for o in item["options"]]
    elif kind == "true_false":
        base["answer"], base["rationale"] = item["answer"], item["rationale"].strip()
    elif kind == "matching":
        targets = {t["id"]: t["text"].strip() for t in item["targets"]}
        base["prompts"] = [(p["text"].strip(), targets[p["match"]], p["rationale"].strip()) for p in item["prompts"]]
        base["targets"] = sorted(targets.values())
    elif kind == "dropdown_cloze":
        blank = item["blanks"][0]
        texts = {o["id"]: o["text"].strip() for o in blank["options"]}
        base["text"] = item["text"].replace(f"[[{blank['id']}]]", "[[?]]").strip()
        base["options"] = [(o["text"].strip(), (o.get("rationale") or "").strip()) for o in blank["options"]]
        base["answer"], base["rationale"] = texts[blank["answer"]], blank["rationale"].strip()
    return base


ONE_BLANK = {
    "id": "cloze-one-blank", "type": "dropdown_cloze", "topic": "spasticity", "shuffle": False,
    "stem": "Complete the sentence about baclofen.\n\nRead it carefully.",
    "text": "Baclofen must never be [[b1]] abruptly.\n",
    "blanks": [{"id": "b1", "answer": "stop", "rationale": "Sudden withdrawal can cause seizures.",
                "options": [{"id": "start", "text": "started"},
                            {"id": "stop", "text": "stopped", "rationale": "Taper it instead."}]}],
}
BLANK_AT_END = {**ONE_BLANK, "id": "cloze-blank-at-end", "text": "Never stop baclofen [[b1]]"}
TRICKY = {
    "id": "tricky-characters", "type": "mcq", "topic": "diagnosis", "title": "Odd: {chars} ~ = #",
    "sources": ["NICE NG220", "Cochrane: CD003980"],
    "stem": "Which is literal?\n\nBraces { }, tilde ~, equals =, hash #, colon :, backslash \\ and \\n.",
    "options": [
        {"id": "a", "text": "%50% of people", "correct": True, "rationale": "[markdown] stays literal."},
        {"id": "b", "text": "[plain] text", "rationale": "A leading bracket is not a format marker here."},
        {"id": "c", "text": "a -> b", "rationale": "Line one.\nLine two with #### inside."},
    ],
}


def test_round_trip_preserves_every_supported_item() -> None:
    items = [i for i in _schema_items() if i["type"] in ("mcq", "true_false", "matching", "sata")]
    items += [ONE_BLANK, BLANK_AT_END, TRICKY]
    exported = export_gift(items)
    assert exported.skipped == []
    result = parse_gift(exported.text)
    assert [r.status for r in result.report] == [IMPORTED] * len(items), result.report
    back = [q.item for q in result.questions]
    for item in back:
        _valid(item)
    assert [_shape(i) for i in back] == [_shape(i) for i in items]


def test_export_skips_what_gift_cannot_express() -> None:
    two_blanks = next(i for i in _schema_items() if i["id"] == "example-ddcloze-mcdonald")
    arrow = {**next(i for i in _schema_items() if i["type"] == "matching"), "id": "arrow-prompt"}
    arrow["prompts"] = [{**arrow["prompts"][0], "text": "UMN -> weakness"}] + arrow["prompts"][1:]
    broken = {"id": "broken-item", "type": "mcq", "topic": "weakness", "stem": "No options"}
    written = ("mcq", "true_false", "matching", "sata", "numeric", "short_answer", "essay")
    items = [i for i in _schema_items() if i["type"] not in written]
    exported = export_gift(items + [two_blanks, arrow, broken])
    reasons = dict(exported.skipped)
    assert "example-bowtie-uti-spasticity" in reasons and "bowtie" in reasons["example-bowtie-uti-spasticity"]
    assert "ordering" in reasons["example-ordering-ashworth"]
    assert "one blank" in reasons["example-ddcloze-mcdonald"]
    assert "->" in reasons["arrow-prompt"]
    assert "options" in reasons["broken-item"]
    assert exported.text == ""  # nothing was mangled into the output


def test_sata_weights_are_ones_moodle_accepts() -> None:
    sata = next(i for i in _schema_items() if i["type"] == "sata")
    text = export_gift([sata]).text
    assert re.findall(r"~%(-?[\d.]+)%", text) == ["33.33333"] * 3 + ["-33.33333"] * 2


GIFT_TOKENS = st.sampled_from([
    "{", "}", "~", "=", "#", "####", "->", "::", "%", "%50%", "%-100%", "%abc%", "\\", "\\{", "\\n",
    "T", "FALSE", "[markdown]", "[html]", "$CATEGORY: a/weakness", "//", "// id: a-b", "// shuffle: true",
    "\n", "\n\n", " ", "\t", "word", "Q?", "\u00a0", "\r", "\U000f0001", "\x00",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_fuzz_arbitrary_text_never_raises(text: str) -> None:
    result = parse_gift(text)
    for question in result.questions:
        _valid(question.item)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GIFT_TOKENS, max_size=40).map("".join))
def test_fuzz_gift_like_text_never_raises(text: str) -> None:
    result = parse_gift(text)
    lines = len(re.split(r"\r\n|\r|\n", text))
    assert all(1 <= r.line <= lines for r in result.report)
    assert all(r.status in (IMPORTED, SKIPPED, DEGRADED) and r.reason for r in result.report)
    for question in result.questions:
        _valid(question.item)


SAFE = st.text(alphabet=string.ascii_letters + string.digits + " {}~=#:\\%[]->*_.,\n", min_size=1, max_size=30)
TEXT = SAFE.filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stem=TEXT, texts=st.lists(TEXT, min_size=2, max_size=6, unique_by=str.strip),
       why=st.lists(TEXT, min_size=6, max_size=6),
       key=st.integers(min_value=0, max_value=5), multi=st.booleans())
def test_round_trip_property_for_choice_items(stem: str, texts: list[str], why: list[str], key: int,
                                              multi: bool) -> None:
    options = [{"id": f"o{i}", "text": t, "rationale": why[i]} for i, t in enumerate(texts)]
    options[key % len(options)]["correct"] = True
    kind = "sata" if multi and len(options) >= 3 else "mcq"
    item = {"id": "prop-item", "type": kind, "topic": "weakness", "stem": stem, "options": options}
    exported = export_gift([item])
    assert exported.skipped == []
    (question,) = parse_gift(exported.text).questions
    assert _shape(question.item) == _shape(item)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stem=TEXT, lefts=st.lists(TEXT.filter(lambda s: "->" not in s), min_size=2, max_size=4, unique_by=str.strip),
       rights=st.lists(TEXT, min_size=5, max_size=5, unique_by=str.strip), why=st.lists(TEXT, min_size=4, max_size=4))
def test_round_trip_property_for_matching(stem: str, lefts: list[str], rights: list[str], why: list[str]) -> None:
    # Prompt i matches target i; target 4 is a distractor no prompt uses.
    item = {
        "id": "prop-matching", "type": "matching", "topic": "atrophy", "stem": stem,
        "prompts": [{"id": f"p{i}", "text": t, "match": f"t{i}", "rationale": why[i]} for i, t in enumerate(lefts)],
        "targets": [{"id": f"t{i}", "text": t} for i, t in enumerate(rights)],
    }
    item["targets"] = [t for i, t in enumerate(item["targets"]) if i < len(lefts) or i == 4]
    exported = export_gift([item])
    assert exported.skipped == []
    (question,) = parse_gift(exported.text).questions
    assert _shape(question.item) == _shape(item)


def test_ids_are_unique_slugs_and_topic_is_checked() -> None:
    text = "::Same title::A?{=a#A. ~b#B.}\n\n::Same title::B?{=a#A. ~b#B.}\n\nNo title?{=a#A. ~b#B.}"
    ids = [q.item["id"] for q in parse_gift(text, id_prefix="imp").questions]
    assert ids == ["imp-same-title", "imp-same-title-2", "imp-line-5"]
    assert {q.item["topic"] for q in parse_gift(text, topic="falls-safety").questions} == {"falls-safety"}
    with pytest.raises(ValueError):
        parse_gift(text, topic="not-a-topic")
