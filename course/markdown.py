"""Shared Markdown renderer: CommonMark plus tables, with every output sanitised by nh3."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

LinkResolver = Callable[[str], str]
"""Maps a link target as written to the href to emit; raises ValueError for a bad target."""

CiteResolver = Callable[[str], "Citation"]
"""Maps a reference id from ``[ref:id]`` to its rendered citation; raises ValueError if unknown."""

ImageResolver = Callable[[str, str], "tuple[str, str] | None"]
"""Maps an image's (src, alt) as written to the (src, alt) to emit, or None to show it as text."""


@dataclass(frozen=True)
class Citation:
    """What a ``[ref:id]`` marker renders to: a superscript link."""

    href: str
    label: str
    title: str = ""


@dataclass(frozen=True)
class Resolvers:
    """Optional hooks that let a caller validate and rewrite links and citations."""

    link: LinkResolver | None = None
    cite: CiteResolver | None = None
    image: ImageResolver | None = None


ALLOWED_TAGS = frozenset({
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "sup", "abbr", "figure", "figcaption",
    "img", "br", "hr", "span", "dl", "dt", "dd",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt"},
    "span": {"class"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_CITATION = re.compile(r"\[ref:([A-Za-z0-9_-]+)\]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def render_markdown(text: str, resolvers: Resolvers | None = None) -> str:
    """Render block Markdown to sanitised HTML; raw HTML in the source is shown as text."""
    md = _markdown()
    env = {"resolvers": resolvers or Resolvers()}
    tokens = md.parse(text, env)
    _rewrite_links(tokens, env["resolvers"])
    return sanitize(md.renderer.render(tokens, md.options, env))


def render_inline(text: str, resolvers: Resolvers | None = None) -> str:
    """Render one line of inline Markdown (no wrapping paragraph) to sanitised HTML."""
    md = _markdown()
    env = {"resolvers": resolvers or Resolvers()}
    tokens = md.parseInline(text, env)
    _rewrite_links(tokens, env["resolvers"])
    return sanitize(md.renderer.render(tokens, md.options, env)).strip()


def heading_levels(text: str) -> list[int]:
    """Return the level of every heading in a Markdown text, in order of appearance."""
    tokens = _markdown().parse(text, {"resolvers": Resolvers()})
    return [int(t.tag[1]) for t in tokens if t.type == "heading_open"]


def sanitize(html: str) -> str:
    """Strip everything but the allowed tags, attributes and URL schemes from an HTML fragment."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        clean_content_tags={"script", "style"},
    )


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    """Allow images only from relative URLs, so content never loads third-party resources."""
    if tag == "img" and attr == "src" and (_SCHEME.match(value) or value.startswith("//")):
        return None
    return value


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    """Build the shared parser once: CommonMark, tables, raw HTML off, citation syntax."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    return md


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """Recognise ``[ref:id]`` when the caller supplied a citation resolver."""
    resolvers: Resolvers = state.env.get("resolvers", Resolvers())
    if resolvers.cite is None or state.src[state.pos] != "[":
        return False
    match = _CITATION.match(state.src, state.pos)
    if match is None:
        return False
    citation = resolvers.cite(match.group(1))
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"citation": citation}
    state.pos = match.end()
    return True


def _render_citation(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    """Emit the superscript link for one citation token."""
    citation: Citation = tokens[idx].meta["citation"]
    title = f' title="{escapeHtml(citation.title)}"' if citation.title else ""
    return (
        f'<sup><a href="{escapeHtml(citation.href)}"{title}>'
        f"{escapeHtml(citation.label)}</a></sup>"
    )


def _rewrite_links(tokens: Sequence[Token], resolvers: Resolvers) -> None:
    """Pass every link href and image src through the caller's resolvers, into inline children."""
    if resolvers.link is None and resolvers.image is None:
        return
    for token in tokens:
        if token.type == "link_open" and resolvers.link is not None:
            token.attrSet("href", resolvers.link(str(token.attrGet("href") or "")))
        if token.type == "image" and resolvers.image is not None:
            _rewrite_image(token, resolvers.image)
        if token.children:
            _rewrite_links(token.children, resolvers)


def _rewrite_image(token: Token, resolver: ImageResolver) -> None:
    """Give an image its resolved src and alt, or turn it into its alt text in brackets."""
    alt = "".join(child.content for child in token.children or [])
    found = resolver(str(token.attrGet("src") or ""), alt)
    if found is None:
        token.type, token.tag, token.attrs, token.children = "text", "", {}, None
        token.content = f"[image not available{': ' + alt if alt else ''}]"
        return
    token.attrSet("src", found[0])
    token.children = [Token("text", "", 0, content=found[1])]
