"""Tests for the shared Markdown renderer: formatting survives, scripts never do."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.markdown import (
    ALLOWED_TAGS,
    Citation,
    Resolvers,
    heading_levels,
    render_inline,
    render_markdown,
)

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Collector(HTMLParser):
    """Collect every start tag with its attributes from an HTML fragment."""

    def __init__(self) -> None:
        """Start with no tags seen."""
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record one start tag."""
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Parse an HTML fragment into (tag, attributes) pairs."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_inert(html: str) -> None:
    """Fail if the HTML could run script: bad tags, event handlers or unsafe URLs."""
    for tag, attrs in tags_of(html):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} survived in {html!r}"
            if name in ("href", "src") and value:
                lowered = "".join(value.split()).lower()
                assert not lowered.startswith(UNSAFE_SCHEMES), f"unsafe URL {value!r}"


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '**bold** <b onclick="alert(1)">b</b>',
    "```\n<script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_are_inert_in_blocks(payload: str) -> None:
    """No payload produces a script-capable tag, attribute or URL."""
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_are_inert_inline(payload: str) -> None:
    """The inline renderer is just as strict."""
    assert_inert(render_inline(payload))


def test_raw_html_is_shown_as_text_not_markup() -> None:
    """Raw HTML in content is escaped, so authors see their mistake rather than it vanishing."""
    html = render_markdown("Before <script>alert(1)</script> after")
    assert "&lt;script&gt;" in html
    assert not any(tag == "script" for tag, _ in tags_of(html))


def test_commonmark_and_tables_render() -> None:
    """Headings, emphasis, lists, code and pipe tables become the expected elements."""
    text = "## Title\n\n*em* and **strong** and `code`\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    found = {tag for tag, _ in tags_of(render_markdown(text))}
    assert {"h2", "em", "strong", "code", "ul", "li", "table", "thead", "tbody", "th", "td"} <= found


def test_level_one_headings_are_not_emitted() -> None:
    """h1 belongs to the page template, so the sanitiser strips it."""
    assert not any(tag == "h1" for tag, _ in tags_of(render_markdown("# Big\n\ntext")))


def test_external_links_keep_href_and_images_need_relative_src() -> None:
    """https links survive; remote images lose their src; relative images keep it."""
    html = render_markdown("[site](https://example.org) ![a](https://evil.example/t.png) ![b](img/b.png)")
    tags = tags_of(html)
    assert ("a", {"href": "https://example.org", "rel": "noopener noreferrer"}) in tags
    srcs = [attrs.get("src") for tag, attrs in tags if tag == "img"]
    assert "img/b.png" in srcs
    assert not any(src and "evil.example" in src for src in srcs)


def test_render_inline_has_no_paragraph() -> None:
    """One-line fields render without a wrapping block element."""
    html = render_inline("a *b* c")
    assert html == "a <em>b</em> c"


def test_link_resolver_rewrites_and_can_reject() -> None:
    """A link resolver sees each href; its errors propagate to the caller."""
    def resolver(href: str) -> str:
        """Rewrite internal links, reject everything else."""
        if href.startswith("section:"):
            return "../" + href.removeprefix("section:")
        raise ValueError(f"bad {href}")

    html = render_markdown("[s](section:m/s)", Resolvers(link=resolver))
    assert ("a", {"href": "../m/s", "rel": "noopener noreferrer"}) in tags_of(html)
    with pytest.raises(ValueError, match="bad https://x.example"):
        render_markdown("[x](https://x.example)", Resolvers(link=resolver))


def test_citations_render_as_superscript_links_only_with_a_resolver() -> None:
    """``[ref:id]`` becomes a superscript link through the resolver; without one it stays text."""
    cite = Resolvers(cite=lambda ref_id: Citation(f"refs#{ref_id}", "[3]", "A <title>"))
    html = render_markdown("Claim [ref:abc].", cite)
    assert '<sup><a href="refs#abc" title="A &lt;title&gt;"' in html
    assert ">[3]</a></sup>" in html
    assert "[ref:abc]" in render_markdown("Claim [ref:abc].")


def test_heading_levels_in_order() -> None:
    """heading_levels reports every heading's level in document order."""
    assert heading_levels("## a\n\n#### b\n\ntext\n\n### c\n") == [2, 4, 3]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abcdefghijklmnopqrstuvwxyz:()[]!#*`-\n&;")),
               max_size=120))
def test_arbitrary_text_never_yields_unsafe_html(text: str) -> None:
    """Whatever an author types, the output holds only allowed, inert markup."""
    assert_inert(render_markdown(text))
    assert_inert(render_inline(text))
