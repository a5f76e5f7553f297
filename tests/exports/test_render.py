"""Rendered handout PDFs: tagged, titled, right paper size, fonts embedded, clinic details shown."""

from __future__ import annotations

import io
import pathlib
import re
import statistics
import subprocess
from html.parser import HTMLParser

import pytest
from PIL import Image

from exports.content import get_handout, get_handouts
from exports.logo import logo_data_uri
from exports.render import (
    NOTES_MAX,
    RenderOptions,
    build_context,
    clean_notes,
    handout_context,
    render_html,
    render_pdf,
)
from tests.exports.helpers import pdf_text, pdfinfo, run

CLINIC = {"name": "Riverside MS Clinic", "department": "Neurology", "phone": "(555) 010-2030",
          "address": "12 River Road", "website": "riverside.example.org"}
SLUG = "spasticity-and-spasms"


def logo_png() -> bytes:
    """A small real PNG logo."""
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), "#0b3d6b").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    """Render each variant once for the whole module (rendering takes a moment)."""
    folder = tmp_path_factory.mktemp("pdfs")
    clinic = {**CLINIC, "logo_data_uri": logo_data_uri(logo_png())}
    variants = {
        "letter": dict(slugs=[SLUG], paper="letter", large_print=False,
                       notes="Bring your medicine list."),
        "a4_large": dict(slugs=[SLUG], paper="a4", large_print=True),
        "packet": dict(slugs=[h.slug for h in get_handouts()][:3], paper="letter",
                       large_print=False),
    }
    paths = {}
    for name, kw in variants.items():
        path = folder / f"{name}.pdf"
        path.write_bytes(render_pdf(kw.pop("slugs"), clinic, **kw))
        paths[name] = path
    return paths


@pytest.mark.parametrize("name, size", [("letter", "612 x 792"), ("a4_large", "595.276 x 841.89"),
                                        ("packet", "612 x 792")])
def test_pdf_is_tagged_titled_and_on_the_paper_asked_for(pdfs: dict[str, pathlib.Path],
                                                         name: str, size: str) -> None:
    info = pdfinfo(pdfs[name])
    assert info["Tagged"] == "yes"
    assert info["Page size"].startswith(size)
    expected = (get_handout(SLUG).title if name != "packet"
                else f"Your MS handouts from {CLINIC['name']}")
    assert info["Title"] == expected


def test_every_font_is_embedded(pdfs: dict[str, pathlib.Path]) -> None:
    for path in pdfs.values():
        rows = run("pdffonts", path).splitlines()[2:]
        assert rows, "no fonts listed"
        for row in rows:
            # Columns: name type encoding emb sub uni object ID; "emb" is 5th from the right.
            assert row.split()[-5] == "yes", row


def test_text_has_phone_disclaimer_dates_and_page_numbers(pdfs: dict[str, pathlib.Path]) -> None:
    text = pdf_text(pdfs["letter"])
    handout = get_handout(SLUG)
    assert CLINIC["phone"] in text and CLINIC["name"] in text
    assert " ".join(handout.disclaimer.split()) in text
    assert "Written:" in text and "Reviewed:" in text
    pages = int(pdfinfo(pdfs["letter"])["Pages"])
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Call your care team if" in text and "Get emergency help if" in text
    assert "Bring your medicine list." in text


def test_structure_has_headings_lists_and_the_logo_image(pdfs: dict[str, pathlib.Path]) -> None:
    tree = run("pdfinfo", "-struct", pdfs["letter"])
    for tag in ("H1", "H2", "L (block)", "LI (block)", "Figure"):
        assert tag in tree
    images = run("pdfimages", "-list", pdfs["letter"]).splitlines()[2:]
    assert images, "the clinic logo was not drawn"


