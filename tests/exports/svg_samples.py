"""Hostile and legitimate SVG logos for the image-limit tests and the bench."""

from __future__ import annotations

import base64
import io

from PIL import Image

HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 100 40">')


def use_bomb(levels: int = 5, fan_out: int = 10) -> bytes:
    """The attack run's logo: each level draws the one below `fan_out` times (10^5 shapes)."""
    parts = [HEAD, '<defs><g id="l0"><rect width="1" height="1" fill="#0b3d6b"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use xlink:href="#l{level - 1}" x="{i}"/>' for i in range(fan_out))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use href="#l{levels}"/></svg>')
    return "".join(parts).encode()


def huge_png(width: int = 12000, height: int = 12000) -> bytes:
    """A real PNG of many pixels that compresses to a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def png_inside_svg(png: bytes) -> bytes:
    """An SVG whose only content is a data: PNG."""
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    return f'{HEAD}<image width="100" height="40" href="{uri}"/></svg>'.encode()


def deep_groups(depth: int) -> bytes:
    """Groups nested `depth` deep around one rectangle."""
    return (HEAD + "<g>" * depth + '<rect width="1" height="1"/>' + "</g>" * depth
            + "</svg>").encode()


def reused_symbol(copies: int, shapes: int = 10) -> bytes:
    """A legitimate pattern: one symbol of `shapes` rectangles drawn `copies` times."""
    rects = "".join(f'<rect x="{i}" width="1" height="1"/>' for i in range(shapes))
    uses = "".join(f'<use href="#s" x="{i * 2}"/>' for i in range(copies))
    return f'{HEAD}<defs><symbol id="s">{rects}</symbol></defs>{uses}</svg>'.encode()


def many_paths(count: int, points: int) -> bytes:
    """`count` paths of `points` points each: the largest drawing an upload may hold."""
    path = "M0 0 " + " ".join(f"L{i % 100} {(i * 7) % 40}" for i in range(points)) + " Z"
    body = "".join(f'<path d="{path}" fill="#0b3d6b"/>' for _ in range(count))
    return f"{HEAD}{body}</svg>".encode()
