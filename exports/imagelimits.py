"""Size limits every image must meet before the PDF renderer sees it, however it is wrapped.

A direct PNG or JPEG, a PNG inside an SVG ``<image>``, and an SVG whose ``<use>`` or
``url(#id)`` references repeat parts of itself are all measured the same way: decoded pixels
(from the image header, never by decoding) and the drawing steps the renderer would take once
every reference is followed (shapes, path points, characters of text). The work is linear in
the SVG's size: each element is measured once and its result reused by every reference to it.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image

MAX_IMAGE_BYTES = 512 * 1024
# A logo prints at most 45 x 16 mm: 1,100 x 400 pixels is already 600 dpi. Decoding and
# re-encoding grows with pixels (4000 x 4000 took 1.4 s and 250 MB per render).
MAX_PIXELS = 4_000_000
# A clinic logo is a few dozen to a few hundred shapes and some thousands of path points.
MAX_SVG_ELEMENTS = 2000  # as written in the file
MAX_SVG_STEPS = 10_000  # as drawn, after every <use> and url(#id) reference is followed
MAX_SVG_DEPTH = 32  # nesting plus reference chains
# WeasyPrint lays out SVG text with Pango: one character costs about ten path points; each
# <use> copies its target and measures its bounding box, about fifty (bench/uploads.py).
TEXT_STEP = 10
USE_STEP = 50
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_DATA_RASTER = re.compile(r"^\s*data:image/(png|jpeg);base64,", re.IGNORECASE)
_LOCAL_URL = re.compile(r"url\(\s*['\"]?\s*#([^)'\"\s]+)", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TEXT_TAGS = ("}text", "}tspan")


class ImageLimitError(ValueError):
    """An image over a size limit, or one that cannot be measured; the message says which."""


def raster_pixels(data: bytes, expected: str | None = None) -> int:
    """Width x height of a PNG or JPEG from its header; refuse other formats and big images."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (or raises, above twice its own limit); ours is lower and worded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, width, height = image.format, image.width, image.height
    except Image.DecompressionBombError as exc:
        raise ImageLimitError(f"the image has more than {MAX_PIXELS // 1_000_000} million "
                              "pixels") from exc
    except Exception as exc:  # Pillow raises many types on hostile bytes
        raise ImageLimitError("the image could not be read") from exc
    if fmt not in ("PNG", "JPEG") or (expected and fmt != expected):
        raise ImageLimitError(f"the image claims to be {expected or 'PNG or JPEG'} but is {fmt}")
    if width * height > MAX_PIXELS:
        raise ImageLimitError(f"the image is {width} x {height} pixels; the limit is "
                              f"{MAX_PIXELS // 1_000_000} million pixels (for example "
                              "2000 x 2000)")
    return width * height


