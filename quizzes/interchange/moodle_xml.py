"""Export items as Moodle XML (``question/format/xml``), listing each item left out and why.

Every question carries its name (the title, or the id), the question text and general feedback in
Moodle's Markdown format, the default grade (the item's maximum points), the idnumber (the tool's
item key) and tags (``module:<topic>``, ``cjmm:<step>``, ``item-type:<type>``). A ``$course$``
category question per topic comes first, as Moodle writes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from course.content import ContentError
from quizzes.interchange.moodle_text import with_sources, xml_safe
from quizzes.interchange.moodle_write import (
    WRITERS,
    Skip,
    Written,
    extra_tags,
    notes_for,
    text_el,
    value_el,
)
from quizzes.types import REGISTRY

IMAGE_BASE = "@@PLUGINFILE@@/"  # how Moodle XML text points at a file stored with that text


class Images(Protocol):
    """The course images some items name (quizzes.media.exporting.ExportImages)."""

    def rewrite(self, value: Any, base: str) -> Any:
        """The item with each image reference pointing at ``base + name``."""

    def files_in(self, value: Any) -> list[Any]:
        """The files an item names."""


@dataclass
class MoodleExport:
    """The XML bytes, (item id, reason) for each item left out, and counts by item type written."""

    data: bytes
    skipped: list[tuple[str, str]] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)
    notes: list[tuple[str, str]] = field(default_factory=list)  # written, but Moodle marks it differently


def tags_for(item: Mapping[str, Any]) -> list[str]:
    """The tags Moodle keeps for the item: its module (topic), NCJMM step and our type."""
    tags = [f"module:{item['topic']}"]
    if item.get("cjmm"):
        tags.append(f"cjmm:{item['cjmm']}")
    return tags + [f"item-type:{item['type']}"] + extra_tags(item)


def question_element(item: Mapping[str, Any], written: Written) -> Element:
    """The full <question>: common header, the type's own elements, then the tags."""
    el = Element("question", {"type": written.qtype})
    name = SubElement(el, "name")
    SubElement(name, "text").text = xml_safe(str(item.get("title") or item["id"]).strip())
    el.append(text_el("questiontext", written.text.strip()))
    el.append(text_el("generalfeedback", with_sources(written.general.strip(), item.get("sources", []))))
    el.append(value_el("defaultgrade", f"{REGISTRY[item['type']].max_points(item):g}"))
    el.append(value_el("penalty", "0"))
    el.append(value_el("hidden", "0"))
    el.append(value_el("idnumber", item["id"]))
    el.extend(written.body)
    tags = SubElement(el, "tags")
    for tag in tags_for(item):
        SubElement(SubElement(tags, "tag"), "text").text = tag
    return el


def _category(topic: str) -> Element:
    """A category question that files what follows under $course$/top/<topic>."""
    el = Element("question", {"type": "category"})
    el.append(text_el("category", f"$course$/top/{topic}", None))
    el.append(text_el("info", "", "moodle_auto_format"))
    return el


def attach_files(question: Element, files: list[Any]) -> None:
    """Put each image as a base64 <file> in every text field that names it (Moodle stores files per field)."""
    for field_el in [el for el in question.iter() if el.find("text") is not None]:
        text = field_el.findtext("text") or ""
        for image in files:
            if IMAGE_BASE + image.name in text:
                SubElement(field_el, "file", {"name": image.name, "path": "/", "encoding": "base64"}).text = \
                    image.base64


def export_moodle(items: Iterable[Mapping[str, Any]], images: Images | None = None) -> MoodleExport:
    """Write every item Moodle XML can carry; list the rest with the reason they were left out.

    ``images`` (the course's, from quizzes.media.exporting) are embedded where the items name them.
    """
    quiz = Element("quiz")
    out = MoodleExport(b"")
    topic = None
    for item in items:
        item_id, kind = str(item.get("id", "?")), item.get("type")
        try:
            if not isinstance(kind, str) or kind not in REGISTRY:
                raise Skip(f"unknown item type {kind!r}")
            if not REGISTRY[kind].moodle.written:
                raise Skip(f"{REGISTRY[kind].moodle.reason} ({kind})")
            REGISTRY[kind].validate(item, f"item {item_id}")
            written = dict(images.rewrite(dict(item), IMAGE_BASE)) if images else item
            question = question_element(written, WRITERS[kind](written))
            if images:
                attach_files(question, images.files_in(dict(item)))
        except (Skip, ContentError) as err:
            out.skipped.append((item_id, str(err)))
            continue
        if item["topic"] != topic:
            topic = item["topic"]
            quiz.append(_category(topic))
        quiz.append(question)
        out.written[kind] += 1
        out.notes += [(item_id, note) for note in notes_for(item)]
    indent(quiz, "  ")
    out.data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(quiz, encoding="utf-8",
                                                                        xml_declaration=False) + b"\n"
    return out
