"""Uploads are rebuilt, not stored as sent: re-encoded rasters without metadata, sanitised SVG,
and every limit of the security work refused with a 413 (too big) or 400 (anything else)."""

from __future__ import annotations

import hashlib
import io

import pytest
import weasyprint  # noqa: F401 - it lets Pillow load truncated files process-wide, as in the app
from PIL import Image

from exports.imagelimits import MAX_IMAGE_BYTES
from quizzes.media.images import ImageRefused, clean_alt, clean_upload, safe_name
from tests.quizzes.media import images_data as data


def test_png_is_reencoded_without_its_text_chunks():
    raw = data.png(text="patient: Jane Doe, MRN 12345")
    assert b"Jane Doe" in raw
    clean = clean_upload(raw, "Knee X-ray.PNG")
    assert b"Jane Doe" not in clean.data
    assert (clean.mime, clean.width, clean.height, clean.name) == ("image/png", 40, 30, "knee-x-ray.png")
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "PNG" and image.size == (40, 30) and not image.text


def test_jpeg_loses_exif_but_keeps_its_rotation():
    raw = data.jpeg(40, 20, orientation=6)  # 6: the camera was turned; display rotated 90 degrees
    assert b"SecretCam" in raw
    clean = clean_upload(raw, "photo.jpeg")
    assert b"SecretCam" not in clean.data and clean.mime == "image/jpeg"
    assert (clean.width, clean.height) == (20, 40)  # the rotation is now in the pixels
    with Image.open(io.BytesIO(clean.data)) as image:
        assert not image.getexif()


def test_svg_is_sanitised():
    clean = clean_upload(data.SVG_HOSTILE, "chart.svg")
    text = clean.data.decode()
    assert clean.mime == "image/svg+xml" and clean.name == "chart.svg"
    for bad in ("script", "alert", "onload", "onclick", "foreignObject", "evil.example", "javascript:",
                "@import", "<style"):
        assert bad not in text, bad
    assert "<circle" in text and "<rect" in text


@pytest.mark.parametrize("raw", [data.SVG_ENTITIES, data.SVG_XXE])
def test_svg_with_a_doctype_or_entities_is_refused(raw):
    with pytest.raises(ImageRefused) as err:
        clean_upload(raw, "x.svg")
    assert err.value.status == 400 and "DOCTYPE or entities" in str(err.value)


def test_svg_use_bomb_is_refused():
    raw = data.svg_use_bomb()
    assert len(raw) < 2000
    with pytest.raises(ImageRefused) as err:
        clean_upload(raw, "bomb.svg")
    assert "10,000 steps" in str(err.value)


@pytest.mark.parametrize("side, message", [(3000, "3000 x 3000 pixels; the limit is 4 million"),
                                           (20_000, "more than 4 million pixels")])
def test_pixel_bomb_is_refused_as_too_large_before_decoding(side, message):
    raw = data.png_bomb(side, side)
    assert len(raw) < 200
    with pytest.raises(ImageRefused) as err:
        clean_upload(raw, "bomb.png")
    assert err.value.status == 413 and message in str(err.value)


def test_a_file_over_the_byte_limit_is_413():
    with pytest.raises(ImageRefused) as err:
        clean_upload(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES, "big.png")
    assert err.value.status == 413 and "512 KB" in str(err.value)


@pytest.mark.parametrize("raw, message", [
    (b"", "empty"),
    (b"GIF89a\x01\x00\x01\x00", "PNG, JPEG or SVG"),
    (b"<html><script>alert(1)</script></html>", "PNG, JPEG or SVG"),
    (data.png()[:60], "could not be read"),  # truncated
    (data.png()[:-13], "could not be read"),  # cut before its end chunk
    (data.jpeg()[:200], "could not be read"),
    (b"\xff\xd8\xff" + b"not really a jpeg", "could not be read"),
])
def test_bad_files_are_400_with_a_reason(raw, message):
    with pytest.raises(ImageRefused) as err:
        clean_upload(raw, "x")
    assert err.value.status == 400 and message in str(err.value)


def test_alt_text_is_required_unless_decorative():
    with pytest.raises(ImageRefused, match="alt text"):
        clean_alt("   ", False)
    with pytest.raises(ImageRefused, match="under 500"):
        clean_alt("x" * 501, False)
    assert clean_alt("  Left  ankle\nin plantar flexion ", False) == "Left ankle in plantar flexion"
    assert clean_alt("ignored", True) == ""


@pytest.mark.parametrize("filename, mime, expected", [
    ("../../etc/passwd", "image/png", "passwd.png"),
    ("C:\\Users\\me\\Scan 01.JPG", "image/jpeg", "scan-01.jpg"),
    ("", "image/svg+xml", "image.svg"),
    ("ünïcode.png", "image/png", "n-code.png"),
])
def test_safe_names(filename, mime, expected):
    assert safe_name(filename, mime) == expected
