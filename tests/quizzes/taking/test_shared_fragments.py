"""Shared rendered content (course.fragments): never one learner's answers or progress on another's page."""
from __future__ import annotations

import re
from typing import Any

from course.db import db
from course.fragments import FRAGMENTS, FragmentCache, rendered
from modules.views import web_course
from quizzes.models import Attempt, QuestionVersion
from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form
from tests.quizzes.taking.test_views import attempt_id, item_at, start
from tests.quizzes.tutor.test_practice import build, practice_item

MODULE = web_course().modules[0]
SECTION = MODULE.sections[0]
CHECK = SECTION.checks[0]
VOLATILE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+|(data-seconds-left=")\d+'
                      r'|(<strong class="quiz-timer-value">)[\d:]+')


def same_for_b(html: str) -> str:
    """A page without what changes on every request (CSRF token, seconds left)."""
    return VOLATILE.sub(lambda m: next(g for g in m.groups() if g is not None), html)


def pages(client: Any, cid: int, attempt: str, practice: str) -> dict[str, str]:
    """The course home, a module section, question 1 of an attempt and of a practice quiz."""
    paths = {"home": f"/c/{cid}/", "section": f"/c/{cid}/modules/{MODULE.slug}/{SECTION.slug}",
             "attempt": f"{attempt}?q=1", "practice": f"{practice}?q=1"}
    out = {}
    for name, path in paths.items():
        resp = client.get(path)
        assert resp.status_code == 200, (name, resp.status_code)
        out[name] = same_for_b(resp.get_data(as_text=True))
    return out


def act_as_a(app: Any, client: Any, cid: int) -> dict[str, str]:
    """Learner A answers a module check, saves and flags question 1, checks a practice answer."""
    section = f"/c/{cid}/modules/{MODULE.slug}/{SECTION.slug}"
    token = csrf_from(client.get(section).get_data(as_text=True))
    assert client.post(f"{section}/items/{CHECK.id}",
                       data={"csrf_token": token, "answer": CHECK.answer}).status_code == 303
    attempt = start(client, cid)
    item = item_at(app, attempt_id(attempt), 1)
    saved = client.post(attempt, data={"csrf_token": token, "positions": "1", "go": "save",
                                       "flag_positions": "1", "flag-1": "1",
                                       **right_form(item, "q1-")})
    assert saved.status_code == 302
    practice = build(client, cid, kind="mcq").location
    pitem = practice_item(app, int(re.search(r"/practice/(\d+)/", practice).group(1)), 1)
    assert client.post(practice, data={"csrf_token": token, "position": "1",
                                       **right_form(pitem, "q1-")}).status_code == 302
    return pages(client, cid, attempt, practice)


def test_two_learners_never_see_each_others_answers_or_progress(app, platform):
    FRAGMENTS.clear()
    a, b = app.test_client(), app.test_client()
    cid = launch_as(a, platform, "learner", user="learner-a")
    assert launch_as(b, platform, "learner", user="learner-b") == cid
    b_attempt, b_practice = start(b, cid), build(b, cid, kind="mcq").location
    pages(b, cid, b_attempt, b_practice)  # B's own first visit records B's own section view
    FRAGMENTS.clear()
    before = pages(b, cid, b_attempt, b_practice)  # every fragment rendered afresh for B
    mine = act_as_a(app, a, cid)
    # A's own pages show A's work (so the comparison below can fail) ...
    assert "nav-answered" in mine["attempt"] and "nav-flagged" in mine["attempt"]
    assert re.search(r'name="flag-1" value="1" checked', mine["attempt"])
    assert "Your answer, checked" in mine["practice"]
    assert mine["section"] != before["section"] and mine["home"] != before["home"]
    assert FRAGMENTS.hits > 0  # ... and B's next pages are built from fragments A's pages made
    after = pages(b, cid, b_attempt, b_practice)
    for name in before:
        assert after[name] == before[name], name
    assert "nav-answered" not in after["attempt"] and "Your answer, checked" not in after["practice"]


def test_a_content_change_changes_the_rendered_page(app, platform, client):
    cid = launch_as(client, platform, "learner")
    attempt = start(client, cid)
    old = client.get(f"{attempt}?q=1").get_data(as_text=True)
    with app.app_context():  # a new text for the pinned version: a new digest, so a new fragment
        layout = db.session.get(Attempt, attempt_id(attempt)).layout
        version = db.session.get(QuestionVersion, layout[0]["question_version_id"])
        version.data = {**version.data, "stem": "A **brand-new** stem about clonus."}
        db.session.commit()
    new = client.get(f"{attempt}?q=1").get_data(as_text=True)
    assert "A <strong>brand-new</strong> stem about clonus." in new
    assert "brand-new" not in old


def test_the_cache_keys_by_digest_version_and_language_and_stays_bounded():
    calls: list[str] = []

    def render(text: str) -> str:
        calls.append(text)
        return f"<p>{text}</p>"

    FRAGMENTS.clear()
    assert rendered("t", "one", render) == "<p>one</p>" == rendered("t", "one", render)
    assert calls == ["one"]
    rendered("t", "one", render, version="2")
    rendered("t", "one", render, language="es")
    rendered("t", "two", render)
    assert calls == ["one", "one", "one", "two"]
    small = FragmentCache(size=2)
    for text in ("a", "b", "c"):
        small.get_or_render(text, lambda t=text: t)
    assert len(small) == 2 and small.get_or_render("a", lambda: "again") == "again"
