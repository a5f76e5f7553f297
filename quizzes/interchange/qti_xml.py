"""Small ElementTree helpers for the QTI 1.2 writers: elements, materials and response conditions."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from course.markdown import render_inline

_TAG = re.compile(r"<[^>]+>")


def xml_bytes(root: ET.Element) -> bytes:
    """Serialise with an XML declaration, UTF-8."""
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Append a child element with optional text and attributes (a trailing '_' is dropped from names)."""
    child = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        child.text = text
    return child


def meta_fields(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    """A qtimetadata block of (label, entry) fields."""
    meta = sub(parent, "qtimetadata")
    for label, entry in fields:
        field = sub(meta, "qtimetadatafield")
        sub(field, "fieldlabel", label)
        sub(field, "fieldentry", entry)


def plain_text(markdown: str) -> str:
    """Inline Markdown as plain text: markup removed, entities decoded, whitespace collapsed.

    Canvas reads matching targets and drop-down options as raw strings, so ``**two**`` would show
    its asterisks and ``<em>`` its tags; its own exporter writes these as text/plain.
    """
    return " ".join(html.unescape(_TAG.sub("", render_inline(markdown))).split())


def mattext(parent: ET.Element, content: str, texttype: str = "text/html") -> None:
    """A material holding HTML (the default) or plain text."""
    sub(sub(parent, "material"), "mattext", content, texttype=texttype)


def labels(lid: ET.Element, choices: list[tuple[str, str]], texttype: str = "text/html") -> None:
    """The render_choice of a response_lid from (ident, text) pairs."""
    choice = sub(lid, "render_choice")
    for ident, content in choices:
        mattext(sub(choice, "response_label", ident=ident), content, texttype)


def condition(proc: ET.Element, respident: str, value: str, *, negate: bool = False, cont: str = "Yes",
              score: tuple[str, str] | None = None, feedback: str | None = None) -> None:
    """One respcondition: compare a response, then set/add the score and/or show feedback.

    ``continue`` defaults to Yes: QTI stops at the first true condition unless told to go on, and
    every condition but a final Set must be evaluated (each blank's Add, each answer's feedback).
    """
    cond = sub(proc, "respcondition", continue_=cont)
    var = sub(cond, "conditionvar")
    sub(sub(var, "not") if negate else var, "varequal", value, respident=respident)
    if score:
        sub(cond, "setvar", score[1], action=score[0], varname="SCORE")
    if feedback:
        sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback)


def always_show(proc: ET.Element, feedback: str) -> None:
    """Show a feedback whatever the answer (an <other/> condition), then go on."""
    cond = sub(proc, "respcondition", continue_="Yes")
    sub(sub(cond, "conditionvar"), "other")
    sub(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback)
