"""Pure: the images a Moodle XML question carries as base64 ``<file>`` elements, read back.

Each file is decoded and passed through the upload's own checks (``quizzes.media.images``: the
size and pixel bounds, Pillow re-encoding, SVG sanitising), so an imported image is exactly as
clean as an uploaded one. Text points at a file as ``@@PLUGINFILE@@/<name>``: our export writes
Markdown ``![alt](@@PLUGINFILE@@/name)``, Moodle's editor writes ``<img src=... alt=...>``; both
become Markdown here, and the course-side step (``quizzes.media.importing``) stores the images and
points the references at them.

Alt text rule: a Markdown image with empty alt is decorative (how our export writes a decorative
image), and so is an HTML ``<img alt="" role="presentation">`` (Moodle's "decorative" switch).
An ``<img>`` with no alt, or an empty alt without that role, is imported and marked as needing
alt text (empty alt, not decorative), and the report line says so.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote
from xml.etree.ElementTree import Element

from exports.imagelimits import MAX_IMAGE_BYTES
from quizzes.media.images import MAX_ALT, CleanImage, ImageRefused, clean_upload

BASE = "@@PLUGINFILE@@/"
MAX_FILES = 20  # per question: more is not a question's pictures
# Base64 is 4 characters per 3 bytes; line breaks inside it are allowed, so leave room for them.
MAX_BASE64 = MAX_IMAGE_BYTES * 4 // 3 + MAX_IMAGE_BYTES // 32 + 16
MARKDOWN_REF = re.compile(r"!\[([^\]\n]{0,500})\]\(\s*@@PLUGINFILE@@/([^)\s]{1,255})\s*\)")
_IMG = re.compile(r"<img\b([^<>]{0,2000})/?>", re.I)
_ATTR = re.compile(r"""([a-zA-Z][\w:-]{0,40})\s*=\s*(?:"([^"]{0,2000})"|'([^']{0,2000})')""")
_OUR_PREFIX = re.compile(r"^\d{1,9}-(?=.)")  # our export names files "<image id>-<name>"


@dataclass(frozen=True)
class ImportedImage:
    """One cleaned image a question names: its file name there, the clean bytes, alt, decorative."""

    name: str
    clean: CleanImage
    alt: str
    decorative: bool

    @property
    def needs_alt(self) -> bool:
        """No alt text and not decorative: the Images page asks for a description."""
        return not self.alt and not self.decorative


def _html_to_markdown(text: str) -> str:
    """Each ``<img src="@@PLUGINFILE@@/...">`` as a Markdown image; a decorative one keeps alt "".

    An ``<img>`` without usable alt is written with the marker alt ``\\x00`` so the reader can
    tell "needs alt" from "decorative" once it is Markdown; the marker never leaves this module.
    """
    def swap(match: re.Match[str]) -> str:
        attrs = {m.group(1).lower(): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
                 for m in _ATTR.finditer(match.group(1))}
        src = attrs.get("src", "")
        if not src.startswith(BASE):
            return match.group(0)
        alt = " ".join(attrs.get("alt", "").split())[:MAX_ALT].replace("[", "(").replace("]", ")")
        decorative = not alt and "alt" in attrs and attrs.get("role", "").lower() == "presentation"
        name = quote(unquote(src[len(BASE):].strip()), safe="")
        return f"![{alt if alt or decorative else chr(0)}]({BASE}{name})"
    return _IMG.sub(swap, text) if "<img" in text.lower() else text


def map_strings(value: Any, fix: Any) -> Any:
    """A copy of an item with ``fix`` applied to every string in it."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, list):
        return [map_strings(v, fix) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, fix) for k, v in value.items()}
    return value


def _decode(el: Element) -> bytes:
    """One <file> element's bytes; ValueError says why not."""
    if (el.get("encoding") or "base64").lower() != "base64":
        raise ValueError(f"encoding {el.get('encoding')!r} is not base64")
    text = "".join((el.text or "").split())
    if len(text) > MAX_BASE64:
        raise ValueError(f"larger than {MAX_IMAGE_BYTES // 1024} KB")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc


def read_files(question: Element) -> tuple[dict[str, bytes], list[str]]:
    """Every named <file> of a question (first of each name wins) and a note per file refused."""
    found: dict[str, bytes] = {}
    notes: list[str] = []
    elements = question.findall(".//file")
    if len(elements) > MAX_FILES:
        notes.append(f"{len(elements)} embedded files: only the first {MAX_FILES} were read")
    for el in elements[:MAX_FILES]:
        name = (el.get("name") or "").strip()[:255]
        if not name or name in found:
            continue
        try:
            found[name] = _decode(el)
        except ValueError as err:
            notes.append(f"image {name!r} left out: {err}")
    return found, notes


def _stored_name(name: str) -> str:
    """The file's name without our export's "<id>-" prefix (a new id is given on import)."""
    return _OUR_PREFIX.sub("", name)


def attach_images(question: Element, item: dict[str, Any]) -> tuple[dict[str, Any], list[ImportedImage],
                                                                     list[str]]:
    """The item with its image references in Markdown, the cleaned images, and report notes.

    A reference whose file is missing or refused becomes its alt text, with a note saying why.
    """
    files, notes = read_files(question)
    item = map_strings(item, _html_to_markdown)
    images: dict[str, ImportedImage] = {}
    refused: dict[str, str] = {}

    def resolve(match: re.Match[str]) -> str:
        alt, name = match.group(1), unquote(match.group(2))
        needs = alt == "\x00"
        alt = "" if needs else " ".join(alt.split())
        if name not in images and name not in refused:
            if name not in files:
                refused[name] = f"image {name!r} is named in the text but not in the file: left out"
            else:
                try:
                    clean = clean_upload(files[name], _stored_name(name))
                    images[name] = ImportedImage(name, clean, alt, not alt and not needs)
                except ImageRefused as err:
                    refused[name] = f"image {name!r} left out: {err}"
        if name in refused:
            return alt
        return f"![{alt}]({BASE}{match.group(2)})"

    item = map_strings(item, lambda text: MARKDOWN_REF.sub(resolve, text).replace("\x00", "")
                    if BASE in text else text)
    notes += list(refused.values())
    notes += [f"image {im.name!r} has no alt text: imported and marked as needing it; describe it "
              "on the Images page" for im in images.values() if im.needs_alt]
    return item, list(images.values()), notes
