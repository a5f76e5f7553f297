"""QTI 1.2 export: package layout, Canvas metadata and scoring, escaping and skipped types."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import yaml

from quizzes.interchange.qti import export_qti_zip

NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2", "cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}


def _schema_items() -> list[dict[str, Any]]:
    """The standalone example items of quizzes/bank/SCHEMA.md (all valid by construction)."""
    text = (Path(__file__).parents[3] / "quizzes" / "bank" / "SCHEMA.md").read_text(encoding="utf-8")
    items: list[dict[str, Any]] = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        data = yaml.safe_load(block)
        if isinstance(data, list) and data and "type" in data[0]:
            items += data
    return items


def _unpack(data: bytes) -> tuple[ET.Element, ET.Element, list[str]]:
    """Parse the manifest and the one assessment the manifest points at."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    resource = manifest.find("cp:resources/cp:resource", NS)
    assert resource is not None and resource.get("type") == "imsqti_xmlv1p2"
    href = resource.find("cp:file", NS).get("href")
    assessment = ET.fromstring(archive.read(href))
    return manifest, assessment, archive.namelist()


def _items(assessment: ET.Element) -> dict[str, ET.Element]:
    """Items by ident."""
    return {i.get("ident"): i for i in assessment.iterfind(".//q:item", NS)}


def _meta(item: ET.Element) -> dict[str, str]:
    """The qtimetadata fields of one item."""
    return {
        f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
        for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)
    }


def test_package_has_manifest_and_one_parseable_assessment() -> None:
    data, skipped = export_qti_zip("Weakness check", _schema_items())
    manifest, assessment, names = _unpack(data)
    assert len(names) == 2 and "imsmanifest.xml" in names
    assert assessment.tag == f"{{{NS['q']}}}questestinterop"
    assert assessment.find("q:assessment", NS).get("title") == "Weakness check"
    types = {ident: _meta(el)["question_type"] for ident, el in _items(assessment).items()}
    assert types == {
        "example-mcq-mrc-grade": "multiple_choice_question",
        "example-tf-early-wasting": "true_false_question",
        "example-matching-atrophy": "matching_question",
        "example-sata-emg-triggers": "multiple_answers_question",
        "example-ddcloze-mcdonald": "multiple_dropdowns_question",
    }
    assert data == export_qti_zip("Weakness check", _schema_items())[0]  # reproducible bytes


def test_unsupported_types_are_listed_as_skipped() -> None:
    _, skipped = export_qti_zip("All types", _schema_items())
    reasons = dict(skipped)
    assert set(reasons) == {
        "example-ordering-ashworth", "example-select2-relapse", "example-matrix-umn-lmn",
        "example-matrixmr-atrophy", "example-ddtable-emg", "example-dragcloze-atrophy",
        "example-highlight-second-cause", "example-bowtie-uti-spasticity",
        "example-ddrationale-trigger", "example-dragrationale-second-cause",
    }
    assert "bowtie" in reasons["example-bowtie-uti-spasticity"]
    bad = {"id": "bad-mcq", "type": "mcq", "topic": "weakness", "stem": "No options here"}
    assert "options" in dict(export_qti_zip("Bad", [bad])[1])["bad-mcq"]


def test_mcq_scoring_and_per_answer_feedback() -> None:
    mcq = next(i for i in _schema_items() if i["type"] == "mcq")
    _, assessment, _ = _unpack(export_qti_zip("One", [mcq])[0])
    item = _items(assessment)[mcq["id"]]
    assert _meta(item)["points_possible"] == "1"
    key = next(o["id"] for o in mcq["options"] if o.get("correct"))
    setters = [c for c in item.iterfind("q:resprocessing/q:respcondition", NS) if c.find("q:setvar", NS) is not None]
    assert [c.findtext("q:conditionvar/q:varequal", namespaces=NS) for c in setters] == [key]
    assert setters[0].findtext("q:setvar", namespaces=NS) == "100"
    feedback = {f.get("ident"): "".join(f.itertext()) for f in item.iterfind("q:itemfeedback", NS)}
    assert set(feedback) == {f"{o['id']}_fb" for o in mcq["options"]}
    assert "gravity eliminated" in feedback["a_fb"]
    links = {d.get("linkrefid") for d in item.iterfind(".//q:displayfeedback", NS)}
    assert links == set(feedback)


def test_matching_and_dropdowns_add_partial_scores() -> None:
    items = [i for i in _schema_items() if i["type"] in ("matching", "dropdown_cloze")]
    _, assessment, _ = _unpack(export_qti_zip("Two", items)[0])
    matching = _items(assessment)["example-matching-atrophy"]
    adds = [s.text for s in matching.iterfind(".//q:setvar[@action='Add']", NS)]
    assert adds == ["33.33"] * 3  # three prompts share 100
    lids = [lid.get("ident") for lid in matching.iterfind("q:presentation/q:response_lid", NS)]
    assert lids == ["response_disuse", "response_neuro", "response_steroid"]
    cloze = _items(assessment)["example-ddcloze-mcdonald"]
    stem = cloze.findtext("q:presentation/q:material/q:mattext", namespaces=NS)
    assert "[b1]" in stem and "[b2]" in stem and "[[" not in stem
    assert [s.text for s in cloze.iterfind(".//q:setvar[@action='Add']", NS)] == ["50.00", "50.00"]


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
    data, skipped = export_qti_zip(f"Quiz {payload}", [mcq])
    assert skipped == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        raw = archive.read(name).decode("utf-8")
        assert "<script" not in raw and "<img" not in raw  # never live markup in the XML
    _, assessment, _ = _unpack(data)
    item = _items(assessment)["xss-item"]
    for mattext in item.iterfind(".//q:mattext", NS):
        html = mattext.text or ""
        # The HTML inside mattext shows the payload as text, never as a tag.
        assert "<script" not in html and "<img" not in html
    stem = item.findtext("q:presentation/q:material/q:mattext", namespaces=NS)
    assert "&lt;script&gt;" in stem and "&amp; more" in stem
    assert assessment.find("q:assessment", NS).get("title") == f"Quiz {payload}"
