"""Teaching-module items in "Review now" sessions, end to end through the test platform."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from course.db import db, utcnow
from modules.models import ItemAnswer
from modules.views import web_course
from quizzes.review.models import ReviewItem, ReviewSession
from quizzes.review.module_items import review_course
from quizzes.review.schedule_store import module_key
from quizzes.review_schedule import day_number
from tests.conftest import csrf_from, launch_as
from tests.quizzes.review.test_review_views import open_review, schedule, session_keys
from tests.sql_counter import statements


def cited_check():
    """A knowledge check with a single answer whose feedback cites the module's references."""
    for module in web_course().modules:
        for section in module.sections:
            for item in section.checks:
                text = item.explanation_html + "".join(o.why_html for o in item.options)
                if item.type != "ladder" and 'href="references#' in text:
                    return module, section, item
    raise AssertionError("no check item cites a reference")


def answer_in_module(client, cid, right: bool):
    """Answer the cited check on its section page; returns (module, section, item)."""
    module, section, item = cited_check()
    base = f"/c/{cid}/modules/{module.slug}/{section.slug}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    chosen = item.answer if right else next(o.id for o in item.options if not o.correct)
    resp = client.post(f"{base}/items/{item.id}", data={"csrf_token": token, "answer": chosen})
    assert resp.status_code == 303
    return module, section, item


def wrong_then_review(app, client, cid):
    """Get the check wrong in its section, then press Review now; returns (url, module, section, item)."""
    module, section, item = answer_in_module(client, cid, right=False)
    url = open_review(client, cid)
    return url, module, section, item


def test_a_wrong_module_check_comes_back_in_the_session_and_a_right_answer_pushes_it_out(
        app, client, platform):
    cid = launch_as(client, platform, "learner")
    url, module, section, item = wrong_then_review(app, client, cid)
    key = module_key(module.slug, item.id)
    assert session_keys(app, url) == [key]  # only it is due; module items never fill
    html = client.get(url).get_data(as_text=True)
    assert "Question 1 of 1" in html and "Knowledge check" in html
    assert review_course().module(module.slug).item(item.id).prompt_html in html
    section_url = f'href="/c/{cid}/modules/{module.slug}/{section.slug}#q-{item.id}">Read the section again'
    assert section_url in html
    assert f'action="{urlsplit(url).path}"' in html and 'name="position" value="1"' in html
    with statements(app) as seen:
        resp = client.post(url, data={"csrf_token": csrf_from(html), "position": "1",
                                      "answer": item.answer})
    assert resp.status_code == 302
    assert len([s for s in seen if "quiz_review_item" in s]) == 1, seen
    row = schedule(app, key)
    assert (row.reps, row.lapses, row.due_day) == (1, 1, day_number(utcnow()) + 1)
    with app.app_context():
        stored = db.session.scalars(select(ItemAnswer).where(ItemAnswer.item_id == item.id)).one()
        assert (stored.correct, stored.attempts) == (True, 2)  # the modules' own answer record
    checked = client.get(resp.location).get_data(as_text=True)
    assert "Correct." in checked and "1 of 1 checked, 1 of 1 points" in checked
    assert "Check answer" not in checked and " disabled>" in checked  # locked once checked
    # Checked once: a second answer changes nothing.
    wrong = next(o.id for o in item.options if not o.correct)
    assert client.post(url, data={"csrf_token": csrf_from(html), "position": "1",
                                  "answer": wrong}).status_code == 302
    assert schedule(app, key).reps == 1
    home = client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)
    assert "Due from the teaching modules" not in home and "Nothing is due today" in home


def test_a_wrong_answer_in_the_session_shows_the_modules_feedback(app, client, platform):
    cid = launch_as(client, platform, "learner")
    url, module, _, item = wrong_then_review(app, client, cid)
    html = client.get(url).get_data(as_text=True)
    wrong = next(o for o in item.options if not o.correct)
    resp = client.post(url, data={"csrf_token": csrf_from(html), "position": "1", "answer": wrong.id})
    page = client.get(resp.location).get_data(as_text=True)
    why = review_course().module(module.slug).item(item.id).option(wrong.id).why_html
    assert "Not quite" in page and why in page
    row = schedule(app, module_key(module.slug, item.id))
    assert (row.lapses, row.due_day) == (2, day_number(utcnow()))


