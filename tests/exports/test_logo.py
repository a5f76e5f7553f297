"""Clinic logo uploads: only real PNG, JPEG or sanitised SVG become a data: URI."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from exports.logo import MAX_LOGO_BYTES, LogoError, logo_data_uri, sanitize_svg, validate_logo


def image_bytes(fmt: str) -> bytes:
    """A small real image in the given Pillow format."""
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "teal").save(buffer, format=fmt)
    return buffer.getvalue()


EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(http://example.com/x.css);</style>
  <title>Clinic</title>
  <rect width="10" height="10" fill="#0b3d6b" onclick="alert(3)"/>
  <image href="file:///etc/passwd" width="5" height="5"/>
  <image xlink:href="http://example.com/x.png" width="5" height="5"/>
  <use xlink:href="http://example.com/sprite.svg#a"/>
  <use href="#local"/>
  <circle id="local" r="2" fill="url(http://example.com/p.svg#g)"/>
  <foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>
  <a href="javascript:alert(4)"><rect width="1" height="1"/></a>
</svg>"""


@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_real_raster_logos_are_accepted(fmt: str, mime: str) -> None:
    data = image_bytes(fmt)
    assert validate_logo(data) == (data, mime)
    uri = logo_data_uri(data, mime)
    assert uri.startswith(f"data:{mime};base64,")
    assert base64.b64decode(uri.split(",", 1)[1]) == data


def test_type_comes_from_the_bytes_not_the_claim() -> None:
    with pytest.raises(LogoError, match="does not match"):
        logo_data_uri(image_bytes("PNG"), "image/jpeg")


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"GIF89a....", "PNG, JPEG or SVG"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "could not be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, "at most"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "not well-formed"),
    (b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
     b"<svg xmlns='http://www.w3.org/2000/svg'><text>&x;</text></svg>", "DOCTYPE"),
    (b"<svg><rect/></svg>", "<svg> root"),
])
def test_bad_logos_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(LogoError, match=message):
        validate_logo(data)


def test_svg_logo_keeps_drawing_and_loses_scripts_and_outside_references() -> None:
    clean = sanitize_svg(EVIL_SVG)
    text = clean.decode()
    for gone in ("script", "alert", "onload", "onclick", "@import", "file:", "example.com",
                 "foreignObject", "javascript"):
        assert gone not in text, gone
    root = ET.fromstring(clean)
    tags = [el.tag.rsplit("}", 1)[-1] for el in root.iter()]
    assert tags.count("rect") == 1 and "title" in tags and "use" in tags
    assert "image" not in tags
    assert root.find("{http://www.w3.org/2000/svg}circle").get("fill") is None


def test_svg_may_embed_a_raster_image_as_data() -> None:
    png = base64.b64encode(image_bytes("PNG")).decode()
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,{png}"'
           ' width="4" height="4"/></svg>').encode()
    assert b"<image" in sanitize_svg(svg) or b":image" in sanitize_svg(svg)


def test_svg_output_does_not_depend_on_the_global_namespace_registry(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Another module claiming the default prefix once turned stored logos into <ns0:svg>.
    monkeypatch.setattr(ET, "_namespace_map", dict(ET._namespace_map))
    ET.register_namespace("", "http://www.imsglobal.org/xsd/ims_qtiasiv1p2")
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ink="http://www.inkscape.org/ns"'
           b' ink:label="x" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>')
    clean = sanitize_svg(svg)
    assert clean.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert b"label" not in clean and b"inkscape" not in clean
    assert validate_logo(clean) == (clean, "image/svg+xml")