def parse_svg(data: bytes) -> ET.Element:
    """Parse SVG with no DTD, entities or external references, and check its shape."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageLimitError(f"the SVG must be at most {MAX_IMAGE_BYTES // 1024} KB")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImageLimitError("the SVG must not contain a DOCTYPE or entities") from exc
    except ET.ParseError as exc:
        raise ImageLimitError("the SVG is not well-formed XML") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageLimitError("the SVG must have an <svg> root element")
    _check_shape(root)
    return root


def _check_shape(root: ET.Element) -> None:
    """Refuse too many elements or too deep nesting, without recursion (depth is untrusted)."""
    count, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        if count > MAX_SVG_ELEMENTS:
            raise ImageLimitError(f"the SVG has more than {MAX_SVG_ELEMENTS} elements")
        if depth > MAX_SVG_DEPTH:
            raise ImageLimitError(f"the SVG nests elements more than {MAX_SVG_DEPTH} deep")
        stack.extend((child, depth + 1) for child in element)


def check_svg_budget(root: ET.Element) -> tuple[int, int]:
    """(drawing steps, pixels decoded) once every reference is followed, or ImageLimitError."""
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    return _Budget(ids).measure(root, 1)


class _Budget:
    """Memoised cost of each element: itself, its children and everything it refers to."""

    def __init__(self, ids: dict[str | None, ET.Element]) -> None:
        """Index elements by id; nothing measured yet."""
        self.ids = ids
        self.done: dict[int, tuple[int, int]] = {}
        self.active: set[int] = set()
        self.steps = 0  # elements measured (each exactly once); tests read it

    def measure(self, element: ET.Element, depth: int) -> tuple[int, int]:
        """Cost of one element; each element is measured once, then looked up."""
        key = id(element)
        if key in self.done:
            return self.done[key]
        if key in self.active:
            raise ImageLimitError("the SVG refers to itself in a loop")
        if depth > MAX_SVG_DEPTH:
            raise ImageLimitError(f"the SVG nests references more than {MAX_SVG_DEPTH} deep")
        self.active.add(key)
        self.steps += 1
        drawn, pixels = _own_steps(element), _embedded_pixels(element)
        for part in [*element, *self._targets(element)]:
            more_drawn, more_pixels = self.measure(part, depth + 1)
            drawn, pixels = drawn + more_drawn, pixels + more_pixels
            _within(drawn, pixels)
        self.active.discard(key)
        self.done[key] = (drawn, pixels)
        return drawn, pixels

    def _targets(self, element: ET.Element) -> list[ET.Element]:
        """Elements this one draws by reference: href="#id" and url(#id) in any attribute."""
        names = [m for value in element.attrib.values() for m in _LOCAL_URL.findall(value)]
        href = element.get("href") or element.get(XLINK_HREF) or ""
        if href.startswith("#"):
            names.append(href[1:])
        return [self.ids[name] for name in names if name in self.ids]


def _own_steps(element: ET.Element) -> int:
    """Drawing steps of one element alone: 1, plus path points, text and the cost of a <use>."""
    steps = 1
    for name in ("d", "points"):
        value = element.get(name)
        if value:
            steps += len(_NUMBER.findall(value)) // 2
    if isinstance(element.tag, str) and element.tag.endswith("}use"):
        steps += USE_STEP
    if isinstance(element.tag, str) and element.tag.endswith(_TEXT_TAGS):
        text = (element.text or "").strip() + (element.tail or "").strip()
        steps += TEXT_STEP * len(text)
    return steps


def _within(drawn: int, pixels: int) -> None:
    """Stop as soon as a running total passes a limit, so totals stay small numbers."""
    if drawn > MAX_SVG_STEPS:
        raise ImageLimitError(f"the SVG is too detailed to print: drawing it takes more than "
                              f"{MAX_SVG_STEPS:,} steps (shapes, path points and characters, "
                              "with every <use> and url(#…) reference expanded)")
    if pixels > MAX_PIXELS:
        raise ImageLimitError(f"the images inside the SVG add up to more than "
                              f"{MAX_PIXELS // 1_000_000} million pixels")


def _embedded_pixels(element: ET.Element) -> int:
    """Pixels of an <image> holding a data: PNG or JPEG; 0 for anything else."""
    if not isinstance(element.tag, str) or not element.tag.endswith("}image"):
        return 0
    href = element.get("href") or element.get(XLINK_HREF) or ""
    match = _DATA_RASTER.match(href)
    if not match:
        return 0
    try:
        data = base64.b64decode(href[match.end():], validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ImageLimitError("an image inside the SVG cannot be decoded") from exc
    return raster_pixels(data, "PNG" if match.group(1).lower() == "png" else "JPEG")


def check_image(data: bytes, mime: str) -> None:
    """Apply the byte, pixel and SVG limits to one image of a known type (the fetcher's check)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageLimitError(f"the image must be at most {MAX_IMAGE_BYTES // 1024} KB")
    checks: dict[str, Callable[[], object]] = {
        "image/png": lambda: raster_pixels(data, "PNG"),
        "image/jpeg": lambda: raster_pixels(data, "JPEG"),
        "image/svg+xml": lambda: check_svg_budget(parse_svg(data)),
    }
    if mime not in checks:
        raise ImageLimitError(f"{mime} is not an allowed image type")
    checks[mime]()
