"""Hostile URLs in a logo, clinician notes or handout content never reach the PDF."""

from __future__ import annotations

import pathlib
from html.parser import HTMLParser

import pytest

from exports.content import load_handouts
from exports.fetcher import SafeFetcher
from exports.render import RenderOptions, clean_clinic, html_to_pdf, render_html, render_pdf
from tests.exports.helpers import pdf_text, variant, write_handouts

PASSWD = pathlib.Path("/etc/passwd")
BAD_URLS = ("file:///etc/passwd", "http://example.com/x.png")


def passwd_marker() -> str:
    """A line of /etc/passwd that must never show up in a PDF."""
    return PASSWD.read_text().splitlines()[0] if PASSWD.exists() else "root:x:0:0"


class _Resources(HTMLParser):
    """Collect every URL an element would make the renderer load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "data") + (("href",) if tag == "link" else ()):
            if values.get(name):
                self.urls.append(str(values[name]))


def resource_urls(html: str) -> list[str]:
    """URLs in src/data attributes and stylesheet links of an HTML document."""
    parser = _Resources()
    parser.feed(html)
    return parser.urls


def write(tmp_path: pathlib.Path, data: bytes) -> pathlib.Path:
    """Save a PDF for poppler."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return path


def test_fetcher_refuses_file_and_http_resources_and_the_pdf_still_renders(
        tmp_path: pathlib.Path) -> None:
    html = (
        '<!doctype html><html lang="en"><head><title>T</title>'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="http://example.com/x.css">'
        '<style>@import url("file:///etc/passwd"); body { background: url(http://example.com/b.png) }</style>'
        '</head><body><p>Still here</p>'
        '<img src="file:///etc/passwd" alt="a"><img src="http://example.com/x.png" alt="b">'
        '<object data="file:///etc/passwd"></object><iframe src="file:///etc/passwd"></iframe>'
        '</body></html>')
    fetcher = SafeFetcher()
    path = write(tmp_path, html_to_pdf(html, fetcher))
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://example.com/x.png" in fetcher.refused
    text = pdf_text(path)
    assert "Still here" in text
    assert passwd_marker() not in text


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_logo_url_is_dropped(tmp_path: pathlib.Path, url: str) -> None:
    clinic = {"name": "Clinic", "phone": "123", "logo_data_uri": url}
    assert clean_clinic(clinic)["logo_data_uri"] == ""
    html = render_html(["muscle-loss"], clinic, RenderOptions())
    assert url not in html
    assert passwd_marker() not in pdf_text(write(tmp_path, render_pdf(["muscle-loss"], clinic)))


def test_a_logo_data_uri_of_the_wrong_type_is_refused_by_the_fetcher() -> None:
    # clean_clinic only lets data:image/ through; the fetcher checks the type once more.
    fetcher = SafeFetcher()
    html = '<html lang="en"><title>T</title><img src="data:text/html,hi" alt="x"></html>'
    html_to_pdf(html, fetcher)
    assert fetcher.refused == ["data:text/html,hi"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_urls_in_clinician_notes_are_only_text(tmp_path: pathlib.Path, url: str) -> None:
    notes = f'<img src="{url}"> <link rel="stylesheet" href="{url}"> see {url}'
    path = write(tmp_path, render_pdf(["muscle-loss"], {"name": "C", "phone": "1"},
                                      notes=notes))
    text = pdf_text(path)
    assert f"see {url}" in text
    assert passwd_marker() not in text


@pytest.mark.parametrize("url", BAD_URLS)
def test_urls_in_handout_content_are_not_loaded(tmp_path: pathlib.Path, url: str) -> None:
    sections = [{"heading": "Pictures", "text": f"![secret]({url})\n\n<img src=\"{url}\">",
                 "do": [f"Read [this]({url})."]}]
    handouts = load_handouts(write_handouts(tmp_path / "h", variant(sections=sections)))
    html = render_html(["sample-topic"], {}, RenderOptions(), handouts)
    assert url not in resource_urls(html)
    fetcher = SafeFetcher()
    path = write(tmp_path, html_to_pdf(html, fetcher))
    assert url not in fetcher.refused  # never even requested
    assert "Pictures" in pdf_text(path)
    assert passwd_marker() not in pdf_text(path)
