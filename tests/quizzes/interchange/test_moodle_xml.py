"""Moodle XML: export by type with reasons, the shipped bank's round trip, scoring kept, import report, 4xx."""

from __future__ import annotations

import io
import itertools
from collections import Counter
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring

from quizzes.bank_loader import get_bank
from quizzes.interchange.gift import DEGRADED, IMPORTED, SKIPPED, TooManyQuestions
from quizzes.interchange.moodle_import import MoodleXmlError, parse_moodle_xml
from quizzes.interchange.moodle_xml import export_moodle
from quizzes.interchange.transfer import export_items
from quizzes.types import REGISTRY
from tests.quizzes.fixtures import load_items
from tests.quizzes.instructor_helpers import BASE, as_instructor, post

ITEMS = load_items()


def _shipped() -> list[dict[str, Any]]:
    """The shipped bank as the export sees it."""
    return [dict(item) for item in get_bank().items.values()]


def test_shipped_bank_round_trip_counts_by_type_and_second_export_is_identical() -> None:
    items = _shipped()
    first = export_moodle(items)
    written = {k for k, qt in REGISTRY.items() if qt.moodle.written}
    expected = Counter(i["type"] for i in items if i["type"] in written)
    assert first.written == expected and sum(expected.values()) > 0
    assert {i for i, _ in first.skipped} == {i["id"] for i in items if i["type"] not in written}
    result = parse_moodle_xml(first.data.decode())
    assert Counter(line.status for line in result.report) == {IMPORTED: sum(expected.values())}
    imported = [q.item for q in result.questions]
    assert Counter(i["type"] for i in imported) == expected  # every type comes back as itself
    originals = {i["id"]: i for i in items}
    for item in imported:  # ids, topics, NCJMM steps, titles and sources survive
        source = originals[item["id"]]
        for key in ("topic", "cjmm", "title", "sources", "stem"):
            assert item.get(key) == (source.get(key).strip() if key == "stem" and key in source
                                     else source.get(key)), (item["id"], key)
        assert REGISTRY[item["type"]].max_points(item) == REGISTRY[source["type"]].max_points(source)
    assert export_moodle(imported).data == first.data


def test_every_question_carries_idnumber_tags_grade_and_markdown() -> None:
    item = ITEMS["fx-sata"]
    quiz = fromstring(export_moodle([item]).data)
    category, question = quiz.findall("question")
    assert category.get("type") == "category" and category.findtext("category/text").endswith(item["topic"])
    assert question.findtext("idnumber") == item["id"]
    assert question.findtext("defaultgrade") == f"{REGISTRY['sata'].max_points(item):g}"
    assert question.find("questiontext").get("format") == "markdown"
    tags = [t.findtext("text") for t in question.iterfind("tags/tag")]
    assert tags[0] == f"module:{item['topic']}" and tags[-1] == "item-type:sata"
    feedback = [a.findtext("feedback/text") for a in question.iterfind("answer")]
    assert feedback == [o["rationale"].strip() for o in item["options"]]


def _moodle_multichoice(question: Any, chosen: set[int]) -> float:
    """Moodle's multichoice grade: the chosen fractions summed and clamped to 0..1, times the grade."""
    fractions = [float(a.get("fraction")) / 100 for a in question.iterfind("answer")]
    total = sum(f for i, f in enumerate(fractions) if i in chosen)
    return min(1.0, max(0.0, total)) * float(question.findtext("defaultgrade"))


@pytest.mark.parametrize("item_id", ["fx-sata", "fx-mcq"])
def test_multichoice_fractions_give_our_score_for_every_response(item_id: str) -> None:
    item = ITEMS[item_id]
    question = fromstring(export_moodle([item]).data).findall("question")[1]
    ids = [o["id"] for o in item["options"]]
    sizes = range(len(ids) + 1) if item["type"] == "sata" else (1,)
    for size in sizes:
        for chosen in itertools.combinations(range(len(ids)), size):
            response = ({"selected": [ids[i] for i in chosen]} if item["type"] == "sata"
                        else {"selected": ids[chosen[0]]})
            ours = REGISTRY[item["type"]].score(item, response).points
            assert _moodle_multichoice(question, set(chosen)) == pytest.approx(ours), chosen


def test_types_moodle_cannot_score_are_left_out_with_their_reason() -> None:
    out = export_moodle([ITEMS["fx-select2"], ITEMS["fx-bowtie"], ITEMS["fx-ddrationale-dyad"], {"id": "x"}])
    reasons = dict(out.skipped)
    assert "cannot limit how many options" in reasons["fx-select2"]
    assert "double credit" in reasons["fx-bowtie"]
    assert "groups" in reasons["fx-ddrationale-dyad"]
    assert reasons["x"] == "unknown item type None" and sum(out.written.values()) == 0


