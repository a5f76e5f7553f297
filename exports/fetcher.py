"""A locked-down WeasyPrint URL fetcher: the app's own static files and image data: URIs only."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import pathlib
from urllib.parse import unquote, unquote_to_bytes

from weasyprint.urls import URLFetcher, URLFetcherResponse

from exports.imagelimits import MAX_IMAGE_BYTES, ImageLimitError, check_image

STATIC_SCHEME = "app-static:"
EXPORTS_STATIC = pathlib.Path(__file__).resolve().parent / "static"
DATA_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
STATIC_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".jpeg", ".ttf", ".otf", ".woff", ".woff2"}
MAX_DATA_BYTES = MAX_IMAGE_BYTES


class FetchRefused(ValueError):
    """A resource the PDF renderer is not allowed to load; WeasyPrint then skips it."""


def static_url(path: str) -> str:
    """The URL a PDF template uses for a file under a static folder, e.g. exports/print.css."""
    return f"{STATIC_SCHEME}{path}"


def resolve_static(url: str, roots: tuple[pathlib.Path, ...]) -> pathlib.Path:
    """Map an app-static: URL to a file inside one of the roots, refusing any path escape."""
    relative = unquote(url[len(STATIC_SCHEME):].split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    if not relative or "\x00" in relative:
        raise FetchRefused(f"empty or invalid static path: {url!r}")
    for root in roots:
        base = root.resolve()
        candidate = (base / relative).resolve()
        if not candidate.is_relative_to(base):
            raise FetchRefused(f"static path escapes its folder: {url!r}")
        if candidate.is_file():
            if candidate.suffix.lower() not in STATIC_SUFFIXES:
                raise FetchRefused(f"static file type not served to the renderer: {url!r}")
            return candidate
    raise FetchRefused(f"no such static file: {url!r}")


def decode_data_uri(url: str) -> tuple[str, bytes]:
    """Decode an image data: URI into (mime type, bytes); other types are refused."""
    header, sep, payload = url[len("data:"):].partition(",")
    if not sep:
        raise FetchRefused("malformed data: URI")
    params = [p.strip().lower() for p in header.split(";")]
    mime = params[0]
    if mime not in DATA_TYPES:
        raise FetchRefused(f"data: URI type {mime or 'text/plain'} is not an allowed image type")
    try:
        body = base64.b64decode(payload, validate=False) if "base64" in params[1:] \
            else unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise FetchRefused("data: URI payload cannot be decoded") from exc
    if len(body) > MAX_DATA_BYTES:
        raise FetchRefused("data: URI is too large")
    try:
        # The same pixel and SVG limits as an upload, for images nested in an SVG logo too.
        check_image(body, mime)
    except ImageLimitError as exc:
        raise FetchRefused(f"data: image refused: {exc}") from exc
    return mime, body


class SafeFetcher(URLFetcher):
    """Serves app-static: files and image data: URIs; refuses file:, http(s): and the rest."""

    def __init__(self, roots: tuple[pathlib.Path, ...] = (EXPORTS_STATIC,)) -> None:
        """Serve files from these static roots; record every refused URL in .refused."""
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.roots = roots
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource, or raise FetchRefused (WeasyPrint logs it and goes on)."""
        try:
            return self._fetch(url)
        except FetchRefused:
            # Kept so tests and callers can see what a document tried to load.
            self.refused.append(url)
            raise

    def _fetch(self, url: str) -> URLFetcherResponse:
        """Dispatch on the scheme; everything not named here is refused."""
        lowered = url.lower()
        if lowered.startswith(STATIC_SCHEME):
            path = resolve_static(url, self.roots)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        if lowered.startswith("data:"):
            mime, body = decode_data_uri(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        raise FetchRefused(f"the PDF renderer may not load {url[:80]!r}")
