"""Export items as an IMS QTI 1.2 content package in the flavour Canvas imports.

The item shapes mirror Canvas's own exporter (``lib/cc/qti/qti_items.rb`` in canvas-lms):
``question_type`` metadata, one ``response_lid`` per choice list, matching and dropdown blanks as
``response_<id>`` with ``Add``-ed scores, and per-answer feedback as ``itemfeedback`` elements
named ``<answer>_fb`` and shown through ``displayfeedback``. Stems and rationales are our
sanitised Markdown rendered to HTML; ElementTree XML-escapes every text and attribute.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

from course.content import ContentError
from course.markdown import render_inline, render_markdown
from quizzes.types import REGISTRY

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
MD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
CANVAS_TYPES = {
    "mcq": "multiple_choice_question",
    "true_false": "true_false_question",
    "sata": "multiple_answers_question",
    "matching": "matching_question",
    "dropdown_cloze": "multiple_dropdowns_question",
}
# Canvas's Common Cartridge profile names for the types that have one.
CC_PROFILES = {"mcq": "cc.multiple_choice.v0p1", "true_false": "cc.true_false.v0p1",
               "sata": "cc.multiple_response.v0p1"}
_BLANK = re.compile(r"\[\[([a-z0-9][a-z0-9_-]*)\]\]")
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # a fixed zip timestamp keeps the package reproducible


def export_qti_zip(quiz_title: str, items: Iterable[Mapping[str, Any]]) -> tuple[bytes, list[tuple[str, str]]]:
    """Build the zip (manifest + one assessment) and list (item id, reason) for items left out."""
    skipped: list[tuple[str, str]] = []
    elements: list[ET.Element] = []
    for item in items:
        item_id, kind = str(item.get("id", "?")), item.get("type")
        if kind not in REGISTRY:
            skipped.append((item_id, f"unknown item type {kind!r}"))
            continue
        if not REGISTRY[kind].qti.written:  # the type says why QTI cannot carry it
            skipped.append((item_id, f"{REGISTRY[kind].qti.reason} ({kind})"))
            continue
        try:
            REGISTRY[kind].validate(item, f"item {item_id}")
        except ContentError as err:
            skipped.append((item_id, str(err)))
            continue
        elements.append(_item(item))
    ident = "g" + hashlib.sha1(("\n".join([quiz_title] + [e.get("ident", "") for e in elements])).encode()).hexdigest()
    files = {
        "imsmanifest.xml": _xml(_manifest(ident, quiz_title)),
        f"{ident}/{ident}.xml": _xml(_assessment(ident, quiz_title, elements)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), skipped


def _xml(root: ET.Element) -> bytes:
    """Serialise with an XML declaration, UTF-8."""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append a child element with optional text and attributes."""
    child = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        child.text = text
    return child


def _manifest(ident: str, title: str) -> ET.Element:
    """The IMS content package manifest pointing at the one assessment file."""
    root = ET.Element("manifest", {"identifier": f"{ident}_manifest", "xmlns": CP_NS, "xmlns:imsmd": MD_NS})
    meta = _sub(root, "metadata")
    _sub(meta, "schema", "IMS Content")
    _sub(meta, "schemaversion", "1.1.3")
    lom_title = _sub(_sub(_sub(meta, "imsmd:lom"), "imsmd:general"), "imsmd:title")
    _sub(lom_title, "imsmd:string", title)
    _sub(root, "organizations")
    resource = _sub(_sub(root, "resources"), "resource", identifier=ident, type="imsqti_xmlv1p2")
    _sub(resource, "file", href=f"{ident}/{ident}.xml")
    return root


