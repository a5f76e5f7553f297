"""Pure: image references in item Markdown, written ``![alt](image:12)``, found and rewritten.

A reference names a course image by its id; it resolves only inside the course that owns the
image, so a copied item that names another course's image shows "[image not available]".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

SCHEME = "image:"
# Only the Markdown image form ![alt](image:12); the id is bounded like every id in a URL.
IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\(\s*image:(\d{1,9})\s*\)")
SRC = re.compile(r"^image:(\d{1,9})$")


def reference(image_id: int, alt: str = "") -> str:
    """The Markdown an author pastes into a stem, an option or a chart tab."""
    return f"![{_alt(alt)}]({SCHEME}{image_id})"


def src_id(src: str) -> int | None:
    """The image id of an ``image:N`` src, or None for any other src."""
    match = SRC.match(src.strip())
    return int(match.group(1)) if match else None


def image_ids(value: Any) -> list[int]:
    """Every image id referenced anywhere in a text, list or dict (an item), first use first."""
    found: dict[int, None] = {}
    for text in _strings(value):
        for match in IMAGE.finditer(text):
            found.setdefault(int(match.group(2)), None)
    return list(found)


def rewrite(value: Any, target: Callable[[int, str], tuple[str, str] | None]) -> Any:
    """A copy with each ``![alt](image:N)`` given ``target(N, alt)``'s (url, alt); None keeps it."""
    if isinstance(value, str):
        def swap(match: re.Match[str]) -> str:
            new = target(int(match.group(2)), match.group(1))
            return match.group(0) if new is None else f"![{_alt(new[1])}]({new[0]})"
        return IMAGE.sub(swap, value) if SCHEME in value else value
    if isinstance(value, list):
        return [rewrite(v, target) for v in value]
    if isinstance(value, dict):
        return {k: rewrite(v, target) for k, v in value.items()}
    return value


def _alt(text: str) -> str:
    """Alt text that cannot close the Markdown brackets it sits in."""
    return text.replace("\\", " ").replace("[", "(").replace("]", ")")


def _strings(value: Any) -> list[str]:
    """Every string inside a nested value, without recursion limits on odd input."""
    out, stack = [], [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            out.append(current)
        elif isinstance(current, dict):
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, (list, tuple)):
            stack.extend(reversed(current))
    return out
