"""QTI 1.2 export: package shapes (bank, quiz with settings), Canvas metadata, feedback Canvas keeps,
plain-text targets and options, scoring checked by running the written resprocessing, escaping."""

from __future__ import annotations

import io
import itertools
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from quizzes.bank_loader import get_bank
from quizzes.interchange.qti import QuizSettings, export_qti_zip
from quizzes.types import REGISTRY

NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2", "cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}
Q = f"{{{NS['q']}}}"


def _schema_items() -> list[dict[str, Any]]:
    """The standalone example items of quizzes/bank/SCHEMA.md (all valid by construction)."""
    text = (Path(__file__).parents[3] / "quizzes" / "bank" / "SCHEMA.md").read_text(encoding="utf-8")
    items: list[dict[str, Any]] = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        data = yaml.safe_load(block)
        if isinstance(data, list) and data and "type" in data[0]:
            items += data
    return items


def _example(kind: str) -> dict[str, Any]:
    """The SCHEMA.md example of one type."""
    return next(i for i in _schema_items() if i["type"] == kind)


def _unpack(data: bytes) -> tuple[ET.Element, ET.Element, list[str]]:
    """Parse the manifest and the one QTI document the manifest points at."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    resource = manifest.find("cp:resources/cp:resource", NS)
    assert resource is not None and resource.get("type") == "imsqti_xmlv1p2"
    href = resource.find("cp:file", NS).get("href")
    return manifest, ET.fromstring(archive.read(href)), archive.namelist()


def _items(document: ET.Element) -> dict[str, ET.Element]:
    """Items by ident."""
    return {i.get("ident"): i for i in document.iterfind(".//q:item", NS)}


def _one(item: dict[str, Any]) -> ET.Element:
    """The written element of one item (which must not be skipped)."""
    data, skipped = export_qti_zip("One", [item])
    assert skipped == []
    return _items(_unpack(data)[1])[item["id"]]


def _meta(element: ET.Element, path: str = "q:itemmetadata/q:qtimetadata") -> dict[str, str]:
    """The qtimetadata fields under one element."""
    return {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
            for f in element.iterfind(f"{path}/q:qtimetadatafield", NS)}


def _feedback(item: ET.Element) -> dict[str, str]:
    """itemfeedback text by ident."""
    return {f.get("ident"): "".join(f.itertext()) for f in item.iterfind("q:itemfeedback", NS)}


def _holds(var: ET.Element, answers: dict[str, str]) -> bool:
    """Evaluate one QTI 1.2 condition expression against {respident: chosen ident}."""
    tag = var.tag.removeprefix(Q)
    if tag in ("conditionvar", "and"):
        return all(_holds(child, answers) for child in var)
    if tag == "not":
        return not _holds(var[0], answers)
    if tag == "other":
        return True
    assert tag == "varequal", tag
    return answers.get(var.get("respident", "")) == var.text


def _run(item: ET.Element, answers: dict[str, str]) -> tuple[float, set[str]]:
    """Run the written resprocessing as a QTI 1.2 engine does: SCORE and the feedback shown.

    A condition that holds stops processing unless it says continue="Yes" (the QTI default is No).
    """
    score, shown = 0.0, set()
    for cond in item.iterfind("q:resprocessing/q:respcondition", NS):
        if not _holds(cond.find("q:conditionvar", NS), answers):
            continue
        for setvar in cond.iterfind("q:setvar", NS):
            score = float(setvar.text) + (score if setvar.get("action") == "Add" else 0.0)
        shown |= {d.get("linkrefid") for d in cond.iterfind("q:displayfeedback", NS)}
        if cond.get("continue") != "Yes":
            break
    return score, shown


def test_default_package_is_a_canvas_question_bank() -> None:
    data, _ = export_qti_zip("Weakness check", _schema_items())
    manifest, document, names = _unpack(data)
    assert len(names) == 2 and "imsmanifest.xml" in names
    assert document.tag == f"{Q}questestinterop"
    bank = document.find("q:objectbank", NS)
    assert bank is not None and document.find("q:assessment", NS) is None
    assert _meta(bank, "q:qtimetadata") == {"bank_title": "Weakness check"}
    assert not list(document.iter(f"{Q}section"))  # Canvas files only items directly in the bank
    assert [child.get("ident") for child in bank.iterfind("q:item", NS)] == list(_items(document))
    assert data == export_qti_zip("Weakness check", _schema_items())[0]  # reproducible bytes


def test_quiz_shape_carries_its_settings() -> None:
    items = _schema_items()
    data, _ = export_qti_zip("Check", items, shape="quiz", settings=QuizSettings(3, 45))
    document = _unpack(data)[1]
    assessment = document.find("q:assessment", NS)
    assert assessment.get("title") == "Check" and document.find("q:objectbank", NS) is None
    assert _meta(assessment, "q:qtimetadata") == {
        "cc_maxattempts": "3", "qmd_timelimit": "45", "qmd_assessmenttype": "Examination"}
    assert [s.get("ident") for s in assessment.iterfind("q:section", NS)] == ["root_section"]
    assert len(assessment.findall("q:section/q:item", NS)) == len(_items(document))
    practice = export_qti_zip("Check", items, shape="quiz", settings=QuizSettings(0, None, graded=False))[0]
    assert _meta(_unpack(practice)[1].find("q:assessment", NS), "q:qtimetadata") == {"cc_maxattempts": "unlimited"}
    with pytest.raises(ValueError):
        export_qti_zip("Check", items, shape="folder")


def test_question_types_and_skipped_types() -> None:
    data, skipped = export_qti_zip("All types", _schema_items())
    types = {ident: _meta(el)["question_type"] for ident, el in _items(_unpack(data)[1]).items()}
    assert types == {
        "example-mcq-mrc-grade": "multiple_choice_question",
        "example-tf-early-wasting": "true_false_question",
        "example-matching-atrophy": "matching_question",
        "example-sata-emg-triggers": "multiple_answers_question",
        "example-ddcloze-mcdonald": "multiple_dropdowns_question",
        "example-ddtable-emg": "multiple_dropdowns_question",
        "example-matrix-umn-lmn": "multiple_dropdowns_question",
        "example-numeric-itb-daily-dose": "numerical_question",
        "example-short-tizanidine": "short_answer_question",
        "example-essay-baclofen-stop": "essay_question",
    }
    reasons = dict(skipped)
    assert set(reasons) == {
        "example-ordering-ashworth", "example-select2-relapse", "example-matrixmr-atrophy",
        "example-dragcloze-atrophy", "example-highlight-second-cause", "example-bowtie-uti-spasticity",
        "example-ddrationale-trigger", "example-dragrationale-second-cause",
    }
    assert "bowtie" in reasons["example-bowtie-uti-spasticity"]
    bad = {"id": "bad-mcq", "type": "mcq", "topic": "weakness", "stem": "No options here"}
    assert "options" in dict(export_qti_zip("Bad", [bad])[1])["bad-mcq"]


def test_mcq_scoring_and_per_answer_feedback() -> None:
    mcq = _example("mcq")
    item = _one(mcq)
    assert _meta(item)["points_possible"] == "1"
    key = next(o["id"] for o in mcq["options"] if o.get("correct"))
    feedback = _feedback(item)
    assert set(feedback) == {f"{o['id']}_fb" for o in mcq["options"]}
    assert "gravity eliminated" in feedback["a_fb"]
    for option in mcq["options"]:
        score, shown = _run(item, {"response1": option["id"]})
        assert score == (100.0 if option["id"] == key else 0.0)
        assert shown == {f"{option['id']}_fb"}  # its own rationale, from a condition that let scoring go on


def test_dropdown_cloze_keeps_every_rationale_in_general_feedback() -> None:
    cloze = _example("dropdown_cloze")
    item = _one(cloze)
    conditions = item.findall("q:resprocessing/q:respcondition", NS)
    first = conditions[0]  # first, with continue, so scoring still runs after it
    assert first.find("q:conditionvar/q:other", NS) is not None and first.get("continue") == "Yes"
    assert first.find("q:displayfeedback", NS).get("linkrefid") == "general_fb"
    general = _feedback(item)["general_fb"]
    for blank in cloze["blanks"]:
        assert f"[{blank['id']}]" in general and blank["rationale"] in general
        for option in blank["options"]:
            if option.get("rationale"):
                assert option["rationale"] in general
    assert "general_fb" in _run(item, {})[1]  # shown to every learner, whatever they chose


def test_matching_targets_are_numbered_plain_text() -> None:
    matching = _example("matching")
    matching["targets"] = [{"id": "a1", "text": "**Often** reverses with _activity_"},
                           {"id": "b1", "text": "Fibrillation potentials on [needle EMG](https://example.org)"},
                           {"id": "c", "text": "Proximal weakness &amp; steroids"},
                           dict(matching["targets"][3])]
    for prompt, target in zip(matching["prompts"], ("a1", "b1", "c")):
        prompt["match"] = target
    item = _one(matching)
    for lid in item.iterfind("q:presentation/q:response_lid", NS):
        labels = lid.findall("q:render_choice/q:response_label", NS)
        assert [label.get("ident") for label in labels] == ["1", "2", "3", "4"]  # a1 and b1 would both be match 1
        texts = [label.find("q:material/q:mattext", NS) for label in labels]
        assert {t.get("texttype") for t in texts} == {"text/plain"}
        assert [t.text for t in texts][:3] == ["Often reverses with activity", "Fibrillation potentials on needle EMG",
                                               "Proximal weakness & steroids"]
    right = {f"response_{p['id']}": str(n) for n, p in enumerate(matching["prompts"], start=1)}
    assert _run(item, right)[0] == pytest.approx(100, abs=0.02)
    score, shown = _run(item, {**right, "response_steroid": "4"})
    assert score == pytest.approx(66.66) and "steroid_fb" in shown and "disuse_fb" not in shown
    assert matching["targets"][3]["rationale"] in _feedback(item)["general_fb"]  # the distractor's rationale


def test_dropdown_options_are_plain_text() -> None:
    cloze = _example("dropdown_cloze")
    cloze["blanks"][0]["options"][1]["text"] = "*two* (`2`)"
    item = _one(cloze)
    texts = {label.get("ident"): label.find("q:material/q:mattext", NS)
             for label in item.iterfind(".//q:response_label", NS)}
    assert texts["b1_o2"].text == "two (2)" and texts["b1_o2"].get("texttype") == "text/plain"
    assert {t.get("texttype") for t in texts.values()} == {"text/plain"}


@pytest.mark.parametrize("kind", ["dropdown_cloze", "dropdown_table", "matrix_mc", "matching"])
def test_written_scoring_matches_ours_for_every_answer(kind: str) -> None:
    """Canvas scores a multiple dropdowns or matching question by the share of right parts; so do we."""
    source = _example(kind)
    item = _one(source)
    if kind == "matching":
        parts = [(f"response_{p['id']}", p["id"], [str(n) for n in range(1, len(source["targets"]) + 1)])
                 for p in source["prompts"]]
        back = {str(n): t["id"] for n, t in enumerate(source["targets"], start=1)}
    else:
        slots = source["blanks"] if kind == "dropdown_cloze" else source["rows"]
        options = [s.get("options") or source.get("options") or source["columns"] for s in slots]
        parts = [(f"response_{s['id']}", s["id"], [f"{s['id']}_{o['id']}" for o in opts])
                 for s, opts in zip(slots, options)]
        back = {f"{s['id']}_{o['id']}": o["id"] for s, opts in zip(slots, options) for o in opts}
    assert [lid.get("ident") for lid in item.iterfind("q:presentation/q:response_lid", NS)] == [p[0] for p in parts]
    for choice in itertools.product(*(idents for _, _, idents in parts)):
        written, _ = _run(item, {respident: ident for (respident, _, _), ident in zip(parts, choice)})
        ours = REGISTRY[kind].score(source, {part_id: back[ident] for (_, part_id, _), ident in zip(parts, choice)})
        assert written / 100 == pytest.approx(ours.points / ours.max_points, abs=0.001)


def test_grid_types_are_one_drop_down_per_row() -> None:
    table = _example("dropdown_table")
    item = _one(table)
    assert _meta(item)["points_possible"] == str(len(table["rows"]))
    stem = item.findtext("q:presentation/q:material/q:mattext", namespaces=NS)
    assert all(f"[{row['id']}]" in stem and row["text"] in stem for row in table["rows"])
    assert "<th scope=\"col\">Result</th>" in stem
    general = _feedback(item)["general_fb"]
    assert all(row["rationale"] in general for row in table["rows"])
    assert all(general.count(o["rationale"]) == 1 for o in table["options"])  # shared options explained once
    matrix = _one(_example("matrix_mc"))
    labels = [t.text for t in matrix.iterfind("q:presentation/q:response_lid[1]//q:mattext", NS)]
    assert labels == ["r1", "Upper motor neuron", "Lower motor neuron"]


def test_every_condition_but_a_score_set_continues() -> None:
    """Several conditions must all be evaluated (each part's score, each feedback): continue="Yes"."""
    data, _ = export_qti_zip("Shipped", [dict(i) for i in get_bank().items.values()])
    items = _items(_unpack(data)[1])
    assert len(items) > 40
    for ident, item in items.items():
        for cond in item.iterfind("q:resprocessing/q:respcondition", NS):
            # Only a condition that sets the final score may stop; feedback and Add-ed parts go on.
            if not any(s.get("action") == "Set" for s in cond.iterfind("q:setvar", NS)):
                assert cond.get("continue") == "Yes", ident


def test_xss_in_stems_and_options_is_escaped() -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    mcq = {
        "id": "xss-item", "type": "mcq", "topic": "weakness", "title": f"T {payload}",
        "stem": f"Stem {payload} & more",
        "options": [
            {"id": "a", "text": f"A {payload}", "correct": True, "rationale": f"Why {payload}"},
            {"id": "b", "text": "B", "rationale": "Because."},
        ],
    }
    matching = _example("matching")
    matching["targets"][0]["text"] = f"Target {payload}"
    data, skipped = export_qti_zip(f"Quiz {payload}", [mcq, matching])
    assert skipped == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        raw = archive.read(name).decode("utf-8")
        assert "<script" not in raw and "<img" not in raw  # never live markup in the XML
    document = _unpack(data)[1]
    for mattext in document.iterfind(".//q:mattext[@texttype='text/html']", NS):
        # The HTML inside mattext shows the payload as text, never as a tag.
        assert "<script" not in (mattext.text or "") and "<img" not in (mattext.text or "")
    stem = _items(document)["xss-item"].findtext("q:presentation/q:material/q:mattext", namespaces=NS)
    assert "&lt;script&gt;" in stem and "&amp; more" in stem
    plain = _items(document)[matching["id"]].find(".//q:response_label/q:material/q:mattext", NS)
    assert plain.get("texttype") == "text/plain" and plain.text == f"Target {payload}"  # text, shown as text
    assert document.find("q:objectbank", NS).findtext(".//q:fieldentry", namespaces=NS) == f"Quiz {payload}"
