"""Moodle XML import keeps images: base64 <file> elements cleaned like uploads, stored per course,
references rewritten, alt text required (or decorative), bad files as report lines, round trip."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from quizzes.authoring.questions import create_question
from quizzes.bank_loader import get_bank
from quizzes.interchange.gift import DEGRADED, IMPORTED
from quizzes.interchange.moodle_import import parse_moodle_xml
from quizzes.interchange.moodle_xml import export_moodle
from quizzes.interchange.transfer import export_items, import_gift
from quizzes.media.exporting import images_for
from quizzes.media.models import QuestionImage
from quizzes.media.service import save_image
from tests.quizzes.fixtures import load_items
from tests.quizzes.instructor_helpers import BASE, as_instructor, post
from tests.quizzes.media import images_data as data

ITEMS = load_items()


def b64(raw: bytes) -> str:
    """Base64 as Moodle writes it."""
    return base64.b64encode(raw).decode()


def moodle(stem: str, files: dict[str, bytes | str], fmt: str = "html") -> str:
    """A one-question Moodle XML file (true/false) with files in its question text."""
    embedded = "".join(f'<file name="{name}" path="/" encoding="base64">'
                       f'{raw if isinstance(raw, str) else b64(raw)}</file>' for name, raw in files.items())
    return (f'<?xml version="1.0"?><quiz><question type="truefalse"><name><text>Knee</text></name>'
            f'<questiontext format="{fmt}"><text><![CDATA[{stem}]]></text>{embedded}</questiontext>'
            '<answer fraction="100"><text>true</text><feedback><text>Right.</text></feedback></answer>'
            '<answer fraction="0"><text>false</text><feedback><text>Wrong.</text></feedback></answer>'
            '</question></quiz>')


def test_moodle_editor_images_become_markdown_with_alt_rules() -> None:
    stem = ('<p>Which joint? <img src="@@PLUGINFILE@@/knee%20left.png" alt="Left knee" width="40">'
            ' <img src="@@PLUGINFILE@@/line.svg" alt="" role="presentation">'
            ' <img src="@@PLUGINFILE@@/chart.jpg"></p>')
    result = parse_moodle_xml(moodle(stem, {"knee left.png": data.png(text="secret"),
                                            "line.svg": data.SVG_OK, "chart.jpg": data.jpeg()}))
    [question] = result.questions
    assert question.item["stem"].count("![") == 3
    assert "![Left knee](@@PLUGINFILE@@/knee%20left.png)" in question.item["stem"]
    assert "![](@@PLUGINFILE@@/line.svg)" in question.item["stem"]
    assert "\x00" not in question.item["stem"]
    knee, line, chart = question.images
    assert (knee.alt, knee.decorative, knee.needs_alt) == ("Left knee", False, False)
    assert b"secret" not in knee.clean.data and knee.clean.name == "knee-left.png"  # re-encoded
    assert (line.decorative, line.needs_alt) == (True, False)
    assert (chart.alt, chart.decorative, chart.needs_alt) == ("", False, True)
    [line_report] = result.report
    assert line_report.status == DEGRADED
    assert "image 'chart.jpg' has no alt text: imported and marked as needing it" in line_report.reason


@pytest.mark.parametrize(("files", "why"), [
    ({"x.png": "@@@ not base64 @@@"}, "image 'x.png' left out: not valid base64"),
    ({"x.png": "A" * 800_000}, "image 'x.png' left out: larger than 512 KB"),
    ({"x.png": data.png_bomb()}, "image 'x.png' left out: The image has"),
    ({"x.png": b"GIF89a not ours"}, "image 'x.png' left out: The image must be a PNG, JPEG or SVG"),
    ({"x.png": data.SVG_ENTITIES}, "image 'x.png' left out"),
    ({}, "image 'x.png' is named in the text but not in the file: left out"),
])
def test_bad_or_hostile_files_become_report_lines(files: dict[str, Any], why: str) -> None:
    result = parse_moodle_xml(moodle("See ![A knee](@@PLUGINFILE@@/x.png) here.", files, "markdown"))
    [question] = result.questions
    assert question.images == () and question.item["stem"] == "See A knee here."
    assert result.report[0].status == DEGRADED and why in result.report[0].reason


def test_hostile_svg_is_sanitised_not_stored_as_sent() -> None:
    result = parse_moodle_xml(moodle("![Shape](@@PLUGINFILE@@/s.svg)", {"s.svg": data.SVG_HOSTILE},
                                     "markdown"))
    [image] = result.questions[0].images
    assert b"script" not in image.clean.data and b"evil.example" not in image.clean.data
    assert result.report[0].status == IMPORTED


def test_web_import_stores_images_in_that_course_only(app, client, platform) -> None:
    cid = as_instructor(client, platform)
    other = as_instructor(app.test_client(), platform, context="course-2")
    xml = moodle('<p><img src="@@PLUGINFILE@@/k.png" alt="Knee"></p>', {"k.png": data.png()})
    for _ in range(2):  # the second import reuses the stored image
        resp = post(client, cid, "/transfer/import", {"file": (io.BytesIO(xml.encode()), "q.xml")},
                    content_type="multipart/form-data")
        assert resp.status_code == 200, resp.get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(QuestionImage)).all()
        assert [(r.context_id, r.alt, r.decorative) for r in rows] == [(cid, "Knee", False)]
        stems = [i["stem"] for i in export_items(cid)]
        assert stems == [f"![Knee](image:{rows[0].id})"] * 2
        assert export_items(other) == []
    page = client.get(f"{BASE.format(cid=cid)}/questions").get_data(as_text=True)
    assert resp.status_code == 200 and "Traceback" not in page


def test_too_many_images_for_the_course_is_413_and_nothing_is_saved(app, client, platform,
                                                                     monkeypatch) -> None:
    cid = as_instructor(client, platform)
    monkeypatch.setattr("quizzes.media.importing.MAX_IMAGES", 0)
    xml = moodle('<img src="@@PLUGINFILE@@/k.png" alt="Knee">', {"k.png": data.png()})
    resp = post(client, cid, "/transfer/import", {"file": (io.BytesIO(xml.encode()), "q.xml")},
                content_type="multipart/form-data")
    assert resp.status_code == 413 and "already holds 0 images" in resp.get_data(as_text=True)
    with app.app_context():
        assert export_items(cid) == [] and db.session.scalars(select(QuestionImage)).all() == []


def _normalised(xml: bytes) -> str:
    """The export with image ids taken out of file names (a new course gives new ids)."""
    return re.sub(r'(@@PLUGINFILE@@/|name=")\d+-', r"\1N-", xml.decode())


def test_round_trip_of_shipped_bank_and_course_images_is_identical(app, client, platform) -> None:
    one = as_instructor(client, platform)
    two = as_instructor(app.test_client(), platform, context="course-2")
    with app.app_context():
        knee = save_image(one, None, data.png(), "Knee.png", "Left knee, flexed", False)
        line = save_image(one, None, data.SVG_OK, "line.svg", "", True)
        photo = save_image(one, None, data.jpeg(), "calf.jpg", "Calf at rest", False)
        for n, (kind, text) in enumerate([("fx-mcq", f"Which joint? ![](image:{knee.id}) "
                                                      f"![](image:{line.id})"),
                                          ("fx-ddtable", f"Look: ![Calf](image:{photo.id})")]):
            item = dict(ITEMS[kind], id=f"pictured-{n}", stem=text)
            create_question(one, None, item, category="Images")
        items = [dict(i) for i in get_bank().items.values()] + export_items(one)
        first = export_moodle(items, images_for(one, items))
        assert first.data.count(b"<file ") == 3
        report = import_gift(two, None, first.data.decode(), max_questions=1000)
        assert report.count(DEGRADED) == 0, [ln.reason for ln in report.lines if ln.status == DEGRADED]
        back = {i["id"]: i for i in export_items(two)}
        again = [back[i["id"]] for i in items if i["id"] in back]
        second = export_moodle(again, images_for(two, again))
        assert _normalised(second.data) == _normalised(first.data)
        stored = {r.name: (r.alt, r.decorative, r.data) for r in db.session.scalars(
            select(QuestionImage).where(QuestionImage.context_id == two))}
        assert stored == {"knee.png": ("Left knee, flexed", False, knee.data),
                          "line.svg": ("", True, line.data),
                          # Moodle XML carries the reference's alt, which wins over the stored one.
                          "calf.jpg": ("Calf", False, photo.data)}
