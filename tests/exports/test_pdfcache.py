"""The PDF cache: same inputs give the same bytes without rendering; any change misses."""

from __future__ import annotations

import pathlib

import pytest

from exports import pdfcache
from exports.content import load_handouts
from exports.pdfcache import PdfCache, cache_key, cached_pdf
from exports.render import RenderOptions, build_context, render_pdf
from tests.exports.helpers import pdf_text, variant, write_handouts

CLINIC = {"name": "Hillside Clinic", "phone": "555-0100"}
SLUG = "muscle-loss"


def test_cached_pdf_is_byte_identical_to_a_fresh_render(tmp_path: pathlib.Path) -> None:
    cache = PdfCache(tmp_path / "cache")
    first, hit = cached_pdf(cache, [SLUG], CLINIC, RenderOptions())
    assert not hit
    again, hit = cached_pdf(cache, [SLUG], CLINIC, RenderOptions())
    assert hit and again == first
    assert render_pdf([SLUG], CLINIC) == first


def test_a_cache_hit_does_not_render(tmp_path: pathlib.Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PdfCache(tmp_path / "cache")
    first, _ = cached_pdf(cache, [SLUG], CLINIC, RenderOptions())

    def fail(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered on a cache hit")

    monkeypatch.setattr(pdfcache, "html_to_pdf", fail)
    assert cached_pdf(cache, [SLUG], CLINIC, RenderOptions()) == (first, True)


def test_changing_the_clinic_phone_changes_the_pdf(tmp_path: pathlib.Path) -> None:
    cache = PdfCache(tmp_path / "cache")
    before, _ = cached_pdf(cache, [SLUG], CLINIC, RenderOptions())
    after, hit = cached_pdf(cache, [SLUG], {**CLINIC, "phone": "555-0199"}, RenderOptions())
    assert not hit and after != before
    path = tmp_path / "after.pdf"
    path.write_bytes(after)
    assert "555-0199" in pdf_text(path)


@pytest.mark.parametrize("change", [
    {"clinic": {**CLINIC, "name": "Other Clinic"}},
    {"clinic": {**CLINIC, "address": "1 New Street"}},
    {"options": RenderOptions(paper="a4")},
    {"options": RenderOptions(large_print=True)},
    {"options": RenderOptions(notes="Call on Monday.")},
    {"slugs": [SLUG, "preventing-falls-at-home"]},
])
def test_any_input_change_changes_the_key(change: dict[str, object]) -> None:
    base = {"slugs": [SLUG], "clinic": CLINIC, "options": RenderOptions()}
    changed = {**base, **change}
    assert cache_key(build_context(**base)) != cache_key(build_context(**changed))


def test_a_content_edit_changes_the_key(tmp_path: pathlib.Path) -> None:
    one = load_handouts(write_handouts(tmp_path / "a", variant()))
    two = load_handouts(write_handouts(tmp_path / "b", variant(title="A new title")))
    keys = {cache_key(build_context(["sample-topic"], CLINIC, RenderOptions(), h))
            for h in (one, two)}
    assert len(keys) == 2


def test_keys_are_validated_and_old_entries_trimmed(tmp_path: pathlib.Path) -> None:
    cache = PdfCache(tmp_path / "cache", max_files=2)
    with pytest.raises(ValueError):
        cache.path("../../etc/passwd")
    keys = [f"{i:064x}" for i in range(3)]
    for key in keys:
        cache.put(key, b"%PDF-" + key.encode())
    assert cache.get(keys[-1]) == b"%PDF-" + keys[-1].encode()
    assert len(list((tmp_path / "cache").glob("*/*.pdf"))) == 2
