"""Clinic logo uploads: only real PNG, JPEG or sanitised SVG become a data: URI."""

from __future__ import annotations

import base64
import io
import pathlib
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from exports.logo import (
    MAX_LOGO_BYTES,
    PRINT_BOX_MM,
    LogoError,
    logo_data_uri,
    prepare_logo,
    sanitize_svg,
    validate_logo,
)


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


def _jpeg_with_exif(size: tuple[int, int], orientation: int) -> bytes:
    """A JPEG photo-like logo carrying an orientation tag and a GPS block."""
    image = Image.new("RGB", size, "white")
    image.paste((200, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half red, as stored
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def test_print_box_is_the_stylesheets_logo_box() -> None:
    css = (pathlib.Path(__file__).parents[2] / "exports/static/exports/print.css").read_text()
    rule = re.search(r"\.clinic-header \.logo \{([^}]*)\}", css)
    assert rule is not None
    width = re.search(r"max-width:\s*(\d+)mm", rule.group(1))
    height = re.search(r"max-height:\s*(\d+)mm", rule.group(1))
    assert width and height
    assert PRINT_BOX_MM == (int(width.group(1)), int(height.group(1)))


def test_a_logo_within_the_print_box_is_kept_byte_for_byte() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (1063, 378), (0, 0, 0, 0)).save(buffer, format="PNG")
    data = buffer.getvalue()
    assert prepare_logo(data) == (data, "image/png")
    jpeg = _jpeg_with_exif((600, 100), 1)
    assert prepare_logo(jpeg) == (jpeg, "image/jpeg")


def test_a_wide_png_shrinks_to_the_box_width_and_keeps_palette_transparency() -> None:
    image = Image.new("P", (4000, 500), 0)
    image.putpalette([255, 255, 255, 11, 61, 107])
    image.paste(1, (0, 0, 2000, 500))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)
    data, mime = prepare_logo(buffer.getvalue())
    with Image.open(io.BytesIO(data)) as small:
        assert (mime, small.size, small.mode) == ("image/png", (1063, 133), "RGBA")
        assert small.getpixel((100, 60)) == (11, 61, 107, 255)
        assert small.getpixel((1000, 60))[3] == 0  # the transparent half stays transparent


def test_a_large_jpeg_loses_its_exif_but_keeps_its_orientation() -> None:
    # Orientation 6: the stored pixels are turned 90 degrees clockwise to show them.
    data, mime = prepare_logo(_jpeg_with_exif((3000, 1000), 6))
    with Image.open(io.BytesIO(data)) as small:
        assert mime == "image/jpeg" and small.format == "JPEG"
        assert not small.getexif()  # neither the orientation nor the GPS block is stored
        assert small.size == (126, 378)  # shown upright: tall, fitted to the box's height
        top = small.getpixel((63, 20))
        bottom = small.getpixel((63, 358))
        assert top[0] > 180 and top[1] < 60, top  # the stored left half is now on top
        assert min(bottom) > 200, bottom