def test_links_in_module_text_work_from_the_session(app, client, platform):
    cid = launch_as(client, platform, "learner")
    url, module, _, item = wrong_then_review(app, client, cid)
    html = client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"csrf_token": csrf_from(html), "position": "1", "answer": item.answer})
    page = client.get(resp.location).get_data(as_text=True)
    cited = re.findall(r'href="([^"]*references#[^"]*)"', page)
    assert cited
    for href in cited:
        target = urlsplit(urljoin(resp.location, href))
        assert target.path == f"/c/{cid}/modules/{module.slug}/references"
        assert f'id="{target.fragment}"' in client.get(target.path).get_data(as_text=True)


def test_bad_module_answers_are_4xx(app, client, platform):
    cid = launch_as(client, platform, "learner")
    url, module, _, item = wrong_then_review(app, client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"position": "1", "answer": item.answer}).status_code == 400  # CSRF
    for form in ({}, {"answer": "no-such-option"}, {"answer": ["a", "b"]}, {"answer": "x" * 500}):
        resp = client.post(url, data={"csrf_token": token, "position": "1", **form})
        assert resp.status_code == 400 and "Choose an answer" in resp.get_data(as_text=True), form
    for position in ("2", "x", ""):
        assert client.post(url, data={"csrf_token": token, "position": position,
                                      "answer": item.answer}).status_code == 400
    assert schedule(app, module_key(module.slug, item.id)).lapses == 1  # nothing was recorded
    sid = int(re.search(r"/review/(\d+)/", url).group(1))
    with app.app_context():  # the item left the content after the session was built
        found = db.session.get(ReviewSession, sid)
        found.layout = [{**found.layout[0], "key": "m:no-module:no-item"}]
        db.session.commit()
    assert client.get(url).status_code == 404
    assert client.post(url, data={"csrf_token": token, "position": "1",
                                  "answer": item.answer}).status_code == 400


def test_other_learners_and_courses_cannot_reach_the_session(app, client, platform):
    cid = launch_as(client, platform, "learner")
    url, _, _, item = wrong_then_review(app, client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    other = app.test_client()
    launch_as(other, platform, "learner", user="learner-2")
    assert other.get(url).status_code == 404
    assert other.post(url, data={"csrf_token": token, "position": "1",
                                 "answer": item.answer}).status_code in (400, 404)
    elsewhere = app.test_client()
    other_cid = launch_as(elsewhere, platform, "learner", context="course-2")
    assert other_cid != cid
    assert elsewhere.get(url).status_code == 401
    moved = url.replace(f"/c/{cid}/", f"/c/{other_cid}/")
    assert elsewhere.get(moved).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ReviewItem).where(ReviewItem.context_id == other_cid)).all() == []


def test_a_ladder_comes_back_with_its_own_position_selects(app, client, platform):
    cid = launch_as(client, platform, "learner")
    module, section, item = next((m, s, i) for m in web_course().modules for s in m.sections
                                 for i in s.items if i.type == "ladder")
    base = f"/c/{cid}/modules/{module.slug}/{section.slug}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    backwards = {f"pos-{step.id}": str(len(item.steps) - n) for n, step in enumerate(item.steps)}
    assert client.post(f"{base}/items/{item.id}", data={"csrf_token": token, **backwards}).status_code == 303
    url = open_review(client, cid)
    html = client.get(url).get_data(as_text=True)
    assert "Choose a position for each step" in html
    twice = {**backwards, f"pos-{item.steps[0].id}": backwards[f"pos-{item.steps[1].id}"]}
    resp = client.post(url, data={"csrf_token": token, "position": "1", **twice})
    assert resp.status_code == 400 and "Give each step a different position" in resp.get_data(as_text=True)
    right = {f"pos-{step.id}": str(n + 1) for n, step in enumerate(item.steps)}
    resp = client.post(url, data={"csrf_token": token, "position": "1", **right})
    assert resp.status_code == 302 and "Correct." in client.get(resp.location).get_data(as_text=True)
    assert schedule(app, module_key(module.slug, item.id)).reps == 1
