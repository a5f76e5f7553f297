"""Export items as an IMS QTI 1.2 content package in the flavour Canvas imports.

Two shapes, as Canvas's own exporter writes them (``lib/cc/qti/qti_generator.rb``):

- ``bank`` (the default): the items directly inside an ``<objectbank>`` whose ``bank_title`` field
  names it, with no ``<section>``. Canvas's QTIMigrationTool tags every item directly in an object
  bank with that bank, so the import lands as a question bank, like the course bank it came from.
- ``quiz``: one ``<assessment>`` with a root section and the quiz settings Canvas reads:
  ``cc_maxattempts`` (a number or ``unlimited``), ``qmd_timelimit`` (minutes) and
  ``qmd_assessmenttype`` ``Examination`` for a graded quiz (without it Canvas makes a practice quiz).

The item writers are in ``qti_items.py``; ElementTree XML-escapes every text and attribute.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from course.content import ContentError
from quizzes.interchange.qti_items import CANVAS_TYPES, CC_PROFILES, WRITERS, item_element
from quizzes.interchange.qti_xml import meta_fields, sub, xml_bytes
from quizzes.types import REGISTRY

__all__ = ["BANK", "CANVAS_TYPES", "CC_PROFILES", "QUIZ", "SHAPES", "WRITERS", "QuizSettings", "export_qti_zip"]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
MD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"
BANK, QUIZ = "bank", "quiz"
SHAPES = (BANK, QUIZ)
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # a fixed zip timestamp keeps the package reproducible
IMAGE_DIR = "images"
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{0,99}$")  # no path, space or traversal in a zip name


@dataclass(frozen=True)
class QuizSettings:
    """The quiz settings a quiz-shaped package carries: attempts (0 = unlimited), time limit, graded."""

    attempts: int = 1
    time_limit_minutes: int | None = None
    graded: bool = True

    def fields(self) -> list[tuple[str, str]]:
        """The assessment's qtimetadata fields, as Canvas reads them."""
        fields = [("cc_maxattempts", str(self.attempts) if self.attempts > 0 else "unlimited")]
        if self.time_limit_minutes:
            fields.append(("qmd_timelimit", str(self.time_limit_minutes)))
        if self.graded:
            fields.append(("qmd_assessmenttype", "Examination"))
        return fields


def export_qti_zip(title: str, items: Iterable[Mapping[str, Any]], *, shape: str = BANK,
                   settings: QuizSettings | None = None,
                   images: Mapping[str, bytes] | None = None) -> tuple[bytes, list[tuple[str, str]]]:
    """Build the zip (manifest + one bank or assessment) and list (item id, reason) for items left out.

    ``images`` (file name -> bytes) are packaged under ``images/``, where item text refers to them
    as ``$IMS-CC-FILEBASE$/images/<name>`` (``quizzes.media.exporting.QTI_BASE``).
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown QTI shape {shape!r}: use bank or quiz")
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
        elements.append(item_element(item))
    names = [shape, title] + [e.get("ident", "") for e in elements]
    ident = "g" + hashlib.sha1("\n".join(names).encode()).hexdigest()
    if shape == BANK:
        document = _bank(ident, title, elements)
    else:
        document = _assessment(ident, title, elements, settings or QuizSettings())
    packaged = image_files(images or {})
    files = {
        "imsmanifest.xml": xml_bytes(_manifest(ident, title, list(packaged))),
        f"{ident}/{ident}.xml": xml_bytes(document),
        **packaged,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), skipped


def image_files(images: Mapping[str, bytes]) -> dict[str, bytes]:
    """Zip paths of the packaged images: images/<name>, with only safe name characters."""
    return {f"{IMAGE_DIR}/{name}": data for name, data in sorted(images.items())
            if _SAFE_NAME.match(name)}


def _manifest(ident: str, title: str, image_paths: list[str] | None = None) -> ET.Element:
    """The IMS content package manifest: the one QTI file, and each image as web content."""
    root = ET.Element("manifest", {"identifier": f"{ident}_manifest", "xmlns": CP_NS, "xmlns:imsmd": MD_NS})
    meta = sub(root, "metadata")
    sub(meta, "schema", "IMS Content")
    sub(meta, "schemaversion", "1.1.3")
    lom_title = sub(sub(sub(meta, "imsmd:lom"), "imsmd:general"), "imsmd:title")
    sub(lom_title, "imsmd:string", title)
    sub(root, "organizations")
    resources = sub(root, "resources")
    resource = sub(resources, "resource", identifier=ident, type="imsqti_xmlv1p2")
    sub(resource, "file", href=f"{ident}/{ident}.xml")
    for n, path in enumerate(image_paths or [], 1):
        # As Canvas's importer and text2qti expect: one webcontent resource per file.
        image = sub(resources, "resource", identifier=f"{ident}_image{n}", type="webcontent", href=path)
        sub(image, "file", href=path)
    return root


def _bank(ident: str, title: str, items: list[ET.Element]) -> ET.Element:
    """Canvas's question bank: the items directly in an objectbank named by bank_title."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    bank = sub(root, "objectbank", ident=ident)
    meta_fields(bank, [("bank_title", title)])
    bank.extend(items)
    return root


def _assessment(ident: str, title: str, items: list[ET.Element], settings: QuizSettings) -> ET.Element:
    """One assessment with its settings, one root section, the items."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = sub(root, "assessment", ident=ident, title=title)
    meta_fields(assessment, settings.fields())
    section = sub(assessment, "section", ident="root_section")
    section.extend(items)
    return root