def _median_word_height(path: pathlib.Path) -> float:
    """Median height of the words on pages 1-2, which are mostly body text."""
    bbox = run("pdftotext", "-bbox", "-f", "1", "-l", "2", path, "-")
    heights = [float(b) - float(a) for a, b in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', bbox)]
    return statistics.median(heights)


def test_large_print_body_is_at_least_16pt(pdfs: dict[str, pathlib.Path]) -> None:
    standard_html = render_html([SLUG], CLINIC, RenderOptions())
    large_html = render_html([SLUG], CLINIC, RenderOptions(large_print=True))
    standard_pt = int(re.search(r"html \{ font-size: (\d+)pt", standard_html).group(1))
    large_pt = int(re.search(r"html \{ font-size: (\d+)pt", large_html).group(1))
    assert standard_pt >= 12 and large_pt >= 16
    # Calibrate word-box height to point size on the standard PDF, then measure large print.
    per_point = _median_word_height(pdfs["letter"]) / standard_pt
    assert _median_word_height(pdfs["a4_large"]) / per_point >= 16


def test_every_image_has_alt_text_and_the_document_has_a_language() -> None:
    html = render_html([h.slug for h in get_handouts()],
                       {**CLINIC, "logo_data_uri": logo_data_uri(logo_png())}, RenderOptions())

    class Images(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.alts: list[str | None] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                self.alts.append(dict(attrs).get("alt"))

    parser = Images()
    parser.feed(html)
    assert len(parser.alts) >= 4
    assert all(alt and alt.strip() for alt in parser.alts)
    assert '<html lang="en">' in html and "<title>" in html


def test_packet_has_cover_and_contents_with_true_page_numbers(
        pdfs: dict[str, pathlib.Path]) -> None:
    path = pdfs["packet"]
    cover = pdf_text(path, 1, 1)
    assert "In this packet" in cover
    pages = int(pdfinfo(path)["Pages"])
    for handout in list(get_handouts())[:3]:
        listed = re.search(re.escape(handout.title) + r"[ .]*(\d+)", cover)
        assert listed, handout.title
        page = int(listed.group(1))
        assert 1 < page <= pages
        # The handout's title is the first heading on the page the contents point to.
        assert handout.title in pdf_text(path, page, page)
        assert handout.title not in pdf_text(path, page - 1, page - 1) or page - 1 == 1


def test_notes_are_plain_text_and_length_limited() -> None:
    notes = "<b>Bold?</b> <img src='file:///etc/passwd'>\x00\x1b[31m" + "x" * 2000
    cleaned = clean_notes(notes)
    assert len(cleaned) == NOTES_MAX
    assert "\x00" not in cleaned and "\x1b" not in cleaned
    html = render_html([SLUG], CLINIC, RenderOptions(notes=notes))
    assert "&lt;b&gt;Bold?&lt;/b&gt;" in html
    assert "<img src='file" not in html


def test_context_is_plain_values_only() -> None:
    context = build_context([SLUG, "muscle-loss"], CLINIC, RenderOptions(notes="Hi"))

    def check(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                assert isinstance(key, str)
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)
        else:
            assert value is None or isinstance(value, (str, int, bool)), type(value)

    check(context)
    single = handout_context(get_handout(SLUG), CLINIC, RenderOptions())
    check(single)
    assert single["clinic"]["phone"] == CLINIC["phone"]


def test_unknown_paper_and_unknown_slug_are_refused() -> None:
    with pytest.raises(ValueError, match="paper"):
        RenderOptions(paper="legal")
    with pytest.raises(KeyError):
        render_html(["no-such-handout"], CLINIC, RenderOptions())


def test_pdftotext_is_the_poppler_tool() -> None:
    # Guards the other tests: they rely on poppler's output format.
    assert "pdftotext" in subprocess.run(["pdftotext", "-v"], capture_output=True,
                                         text=True).stderr


@pytest.mark.parametrize("slugs, drawn", [(["spasticity-and-spasms"], 1),
                                          ([h.slug for h in get_handouts()], 1)])
def test_the_logo_is_drawn_once_per_document(slugs: list[str], drawn: int) -> None:
    """A packet shows the logo on its cover only: each SVG logo drawing costs render time."""
    uri = logo_data_uri(logo_png())
    html = render_html(slugs, {**CLINIC, "logo_data_uri": uri}, RenderOptions())
    assert html.count(uri) == drawn


def test_fonts_are_subset_by_harfbuzz_not_fonttools(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: pathlib.Path) -> None:
    # WeasyPrint falls back to fontTools' subsetter, in Python, when libharfbuzz-subset0 is
    # missing: 0.4 s of the 2.4 s a nine-handout packet took (docs/performance.md, the packet).
    from fontTools import subset

    calls: list[object] = []
    monkeypatch.setattr(subset.Subsetter, "subset", lambda self, font: calls.append(font))
    path = tmp_path / "one.pdf"
    path.write_bytes(render_pdf([SLUG], CLINIC))
    assert calls == [], "fonts were subset by fontTools: install libharfbuzz-subset0"
    rows = run("pdffonts", path).splitlines()[2:]
    # Columns: name type encoding emb sub uni object ID; "sub" is 4th from the right.
    assert rows and all(row.split()[-4] == "yes" for row in rows), rows
    assert "Call your care team if" in pdf_text(path)
