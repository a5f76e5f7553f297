"""The PDF renderer's URL fetcher serves only the app's static files and image data: URIs."""

from __future__ import annotations

import base64
import io
import pathlib

import pytest
from PIL import Image

from exports.fetcher import FetchRefused, SafeFetcher, decode_data_uri, static_url


def png_bytes() -> bytes:
    """A tiny real PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/x.css",
    "ftp://example.com/x.png",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/css,body{}",
    "app-static:../../../../etc/passwd",
    "app-static:exports/../../content.py",
    "app-static:%2e%2e/%2e%2e/content.py",
    "app-static:/exports/missing.css",
    "app-static:",
])
def test_refuses_everything_but_static_files_and_image_data(url: str) -> None:
    fetcher = SafeFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_serves_the_print_stylesheet_and_figures() -> None:
    fetcher = SafeFetcher()
    css = fetcher.fetch(static_url("exports/print.css"))
    assert css.content_type == "text/css"
    assert b"@page" in css.read()
    svg = fetcher.fetch(static_url("exports/figures/safe-home.svg"))
    assert svg.content_type == "image/svg+xml"
    assert fetcher.refused == []


def test_refuses_a_symlink_that_points_outside_the_static_folder(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p{}")
    (root / "escape.css").symlink_to("/etc/passwd")
    fetcher = SafeFetcher(roots=(root,))
    assert fetcher.fetch("app-static:ok.css").read() == b"p{}"
    with pytest.raises(FetchRefused, match="escapes"):
        fetcher.fetch("app-static:escape.css")


def test_refuses_static_files_of_other_types(tmp_path: pathlib.Path) -> None:
    (tmp_path / "secret.py").write_text("KEY = 1")
    with pytest.raises(FetchRefused, match="file type"):
        SafeFetcher(roots=(tmp_path,)).fetch("app-static:secret.py")


def test_decodes_image_data_uris() -> None:
    data = png_bytes()
    uri = "data:image/png;base64," + base64.b64encode(data).decode()
    assert decode_data_uri(uri) == ("image/png", data)
    response = SafeFetcher().fetch(uri)
    assert response.content_type == "image/png"
    assert response.read() == data


def test_refuses_oversized_data_uris() -> None:
    uri = "data:image/png;base64," + base64.b64encode(b"\0" * (2 * 1024 * 1024)).decode()
    with pytest.raises(FetchRefused, match="too large"):
        decode_data_uri(uri)
