"""Test images built in memory: small PNG/JPEG with metadata, pixel bombs and hostile SVGs."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from PIL.PngImagePlugin import PngInfo


def png(width: int = 40, height: int = 30, text: str | None = None, mode: str = "RGB") -> bytes:
    """A real PNG, optionally with a tEXt chunk (metadata the upload must drop)."""
    out = io.BytesIO()
    info = PngInfo()
    if text:
        info.add_text("Comment", text)
    Image.new(mode, (width, height), "red" if mode == "RGB" else 0).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg(width: int = 40, height: int = 20, orientation: int | None = None) -> bytes:
    """A real JPEG with EXIF (a camera make, and an orientation when given)."""
    image = Image.new("RGB", (width, height), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG header claiming a huge canvas, with almost no data: refused before decoding."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + chunk(b"IEND", b"")


SVG_OK = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
          b'<title>Knee</title><rect width="10" height="10" fill="#ccc"/></svg>')

SVG_HOSTILE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'onload="alert(1)" viewBox="0 0 10 10">'
    b'<script>alert(2)</script>'
    b'<style>@import url(https://evil.example/x.css);</style>'
    b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
    b'<a xlink:href="javascript:alert(3)"><rect width="5" height="5"/></a>'
    b'<image href="https://evil.example/track.png" width="5" height="5"/>'
    b'<rect width="10" height="10" onclick="alert(4)" fill="url(https://evil.example/p)"/>'
    b'<use href="https://evil.example/sprite.svg#x"/>'
    b'<circle r="3" cx="5" cy="5"/></svg>')

SVG_ENTITIES = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>')

SVG_XXE = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')


def svg_use_bomb(levels: int = 5, fan: int = 10) -> bytes:
    """Each level draws the previous one ten times: 10^5 shapes from a file of about 1 KB."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg"><defs><rect id="l0" width="1" height="1"/>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(fan))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use href="#l{levels}"/></svg>')
    return "".join(parts).encode()