def test_a_fixed_order_is_kept_and_read_back() -> None:
    item = dict(ITEMS["fx-mcq"], shuffle=False)
    data = export_moodle([item]).data
    assert b"<shuffleanswers>false</shuffleanswers>" in data
    assert parse_moodle_xml(data.decode()).questions[0].item["shuffle"] is False


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Spasticity</text></category></question>
  <question type="multichoice">
    <name><text>Tone scale</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which scale grades tone?</p>]]></text></questiontext>
    <single>true</single>
    <answer fraction="100"><text>Modified Ashworth</text><feedback><text>It grades tone.</text></feedback></answer>
    <answer fraction="0"><text>MRC</text><feedback><text>It grades strength.</text></feedback></answer>
  </question>
  <question type="essay">
    <name><text>Explain</text></name>
    <questiontext format="html"><text>Explain.</text></questiontext>
  </question>
  <question type="gapselect">
    <name><text>Gaps</text></name>
    <questiontext format="markdown"><text>Baclofen is stopped [[1]], never [[3]].</text></questiontext>
    <selectoption><text>slowly</text><group>1</group></selectoption>
    <selectoption><text>red</text><group>2</group></selectoption>
    <selectoption><text>suddenly</text><group>1</group></selectoption>
  </question>
  <question type="multianswer">
    <name><text>Typed</text></name>
    <questiontext format="markdown"><text>Dose {1:SHORTANSWER:=10}</text></questiontext>
  </question>
