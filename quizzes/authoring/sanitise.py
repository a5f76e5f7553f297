"""Pure clean-up of authored Markdown before it is stored: no raw HTML, no script links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Whole script/style/iframe-like blocks go with their content; other tags lose only the tag.
_BLOCKS = re.compile(r"<(script|style|iframe|object|embed|template|noscript)\b[^>]*>.*?</\1\s*>",
                     re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^<>]*)?>|<!--.*?-->|<![A-Za-z][^<>]*>|<\?[^<>]*>",
                  re.DOTALL)
# A Markdown link or image target, an autolink, or a reference definition with a scheme.
_LINK_TARGET = re.compile(r"(\]\(\s*<?\s*|^\s{0,3}\[[^\]]+\]:\s*<?\s*|<)([A-Za-z][A-Za-z0-9+.\-]*):",
                          re.MULTILINE)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
# ![alt](image:12) names a course image (quizzes/media); rendering resolves it in the course only.
_IMAGE_REF = re.compile(r"image:\d{1,9}\s*\)")


def clean_text(text: str) -> str:
    """Remove raw HTML tags and unsafe link schemes from Markdown source; the rest is kept."""
    out = text
    # Nested fragments such as <scr<script>ipt> need one more pass per level. Every pass that
    # changes something removes a "<" (links only change once), so this many always suffice.
    for _ in range(text.count("<") + 2):
        before = out
        out = _BLOCKS.sub("", out)
        out = _TAG.sub("", out)
        out = _LINK_TARGET.sub(_neutralise_link, out)
        if out == before:
            break
    return out


def _neutralise_link(match: re.Match[str]) -> str:
    """Keep web and mail links; point any other scheme (javascript:, data:) nowhere."""
    if match.group(2).lower() in SAFE_SCHEMES:
        return match.group(0)
    if match.group(1).startswith("]") and _IMAGE_REF.match(match.string, match.start(2)):
        return match.group(0)
    return f"{match.group(1)}#blocked-"


def clean_item(value: Any) -> Any:
    """A deep copy of an item with every string cleaned; ids survive because they are slugs."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {str(k): clean_item(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_item(v) for v in value]
    return value

