"""Stored XSS payloads in stems, options and rationales stay inert everywhere they are shown."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import current_version
from quizzes.interchange.transfer import export_file, export_items
from quizzes.models import Question
from quizzes.taking import attempts
from tests.quizzes.instructor_helpers import (
    BASE,
    as_instructor,
    as_learner,
    form_data,
    post,
    sample_item,
)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click me](javascript:alert(1))"
PAYLOAD = f"Look {SCRIPT} at {IMG} this {LINK} now."


def live(html: str) -> list[str]:
    """Markup in a page that would run script: script tags, event handlers, javascript: URLs."""
    return re.findall(r"<script>alert|<[a-z][^<>]*\son[a-z]+\s*=|href\s*=\s*['\"]?\s*javascript:",
                      html, re.IGNORECASE)


def hostile(item: dict) -> dict:
    """An mcq whose stem, every option text and every rationale carry the payloads."""
    item = dict(item, stem=PAYLOAD, title="Hostile " + SCRIPT)
    item["options"] = [dict(o, text=f"{o['text']} {IMG}", rationale=f"{o['rationale']} {SCRIPT} {LINK}")
                       for o in item["options"]]
    return item


@pytest.fixture
def setup(app, client, platform):
    """A learner, an instructor, the hostile question saved through the form and put in a quiz."""
    learner = app.test_client()
    as_learner(learner, platform)
    cid = as_instructor(client, platform)
    resp = post(client, cid, "/questions/new/mcq", form_data(hostile(sample_item("mcq")), action="save"))
    assert resp.status_code == 302
    with app.app_context():
        question = db.session.scalars(select(Question).where(Question.context_id == cid)).one()
        quiz = builder.create_quiz(cid, None, builder.Settings(title="XSS " + SCRIPT))
        builder.add_fixed(quiz, question.id)
        return {"cid": cid, "qid": question.id, "quiz_id": quiz.id, "slug": quiz.slug, "learner": learner}


def _raw_payloads(app, qid):
    """Write the payloads straight into the stored version, as an old or imported row might hold them."""
    with app.app_context():
        version = current_version(db.session.get(Question, qid))
        version.data = hostile(dict(version.data))
        db.session.commit()


def test_payloads_are_removed_when_saved(app, setup):
    with app.app_context():
        data = current_version(db.session.get(Question, setup["qid"])).data
    text = repr(data)
    assert "<script" not in text and "onerror" not in text and "javascript:" not in text
    assert "Look" in data["stem"] and "[click me](#blocked-" in data["stem"]


@pytest.mark.parametrize("raw", [False, True], ids=["saved", "raw-in-database"])
def test_learner_view_and_review_are_inert(app, client, setup, raw):
    if raw:
        _raw_payloads(app, setup["qid"])
    learner, cid = setup["learner"], setup["cid"]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "learner-1")).one()
        attempt = attempts.start_attempt(builder.get_quiz(cid, setup["quiz_id"]), user.id)
        aid = attempt.id
        open_page = learner.get(f"/c/{cid}/quizzes/attempts/{aid}/").get_data(as_text=True)
        attempts.submit_attempt(aid)
    assert "Look" in open_page and live(open_page) == []
    page = learner.get(f"/c/{cid}/quizzes/attempts/{aid}/review")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Look" in html and live(html) == []
    review = client.get(BASE.format(cid=cid) + f"/attempts/{aid}").get_data(as_text=True)
    assert "Look" in review and live(review) == []


@pytest.mark.parametrize("raw", [False, True], ids=["saved", "raw-in-database"])
def test_editor_preview_and_bank_are_inert(app, client, setup, raw):
    if raw:
        _raw_payloads(app, setup["qid"])
    cid = setup["cid"]
    edit = client.get(BASE.format(cid=cid) + f"/questions/{setup['qid']}/edit").get_data(as_text=True)
    assert live(edit) == []
    preview = post(client, cid, "/questions/new/mcq", form_data(hostile(sample_item("mcq")), action="preview"))
    html = preview.get_data(as_text=True)
    assert "As a learner sees it" in html and live(html) == []
    fragment = post(client, cid, "/questions/preview/mcq", form_data(hostile(sample_item("mcq"))))
    assert live(fragment.get_data(as_text=True)) == []
    for path in ("/bank", f"/quizzes/{setup['quiz_id']}", "/quizzes", "/gradebook"):
        assert live(client.get(BASE.format(cid=cid) + path).get_data(as_text=True)) == [], path


def test_exports_carry_no_live_markup(app, setup):
    _raw_payloads(app, setup["qid"])
    with app.app_context():
        items = export_items(setup["cid"])
    gift = export_file("gift", items, "XSS").data.decode()
    assert "Look" in gift and "<script" not in gift and "onerror" not in gift and "javascript:" not in gift
    qti = export_file("qti", items, "XSS " + SCRIPT)
    with zipfile.ZipFile(io.BytesIO(qti.data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist())
    html = unescape(xml)  # mattext holds the item's HTML as XML text
    assert "Look" in html and live(html) == [] and "<script" not in html


def test_gradebook_page_and_csv_escape_names(app, client, setup):
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "learner-1")).one()
        user.name = SCRIPT + IMG
        db.session.commit()
    cid = setup["cid"]
    page = client.get(BASE.format(cid=cid) + "/gradebook").get_data(as_text=True)
    assert "&lt;script&gt;" in page and live(page) == []
    csv_text = client.get(BASE.format(cid=cid) + "/gradebook.csv").get_data(as_text=True)
    assert SCRIPT in csv_text  # CSV is data, not HTML: kept verbatim, never a formula
    assert not re.search(r"(^|,)[=+\-@]", csv_text, re.MULTILINE)