def _assessment(ident: str, title: str, items: list[ET.Element]) -> ET.Element:
    """The questestinterop document: one assessment, one root section, the items."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = _sub(root, "assessment", ident=ident, title=title)
    field = _sub(_sub(assessment, "qtimetadata"), "qtimetadatafield")
    _sub(field, "fieldlabel", "cc_maxattempts")
    _sub(field, "fieldentry", "1")
    section = _sub(assessment, "section", ident="root_section")
    section.extend(items)
    return root


def _mattext(parent: ET.Element, html: str) -> None:
    """A material holding HTML text."""
    _sub(_sub(parent, "material"), "mattext", html, texttype="text/html")


def _labels(lid: ET.Element, labels: list[tuple[str, str]]) -> None:
    """Choices of a response_lid as (ident, html) pairs."""
    choice = _sub(lid, "render_choice")
    for ident, html in labels:
        _mattext(_sub(choice, "response_label", ident=ident), html)


def _condition(proc: ET.Element, respident: str, value: str, *, negate: bool = False, cont: str | None = None,
               score: tuple[str, str] | None = None, feedback: str | None = None) -> None:
    """One respcondition: compare a response, then set/add score and/or show feedback."""
    cond = _sub(proc, "respcondition", **({"continue_": cont} if cont else {}))
    var = _sub(cond, "conditionvar")
    _sub(_sub(var, "not") if negate else var, "varequal", value, respident=respident)
    if score:
        _sub(cond, "setvar", score[1], action=score[0], varname="SCORE")
    if feedback:
        _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback)


def _item(item: Mapping[str, Any]) -> ET.Element:
    """One Canvas QTI item: metadata, presentation, response processing and feedback."""
    kind = item["type"]
    element = ET.Element("item", ident=item["id"], title=item.get("title") or item["id"])
    presentation = ET.Element("presentation")
    proc = ET.Element("resprocessing")
    decvar = _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE")
    decvar.set("vartype", "Decimal")
    feedback: dict[str, str] = {}
    answer_ids = WRITERS[kind](item, presentation, proc, feedback)
    meta = _sub(_sub(element, "itemmetadata"), "qtimetadata")
    fields = [("question_type", CANVAS_TYPES[kind]), ("points_possible", f"{REGISTRY[kind].max_points(item):g}"),
              ("original_answer_ids", ",".join(answer_ids))]
    if kind in CC_PROFILES:
        fields.append(("cc_profile", CC_PROFILES[kind]))
    for label, entry in fields:
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)
    element.extend([presentation, proc])
    for ident, markdown in feedback.items():
        _mattext(_sub(_sub(element, "itemfeedback", ident=ident), "flow_mat"), render_markdown(markdown))
    return element


def _choices(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """mcq and sata: one response_lid; per-option feedback; Set 100 when the key is met."""
    multiple = item["type"] == "sata"
    _mattext(pres, render_markdown(item["stem"]))
    lid = _sub(pres, "response_lid", ident="response1", rcardinality="Multiple" if multiple else "Single")
    options = item["options"]
    _labels(lid, [(o["id"], render_inline(o["text"])) for o in options])
    for option in options:
        fb[f"{option['id']}_fb"] = option["rationale"]
        _condition(proc, "response1", option["id"], cont="Yes", feedback=f"{option['id']}_fb")
    cond = _sub(proc, "respcondition", continue_="No")
    var = _sub(cond, "conditionvar")
    if multiple:
        both = _sub(var, "and")
        for option in options:
            _sub(both if option.get("correct") else _sub(both, "not"), "varequal", option["id"], respident="response1")
    else:
        key = next(o["id"] for o in options if o.get("correct"))
        _sub(var, "varequal", key, respident="response1")
    _sub(cond, "setvar", "100", action="Set", varname="SCORE")
    return [o["id"] for o in options]


def _true_false(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """True/false as two choices; the single rationale is general feedback, always shown."""
    _mattext(pres, render_markdown(item["stem"]))
    lid = _sub(pres, "response_lid", ident="response1", rcardinality="Single")
    _labels(lid, [("true", "True"), ("false", "False")])
    fb["general_fb"] = item["rationale"]
    cond = _sub(proc, "respcondition", continue_="Yes")
    _sub(_sub(cond, "conditionvar"), "other")
    _sub(cond, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    _condition(proc, "response1", "true" if item["answer"] else "false", cont="No", score=("Set", "100"))
    return ["true", "false"]


def _matching(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """One response_lid per prompt listing every target; each right match adds 100/n."""
    _mattext(pres, render_markdown(item["stem"]))
    targets = [(t["id"], render_inline(t["text"])) for t in item["targets"]]
    share = f"{100 / len(item['prompts']):.2f}"
    for prompt in item["prompts"]:
        lid = _sub(pres, "response_lid", ident=f"response_{prompt['id']}")
        _mattext(lid, render_inline(prompt["text"]))
        _labels(lid, targets)
        respident = f"response_{prompt['id']}"
        _condition(proc, respident, prompt["match"], score=("Add", share))
        fb[f"{prompt['id']}_fb"] = prompt["rationale"]
        _condition(proc, respident, prompt["match"], negate=True, feedback=f"{prompt['id']}_fb")
    return [p["id"] for p in item["prompts"]]


def _dropdowns(item: Mapping[str, Any], pres: ET.Element, proc: ET.Element, fb: dict[str, str]) -> list[str]:
    """Canvas multiple dropdowns: '[blank]' in the text, one response_lid per blank."""
    text = _BLANK.sub(lambda m: f"[{m.group(1)}]", item["text"])
    _mattext(pres, render_markdown(item["stem"]) + render_markdown(text))
    share = f"{100 / len(item['blanks']):.2f}"
    answer_ids: list[str] = []
    for blank in item["blanks"]:
        respident = f"response_{blank['id']}"
        lid = _sub(pres, "response_lid", ident=respident)
        _sub(_sub(lid, "material"), "mattext", blank["id"])
        labels = [(f"{blank['id']}_{o['id']}", render_inline(o["text"])) for o in blank["options"]]
        _labels(lid, labels)
        for option, (ident, _) in zip(blank["options"], labels):
            why = [blank["rationale"]] if option["id"] == blank["answer"] else []
            why += [option["rationale"]] if option.get("rationale") else []
            if why:
                fb[f"{ident}_fb"] = "\n\n".join(why)
                _condition(proc, respident, ident, cont="Yes", feedback=f"{ident}_fb")
            answer_ids.append(ident)
        _condition(proc, respident, f"{blank['id']}_{blank['answer']}", score=("Add", share))
    return answer_ids


# The writer of each type whose registry entry says QTI writes it (QuestionType.qti);
# CANVAS_TYPES names each one as Canvas does.
WRITERS = {
    "mcq": _choices,
    "sata": _choices,
    "true_false": _true_false,
    "matching": _matching,
    "dropdown_cloze": _dropdowns,
}
