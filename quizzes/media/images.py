"""Pure: turn uploaded bytes into a clean image (PNG/JPEG re-encoded, SVG sanitised), or refuse it.

The limits are the security work's (``exports/imagelimits.py``): bytes, pixels read from the
header before anything is decoded, and the SVG element, nesting and drawing-step budgets. The
SVG clean-up is the clinic logo's (``exports/logo.clean_svg``). Nothing here is a second checker.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from exports.imagelimits import MAX_IMAGE_BYTES, ImageLimitError, raster_pixels
from exports.logo import LogoError, clean_svg, sniff_mime

MAX_ALT = 500  # alt text is a sentence or two; a longer description belongs in the stem
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
_UNSAFE_NAME = re.compile(r"[^a-z0-9]+")


class ImageRefused(ValueError):
    """An upload the tool will not store; ``status`` is 413 for too big, 400 for anything else."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CleanImage:
    """The bytes to store and what the tool needs to serve and export them."""

    data: bytes
    mime: str
    width: int | None
    height: int | None
    sha256: str
    name: str


def clean_upload(data: bytes, filename: str = "") -> CleanImage:
    """Check and rebuild an upload: the stored bytes never are the bytes that were sent."""
    if not data:
        raise ImageRefused("The file is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"The image must be at most {MAX_IMAGE_BYTES // 1024} KB.", 413)
    try:
        mime = sniff_mime(data)
    except LogoError as exc:
        raise ImageRefused("The image must be a PNG, JPEG or SVG file.") from exc
    size: tuple[int | None, int | None] = (None, None)
    try:
        if mime == "image/svg+xml":
            clean = clean_svg(data)
        else:
            clean, size = _reencode(data, mime)
    except ImageLimitError as exc:
        message = str(exc)
        raise ImageRefused(message[:1].upper() + message[1:] + ".",
                           413 if "pixels" in message or "KB" in message else 400) from exc
    if len(clean) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"Saved without its metadata the image is over {MAX_IMAGE_BYTES // 1024} KB; "
                           "export it smaller (about 1200 pixels wide is plenty on screen).", 413)
    return CleanImage(clean, mime, size[0], size[1], hashlib.sha256(clean).hexdigest(),
                      safe_name(filename, mime))


def _reencode(data: bytes, mime: str) -> tuple[bytes, tuple[int, int]]:
    """Decode a PNG or JPEG within the pixel limit and write it again with no metadata."""
    fmt = "PNG" if mime == "image/png" else "JPEG"
    raster_pixels(data, fmt)  # from the header: refuses a pixel bomb before it is decoded
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process, so load()
            # would pad a cut-off file with grey; verify() still refuses it.
            with Image.open(io.BytesIO(data)) as checked:
                checked.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                # The camera's rotation lives in EXIF, which is dropped: apply it to the pixels.
                image = ImageOps.exif_transpose(opened) if fmt == "JPEG" else opened.copy()
    except Exception as exc:  # Pillow raises many types on truncated or hostile files
        raise ImageLimitError("the image could not be read") from exc
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)  # no pnginfo: text, time and EXIF chunks are gone
    return out.getvalue(), (image.width, image.height)


def safe_name(filename: str, mime: str) -> str:
    """A file name safe in a URL, a zip and a Moodle file area: lowercase words and its type."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0].lower()
    stem = _UNSAFE_NAME.sub("-", stem).strip("-")[:60] or "image"
    return f"{stem}.{EXTENSIONS[mime]}"


def clean_alt(alt: str, decorative: bool) -> str:
    """The alt text to store: required unless the image is decorative (then always empty)."""
    if decorative:
        return ""
    text = " ".join((alt or "").split())
    if not text:
        raise ImageRefused("Describe the image in the alt text, or mark it as decorative.")
    if len(text) > MAX_ALT:
        raise ImageRefused(f"Keep the alt text under {MAX_ALT} characters; put a longer "
                           "description in the question itself.")
    return text
