"""Property tests: cleaning never lets unsafe text through, static paths never escape."""

from __future__ import annotations

import pathlib

from hypothesis import given, settings
from hypothesis import strategies as st

from exports.fetcher import EXPORTS_STATIC, FetchRefused, resolve_static, static_url
from exports.render import NOTES_MAX, clean_clinic, clean_notes

CONTROL = {chr(c) for c in range(32) if chr(c) != "\n"} | {"\x7f", "\u202e", "\u2066"}


@given(st.text(max_size=3000))
def test_clean_notes_is_short_and_free_of_control_characters(text: str) -> None:
    cleaned = clean_notes(text)
    assert len(cleaned) <= NOTES_MAX
    assert not CONTROL & set(cleaned)
    assert cleaned == clean_notes(cleaned)


@given(st.dictionaries(st.sampled_from(["name", "phone", "address", "website", "logo_data_uri"]),
                       st.text(max_size=400)))
def test_clean_clinic_always_has_a_name_a_digit_phone_or_none_and_only_image_data_logos(
        values: dict[str, str]) -> None:
    clinic = clean_clinic(values)
    assert clinic["name"]
    # A phone is printed only when it has a digit; otherwise the handout prints a write-in line.
    assert clinic["has_phone"] == any(ch.isdigit() for ch in clinic["phone"])
    assert clinic["has_phone"] or clinic["phone"] == ""
    assert clinic["logo_data_uri"] == "" or clinic["logo_data_uri"].startswith("data:image/")
    assert len(clinic["phone"]) <= 40


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["..", ".", "exports", "figures", "%2e%2e", "etc", "passwd",
                                 "print.css", "", "/", "~"]), max_size=8))
def test_static_paths_never_leave_the_static_folder(parts: list[str]) -> None:
    url = static_url("/".join(parts))
    try:
        path = resolve_static(url, (EXPORTS_STATIC,))
    except FetchRefused:
        return
    assert path.is_relative_to(EXPORTS_STATIC.resolve())
    assert path.is_file() and isinstance(path, pathlib.Path)