</quiz>
"""


def test_a_moodle_file_gets_a_line_numbered_report() -> None:
    result = parse_moodle_xml(FOREIGN)
    lines = [(r.status, r.line, r.title) for r in result.report]
    essay = DEGRADED if "essay" in REGISTRY else SKIPPED  # a foreign essay has no rubric: one criterion
    assert lines == [(IMPORTED, 4, "Tone scale"), (essay, 11, "Explain"), (DEGRADED, 15, "Gaps"),
                     (SKIPPED, 22, "Typed")]
    mcq, gaps = (q.item for q in result.questions if q.item["type"] != "essay")
    # One wrapping paragraph of HTML is unwrapped; the category names the topic.
    assert (mcq["type"], mcq["topic"], mcq["stem"]) == ("mcq", "spasticity", "Which scale grades tone?")
    assert mcq["options"][1] == {"id": "b", "text": "MRC", "rationale": "It grades strength."}
    assert [[o["text"] for o in b["options"]] for b in gaps["blanks"]] == [["slowly", "suddenly"]] * 2
    assert "no feedback" in result.report[2].reason and "SHORTANSWER" in result.report[3].reason


@pytest.mark.parametrize("text, message", [
    ("<quiz><question>", r"not well-formed XML \(line 1"),
    ("<html></html>", "root element is <html>"),
    ('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "DTD or entities"),
    ('<!DOCTYPE quiz SYSTEM "http://evil.test/x.dtd"><quiz/>', "DTD or entities"),
])
def test_broken_or_hostile_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(MoodleXmlError, match=message):
        parse_moodle_xml(text)


def test_question_count_is_bounded_before_reading() -> None:
    text = "<quiz>" + '<question type="truefalse"/>' * 5 + "</quiz>"
    with pytest.raises(TooManyQuestions):
        parse_moodle_xml(text, max_questions=4)
    assert len(parse_moodle_xml(text, max_questions=5).report) == 5


def test_web_upload_imports_and_a_broken_file_is_400(app, client, platform) -> None:
    cid = as_instructor(client, platform)
    data = export_moodle([ITEMS["fx-mcq"], ITEMS["fx-ddtable"]]).data

    def upload(content: bytes) -> Any:
        return post(client, cid, "/transfer/import", {"file": (io.BytesIO(content), "q.xml")},
                    content_type="multipart/form-data")
    resp = upload(data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "2 question(s) imported (0 with losses)" in html
    assert "tag=moodle-import" in html
    with app.app_context():
        assert sorted(i["type"] for i in export_items(cid)) == ["dropdown_table", "mcq"]
    bad = upload(b"<quiz><question></quiz>")
    assert bad.status_code == 400 and "not well-formed XML" in bad.get_data(as_text=True)


def test_web_and_cli_export_the_shipped_bank_as_moodle_xml(app, client, platform, tmp_path) -> None:
    cid = as_instructor(client, platform)
    url = BASE.format(cid=cid) + "/transfer/export?format=moodle&source=shipped"
    resp = client.get(url)
    expected = export_moodle(_shipped())
    assert resp.status_code == 200 and resp.data == expected.data
    assert resp.headers["X-Skipped-Items"] == str(len(expected.skipped))
    assert client.get(url.replace("shipped", "elsewhere")).status_code == 400
    page = client.get(BASE.format(cid=cid) + "/transfer").get_data(as_text=True)
    assert "Moodle XML" in page and "source=shipped" in page
    out = tmp_path / "bank.xml"
    result = app.test_cli_runner().invoke(args=["quizzes", "export", "--format", "moodle", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {sum(expected.written.values())} question(s)" in result.output
    assert f"  sata: {expected.written['sata']}" in result.output and out.read_bytes() == expected.data


def test_gift_writes_ids_as_moodle_4_reads_them_and_reads_both_forms() -> None:
    from quizzes.interchange.gift import parse_gift
    from quizzes.interchange.gift_export import export_gift
    text = export_gift([ITEMS["fx-tf"]]).text
    assert f"// [id:{ITEMS['fx-tf']['id']}]\n" in text and "// id:" not in text
    assert parse_gift(text).questions[0].item["id"] == ITEMS["fx-tf"]["id"]
    assert parse_gift("// id: old-style\n::T::x{T}").questions[0].item["id"] == "old-style"


def test_gift_export_reports_a_fixed_order_it_cannot_carry() -> None:
    from quizzes.interchange.gift_export import export_gift
    fixed = dict(ITEMS["fx-mcq"], shuffle=False)
    out = export_gift([fixed, ITEMS["fx-sata"], dict(ITEMS["fx-tf"], shuffle=False)])
    assert [(i, "Shuffle the choices" in n) for i, n in out.notes] == [(fixed["id"], True)]


TYPED = [
    {"id": "dose-ml", "type": "numeric", "topic": "medication-safety", "stem": "How many mL?", "answer": 0.5,
     "places": 1, "unit": "mL", "unit_credit": 0.5, "rationale": "1 mg / 2 mg per mL = 0.5 mL."},
    {"id": "dose-pct", "type": "numeric", "topic": "medication-safety", "stem": "How many mcg?", "answer": 500,
     "tolerance": 10, "tolerance_type": "percent", "rationale": "2000 x 0.25 = 500."},
    {"id": "drug-name", "type": "short_answer", "topic": "spasticity", "stem": "Name it.",
     "answers": ["baclofen", "Lioresal*"], "case_sensitive": True, "rationale": "First line."},
    {"id": "why-taper", "type": "essay", "topic": "medication-safety", "stem": "Why taper?", "max_words": 150,
     "rationale": "Withdrawal is dangerous.",
     "rubric": [{"id": "c1", "text": "Names the risk", "points": 2, "rationale": "Seizures."},
                {"id": "c2", "text": "Says what to do", "points": 1, "rationale": "Taper."}]},
]


@pytest.mark.skipif("essay" not in REGISTRY, reason="the typed-answer types are not registered yet")
def test_typed_answers_round_trip_with_their_rules_and_notes() -> None:
    first = export_moodle(TYPED)
    assert first.written == {"numeric": 2, "short_answer": 1, "essay": 1} and first.skipped == []
    quiz = fromstring(first.data)
    dose = quiz.find("question[@type='numerical']")
    assert (dose.findtext("answer/tolerance"), dose.findtext("unitpenalty")) == ("0", "0.5")
    assert quiz.findall("question[@type='numerical']")[1].findtext("answer/tolerance") == "50"
    assert [a.findtext("text") for a in quiz.iterfind("question[@type='shortanswer']/answer")] == [
        "baclofen", "Lioresal\\*"]
    assert quiz.find("question[@type='essay']").findtext("defaultgrade") == "3"
    assert {i for i, _ in first.notes} == {"dose-ml", "dose-pct", "drug-name"}
    result = parse_moodle_xml(first.data.decode())
    back = {q.item["id"]: q.item for q in result.questions}
    for item in TYPED:
        assert {k: v for k, v in back[item["id"]].items() if k != "typos"} == item
    assert back["drug-name"]["typos"] == 1  # the tool's default, kept in a tag
    assert export_moodle(list(back.values())).data == first.data


def test_images_go_in_as_base64_files_beside_the_text_that_names_them() -> None:
    import base64

    from quizzes.media.exporting import ExportImages, ImageFile
    picture = b"\x89PNG\r\n\x1a\nnot-really"
    images = ExportImages({5: ImageFile(5, "5-knee.png", "image/png", picture, "Knee")})
    item = dict(ITEMS["fx-mcq"], stem="Look at ![](image:5).")
    item["options"] = [dict(o) for o in item["options"]]
    item["options"][1]["rationale"] = "As ![x](image:5) shows."
    question = fromstring(export_moodle([item], images).data).findall("question")[1]
    stem = question.find("questiontext")
    assert stem.findtext("text") == "Look at ![Knee](@@PLUGINFILE@@/5-knee.png)."
    [file_el] = stem.findall("file")
    assert (file_el.get("name"), file_el.get("encoding")) == ("5-knee.png", "base64")
    assert base64.b64decode(file_el.text) == picture
    feedback = question.findall("answer")[1].find("feedback")
    assert [f.get("name") for f in feedback.findall("file")] == ["5-knee.png"]
    assert question.findall("answer")[0].find("feedback").findall("file") == []
    assert b"<file" not in export_moodle([item]).data  # no images given: the reference stays
    back = parse_moodle_xml(export_moodle([item], images).data.decode())
    assert "image '5-knee.png' left out: The image could not be read." in back.report[0].reason
