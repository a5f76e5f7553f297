"""Every image the PDF renderer sees meets the same byte, pixel and SVG-expansion limits."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from exports import imagelimits
from exports.fetcher import FetchRefused, SafeFetcher
from exports.logo import LogoError, validate_logo
from exports.models import ClinicProfile, clinic_dict
from tests.conftest import csrf_from, launch_as
from tests.exports.svg_samples import (
    HEAD,
    deep_groups,
    huge_png,
    many_paths,
    png_inside_svg,
    reused_symbol,
    use_bomb,
)


@pytest.fixture(scope="module")
def big_png() -> bytes:
    """12000 x 12000 pixels in a few kilobytes (the attack run's file was 23 KB)."""
    return huge_png()


def test_use_reference_bomb_is_refused() -> None:
    bomb = use_bomb()
    assert len(bomb) < 2048  # 1-2 KB on disk, 10^5 shapes when drawn
    with pytest.raises(LogoError, match="too detailed"):
        validate_logo(bomb)


def test_png_inside_svg_gets_the_direct_png_pixel_limit(big_png: bytes) -> None:
    with pytest.raises(LogoError, match="12000 x 12000 pixels"):
        validate_logo(big_png)
    with pytest.raises(LogoError, match="12000 x 12000 pixels"):
        validate_logo(png_inside_svg(big_png))


@pytest.mark.parametrize("svg, message", [
    (deep_groups(5000), "nests elements more than"),
    (reused_symbol(3000, shapes=1), "more than 2000 elements"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><use id="a" href="#a"/></svg>', "loop"),
    (many_paths(10, 3000), "too detailed"),  # 30,000 path points
    (HEAD.encode() + b"<text>" + b"MS clinic " * 300 + b"</text></svg>", "too detailed"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><rect fill="url(#b)"/></g>'
     b'<mask id="b"><use href="#a"/></mask></svg>', "loop"),
])
def test_deep_huge_or_looping_svg_is_refused_with_a_reason(svg: bytes, message: str) -> None:
    with pytest.raises(LogoError, match=message):
        validate_logo(svg)


def test_svg_work_is_bounded_by_its_element_count(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    original = imagelimits._embedded_pixels

    def counting(element: Any) -> int:
        calls["n"] += 1
        return original(element)

    monkeypatch.setattr(imagelimits, "_embedded_pixels", counting)
    # 150 uses of a 10-shape symbol draw about 1,650 shapes but hold only 162 elements.
    svg = reused_symbol(150)
    elements = svg.count(b"<") - svg.count(b"</")
    drawn, _pixels = imagelimits.check_svg_budget(imagelimits.parse_svg(svg))
    assert drawn > 1500
    assert calls["n"] <= elements  # each element measured once, whatever refers to it
    calls["n"] = 0
    with pytest.raises(imagelimits.ImageLimitError):
        imagelimits.check_svg_budget(imagelimits.parse_svg(use_bomb()))
    assert calls["n"] <= use_bomb().count(b"<")


def test_legitimate_reuse_and_a_large_drawing_are_accepted() -> None:
    for svg in (reused_symbol(150), many_paths(60, 150)):
        clean, mime = validate_logo(svg)
        assert mime == "image/svg+xml" and clean.count(b"<path") + clean.count(b"<use") >= 60


@pytest.mark.parametrize("make", [use_bomb, lambda: png_inside_svg(huge_png())])
def test_the_renderer_refuses_a_hostile_svg_however_it_arrives(make: Any) -> None:
    uri = "data:image/svg+xml;base64," + base64.b64encode(make()).decode()
    with pytest.raises(FetchRefused, match="refused"):
        SafeFetcher().fetch(uri)


def test_the_renderer_refuses_a_huge_png(big_png: bytes) -> None:
    with pytest.raises(FetchRefused, match="pixels"):
        SafeFetcher().fetch("data:image/png;base64," + base64.b64encode(big_png).decode())


def test_a_bomb_stored_before_the_limits_is_left_off_the_handout() -> None:
    profile = ClinicProfile(name="Old clinic", phone="1", logo=use_bomb(),
                            logo_mime="image/svg+xml")
    assert clinic_dict(profile)["logo_data_uri"] == ""


@pytest.mark.parametrize("svg, message", [
    (use_bomb(), "too detailed"),
    (deep_groups(5000), "nests elements"),
])
def test_clinic_form_refuses_hostile_svg_with_a_400(client: FlaskClient, platform: object,
                                                    svg: bytes, message: str) -> None:
    cid = launch_as(client, platform, "instructor")
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    resp = client.post(f"/c/{cid}/handouts/clinic", content_type="multipart/form-data",
                       data={"csrf_token": csrf_from(page), "name": "Lakeside", "phone": "555",
                             "logo": (io.BytesIO(svg), "logo.svg")})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
