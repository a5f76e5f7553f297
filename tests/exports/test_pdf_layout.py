"""Handout PDF layout: the clinic phone stays inside the right margin even beside a wide logo,
and the packet's "Your care team" box keeps the address lines the clinic typed."""

from __future__ import annotations

import io
import pathlib
import re

import pytest
from PIL import Image

from exports.content import get_handouts
from exports.logo import logo_data_uri
from exports.render import render_pdf
from tests.exports.helpers import pdfinfo, run

RIGHT_MARGIN_PT = 22 / 25.4 * 72  # print.css: @page margin 22 mm at the sides
WORD = re.compile(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def wide_logo() -> str:
    """A 6:1 PNG logo, as many clinic letterheads are."""
    buffer = io.BytesIO()
    Image.new("RGB", (600, 100), "#0b3d6b").save(buffer, format="PNG")
    return logo_data_uri(buffer.getvalue())


CLINIC = {"name": "Riverside Multiple Sclerosis and Neuromuscular Clinic", "department": "Neurology",
          "phone": "+1 (555) 010-2030 ext 4412 nurse line", "website": "riverside.example.org",
          "address": "12 River Road\nSuite 400\nRiverside, CA 90000", "logo_data_uri": wide_logo()}


@pytest.fixture(scope="module")
def packet(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A two-handout large-print A4 packet for the clinic above."""
    path = tmp_path_factory.mktemp("layout") / "packet.pdf"
    path.write_bytes(render_pdf([h.slug for h in get_handouts()][:2], CLINIC, paper="a4",
                                large_print=True))
    return path


def test_no_word_runs_past_the_right_margin(packet: pathlib.Path) -> None:
    width = float(pdfinfo(packet)["Page size"].split()[0])
    limit = width - RIGHT_MARGIN_PT + 1
    over = [(word, float(x)) for x, word in WORD.findall(run("pdftotext", "-bbox", packet, "-"))
            if float(x) > limit]
    assert not over, f"past the right margin ({limit:.0f} pt): {over[:6]}"


def test_care_team_box_keeps_the_address_lines(packet: pathlib.Path) -> None:
    text = run("pdftotext", "-layout", packet, "-")
    box = text.split("Your care team", 1)[1].split("Website:", 1)[0]
    lines = [line.strip() for line in box.splitlines() if line.strip()]
    assert "12 River Road" in lines and "Suite 400" in lines and "Riverside, CA 90000" in lines, lines
