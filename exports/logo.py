"""Clinic logos: check uploaded bytes, sanitise SVG, and turn a logo into a data: URI for the PDF."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageOps

from exports.imagelimits import (
    MAX_IMAGE_BYTES,
    ImageLimitError,
    check_svg_budget,
    parse_svg,
    raster_pixels,
)

MAX_LOGO_BYTES = MAX_IMAGE_BYTES
LOGO_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
    "tspan", "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "clipPath",
    "mask", "use", "symbol", "image",
}
_EMBEDDED_RASTER = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+$")
_URL_CALL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


class LogoError(ValueError):
    """An uploaded logo that is not a small, valid PNG, JPEG or SVG."""


def sniff_mime(data: bytes) -> str:
    """Name the image type from the bytes themselves, never from the upload's claim."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower():
        return "image/svg+xml"
    raise LogoError("the logo must be a PNG, JPEG or SVG image")


def validate_logo(data: bytes) -> tuple[bytes, str]:
    """Return (clean bytes, mime type) for an uploaded logo, or raise LogoError."""
    if not data:
        raise LogoError("the logo file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoError(f"the logo must be at most {MAX_LOGO_BYTES // 1024} KB")
    mime = sniff_mime(data)
    if mime == "image/svg+xml":
        return sanitize_svg(data), mime
    try:
        raster_pixels(data, "PNG" if mime == "image/png" else "JPEG")
    except ImageLimitError as exc:
        raise LogoError(str(exc).replace("the image", "the logo", 1)) from exc
    _check_raster(data)
    return data, mime


# The printed logo's box (print.css, `.clinic-header .logo`) and the resolution kept for it.
PRINT_BOX_MM = (45, 16)
PRINT_DPI = 600


def prepare_logo(data: bytes) -> tuple[bytes, str]:
    """What an upload stores: the validated logo, a raster shrunk to its printed size."""
    clean, mime = validate_logo(data)
    if mime == "image/svg+xml":
        return clean, mime
    return fit_for_print(clean, mime), mime


def fit_for_print(data: bytes, mime: str) -> bytes:
    """A PNG or JPEG no larger than the print box at PRINT_DPI; a small one comes back as it is.

    WeasyPrint decodes and recompresses a PNG on every render: a logo at the 4-megapixel limit
    added about 0.13 s to each PDF, for detail no printer shows at 45 x 16 mm (docs/performance.md).
    """
    width, height = (round(mm / 25.4 * PRINT_DPI) for mm in PRINT_BOX_MM)
    with Image.open(io.BytesIO(data)) as opened:
        if opened.width <= width and opened.height <= height:
            return data
        # The EXIF orientation goes with the EXIF block below, so it is applied to the pixels.
        image = ImageOps.exif_transpose(opened)
        keep_alpha = mime == "image/png" and (
            image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info)
        grey = image.mode in ("L", "LA")
        wanted = ("LA" if grey else "RGBA") if keep_alpha else ("L" if grey else "RGB")
        # exif_transpose hands back a copy, so thumbnail() below never touches `opened`.
        small = image.convert(wanted) if image.mode != wanted else image
        small.thumbnail((width, height), Image.Resampling.LANCZOS)
        icc = opened.info.get("icc_profile")
    out = io.BytesIO()
    # Saved afresh: no EXIF or text chunks from the upload (a photo's GPS position, say).
    if mime == "image/png":
        small.save(out, format="PNG", icc_profile=icc)
    else:
        small.save(out, format="JPEG", quality=90, icc_profile=icc)
    return out.getvalue()


def logo_data_uri(data: bytes | None, mime: str | None = None) -> str:
    """A data: URI for a stored logo (validated again on the way out), or "" when none."""
    if not data:
        return ""
    clean, sniffed = validate_logo(data)
    if mime and mime != sniffed:
        raise LogoError(f"the stored logo type {mime} does not match its content ({sniffed})")
    return f"data:{sniffed};base64,{base64.b64encode(clean).decode('ascii')}"


def _check_raster(data: bytes) -> None:
    """Verify a PNG or JPEG with Pillow so a truncated or disguised file is refused."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception as exc:  # Pillow raises many types on hostile bytes (UnicodeDecodeError...)
        raise LogoError("the logo image could not be read") from exc


def sanitize_svg(data: bytes) -> bytes:
    """Keep only drawing elements; drop scripts, styles, event handlers and outside links.

    Entities (XXE, billion laughs) are refused by the parser; the element count, nesting and
    what the cleaned drawing expands to (<use>, url(#id), embedded images) are bounded.
    """
    try:
        return clean_svg(data)
    except ImageLimitError as exc:
        raise LogoError(str(exc).replace("the SVG", "the SVG logo", 1)) from exc


def clean_svg(data: bytes) -> bytes:
    """The sanitised SVG (as sanitize_svg), raising ImageLimitError worded for any SVG upload."""
    root = parse_svg(data)
    _clean_element(root)
    check_svg_budget(root)
    # Serialised by hand: ET.tostring takes prefixes from a process-wide registry that other
    # modules (the QTI export) change, which turned <svg> into <ns0:svg> here.
    return _serialize(root, top=True).encode("utf-8")


def _clean_element(element: ET.Element) -> None:
    """Remove forbidden children recursively and strip unsafe attributes in place."""
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) not in SVG_ELEMENTS \
                or not child.tag.startswith(f"{{{SVG_NS}}}"):
            element.remove(child)
            continue
        _clean_element(child)
        if _local(child.tag) == "image" and not _EMBEDDED_RASTER.match(_href(child)):
            element.remove(child)
    for name, value in list(element.attrib.items()):
        if not _safe_attribute(name, value):
            del element.attrib[name]


def _safe_attribute(name: str, value: str) -> bool:
    """Allow an attribute unless it runs code or points outside the document."""
    local = _local(name).lower()
    if name.startswith("{") and not name.startswith(f"{{{XLINK_NS}}}"):
        return False  # editor metadata (Inkscape, Sketch) and xml:*; never needed to draw
    if local.startswith("on") or local == "base" or "javascript:" in value.lower():
        return False
    if local == "href":
        return value.startswith("#") or bool(_EMBEDDED_RASTER.match(value))
    return all(target.startswith("#") for target in _URL_CALL.findall(value)) \
        and "@import" not in value.lower()


def _serialize(element: ET.Element, top: bool = False) -> str:
    """Write a cleaned SVG element tree with the SVG namespace as the default namespace."""
    attrs = [(f"xlink:{_local(k)}" if k.startswith(f"{{{XLINK_NS}}}") else _local(k), v)
             for k, v in element.attrib.items()]
    if top:
        attrs = [("xmlns", SVG_NS), ("xmlns:xlink", XLINK_NS), *attrs]
    tag = _local(element.tag)
    opening = tag + "".join(f" {name}={quoteattr(value)}" for name, value in attrs)
    inner = escape(element.text or "") + "".join(
        _serialize(child) + escape(child.tail or "") for child in element)
    return f"<{opening}>{inner}</{tag}>" if inner else f"<{opening}/>"


def _href(element: ET.Element) -> str:
    """The href of an element, in either the plain or the xlink namespace."""
    return element.get("href") or element.get(f"{{{XLINK_NS}}}href") or ""


def _local(tag: str) -> str:
    """Drop the {namespace} prefix ElementTree puts on tag and attribute names."""
    return tag.rsplit("}", 1)[-1]
