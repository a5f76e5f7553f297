"""Line length of handout body text in the PDF: 60 to 70 characters a line (RNIB Clear Print)."""

from __future__ import annotations

import html
import pathlib
import re
import statistics

import pytest

from exports.render import render_pdf
from tests.exports.helpers import run

LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r'(.*?)</line>', re.S)
WORD = re.compile(r">([^<]*)</word>")


def full_body_lines(pdf: pathlib.Path) -> list[str]:
    """Lines set in the body size that run (nearly) the whole measure: the wrapped lines."""
    rows = []
    for x0, y0, x1, y1, body in LINE.findall(run("pdftotext", "-bbox-layout", pdf, "-")):
        text = html.unescape(" ".join(WORD.findall(body)))
        rows.append((round(float(y1) - float(y0), 1), float(x1) - float(x0), text))
    body_height = statistics.mode(height for height, _, _ in rows)
    body = [(width, text) for height, width, text in rows if abs(height - body_height) < 0.5]
    widest = max(width for width, _ in body)
    # A wrapped line fills most of the measure; the last line of a paragraph is shorter.
    return [text for width, text in body if width >= 0.85 * widest]


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("slug", ["spasticity-and-spasms", "living-with-a-baclofen-pump"])
def test_body_lines_hold_60_to_70_characters(tmp_path: pathlib.Path, slug: str,
                                             paper: str) -> None:
    pdf = tmp_path / "handout.pdf"
    pdf.write_bytes(render_pdf([slug], {}, paper=paper))
    lengths = [len(text) for text in full_body_lines(pdf)]
    assert len(lengths) >= 20
    assert max(lengths) <= 70, max(lengths)
    assert 60 <= statistics.median(lengths) <= 70, statistics.median(lengths)
