"""On-disk cache of rendered handout PDFs, keyed by a hash of everything that shapes the output."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pathlib
import tempfile
from collections.abc import Mapping
from typing import Any

import weasyprint

from exports.content import Handout
from exports.fetcher import EXPORTS_STATIC
from exports.render import (
    RENDERER_VERSION,
    TEMPLATE_DIR,
    RenderOptions,
    build_context,
    context_html,
    html_to_pdf,
)

MAX_FILES = 500


def cache_key(context: Mapping[str, Any]) -> str:
    """SHA-256 over the full document context (content text and versions, clinic values,
    options, notes) plus the renderer version and a digest of templates, CSS and figures."""
    payload = {
        "context": context,
        "renderer": RENDERER_VERSION,
        "weasyprint": weasyprint.__version__,
        "assets": assets_digest(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def assets_digest() -> str:
    """Digest of every PDF template and static file, so a design change invalidates the cache."""
    digest = hashlib.sha256()
    roots = (TEMPLATE_DIR / "exports" / "pdf", EXPORTS_STATIC / "exports")
    for path in sorted(p for root in roots for p in root.rglob("*") if p.is_file()):
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()


class PdfCache:
    """PDF files under a folder (normally the Flask instance folder), one file per key."""

    def __init__(self, folder: pathlib.Path, max_files: int = MAX_FILES) -> None:
        """Remember the folder; it is created on first write."""
        self.folder = pathlib.Path(folder)
        self.max_files = max_files

    def path(self, key: str) -> pathlib.Path:
        """Where the PDF for a key lives; keys are hex digests, so no path tricks are possible."""
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("cache keys are SHA-256 hex digests")
        return self.folder / key[:2] / f"{key}.pdf"

    def get(self, key: str) -> bytes | None:
        """The cached bytes, or None on a miss."""
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, data: bytes) -> None:
        """Store bytes atomically, so a reader never sees half a file, then trim old entries."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)
        self._trim()

    def _trim(self) -> None:
        """Delete the least recently written PDFs beyond max_files."""
        files = sorted(self.folder.glob("*/*.pdf"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.max_files)]:
            old.unlink(missing_ok=True)


def cached_pdf(cache: PdfCache, slugs: list[str], clinic: Mapping[str, Any],
               options: RenderOptions,
               handouts: tuple[Handout, ...] | None = None) -> tuple[bytes, bool]:
    """Return (pdf bytes, True if served from cache); renders and stores on a miss."""
    context = build_context(slugs, clinic, options, handouts)
    key = cache_key(context)
    data = cache.get(key)
    if data is not None:
        return data, True
    data = html_to_pdf(context_html(context))
    cache.put(key, data)
    return data, False
