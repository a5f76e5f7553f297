"""Rough edges a new user met (issue 12 §3): error messages once, topic titles, "an option",
the review page's option markers, times as <time>, the favicon and clear 404s with a way back."""
from __future__ import annotations

import re

from sqlalchemy import select

from course.db import db
from course.models import User
from modules.loader import get_course
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.taking import attempts
from quizzes.types import TOPIC_TITLES, TOPICS
from tests.conftest import launch
from tests.quizzes.instructor_helpers import BASE, as_instructor, as_learner, post, sample_item

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


def test_an_empty_stem_is_reported_once_in_the_summary_and_once_at_the_field(app, client, platform):
    cid = as_instructor(client, platform)
    html = post(client, cid, "/questions/new/mcq", {"action": "save"}).get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert summary.count("Write the question stem.") == 1
    under = re.search(r'<p class="field-error" id="stem-error">(.*?)</p>', html, re.S).group(1)
    assert under.count("Write the question stem.") == 1


def test_rows_take_the_right_article(app, client, platform):
    cid = as_instructor(client, platform)
    html = client.get(BASE.format(cid=cid) + "/questions/new/mcq").get_data(as_text=True)
    assert "Add an option" in html and "Add a option" not in html
    html = client.get(BASE.format(cid=cid) + "/questions/new/matrix_mc").get_data(as_text=True)
    assert "Add a row" in html


def test_topics_are_named_by_their_module_titles(app, client, platform):
    assert [TOPIC_TITLES[t] for t in TOPICS] == [m.title for m in get_course().modules]
    cid = as_instructor(client, platform)
    html = client.get(BASE.format(cid=cid) + "/bank").get_data(as_text=True)
    assert "Contractures and skin" in html and "How MS affects muscles" in html
    assert "Ms and muscles" not in html and "Contractures skin" not in html


def _reviewed(app, client, platform, answer: str) -> str:
    """A learner answers a one-question quiz (mcq) and opens the review."""
    lcid = as_learner(app.test_client(), platform)
    cid = as_instructor(client, platform)
    assert lcid == cid
    learner = app.test_client()
    as_learner(learner, platform)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "learner-1")).one()
        item = sample_item("mcq")
        qid = create_question(cid, None, item).id
        quiz = builder.create_quiz(cid, None, builder.Settings(title="One", attempts_allowed=0,
                                                               review="rationales"))
        builder.add_fixed(quiz, qid)
        attempt = attempts.start_attempt(quiz, user.id)
        attempts.save_answers(attempt, {"q1-opt": answer}, [1])
        attempts.submit_attempt(attempt.id)
        aid = attempt.id
    return learner.get(f"/c/{cid}/quizzes/attempts/{aid}/review").get_data(as_text=True), item


def test_review_marks_the_learners_answer_and_the_key_in_words(app, client, platform):
    first_wrong = next(o for o in sample_item("mcq")["options"] if not o.get("correct"))
    html, item = _reviewed(app, client, platform, first_wrong["id"])
    key = next(o for o in item["options"] if o.get("correct"))
    assert html.count("Your answer</span>") == 1 and html.count("Correct answer</span>") == 1
    assert "(0 of 0)" not in html and html.count("Right</span>") == 0
    mine = html.split("Your answer</span>")[0].rsplit('<li class="part', 1)[1]
    assert first_wrong["text"].split()[0] in mine and "Not right" in html
    theirs = html.split("Correct answer</span>")[0].rsplit('<li class="part', 1)[1]
    assert key["text"].split()[0] in theirs
    assert html.count("Why:") == len(item["options"])  # every option's rationale
    assert 'class="review-list"' in html  # numbered by its headings only (list-style: none)


def test_times_are_time_elements_with_utc_on_hover(app, client, platform):
    learner = app.test_client()
    cid = as_learner(learner, platform)
    as_instructor(client, platform)
    module = get_course().modules[0]
    assert learner.get(f"/c/{cid}/modules/{module.slug}/{module.sections[0].slug}").status_code == 200
    html = client.get(f"/c/{cid}/modules/progress").get_data(as_text=True)
    found = re.search(r'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)" title="([^"]+ UTC)" '
                      r'data-local="datetime">', html)
    assert found, html
    assert "times.js" in html


def test_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml" and b"<svg" in resp.data


def _launch_to(client, platform, resource: str):
    """Launch with a custom resource claim, as a deep-linked LMS link does."""
    def mutate(message: dict) -> None:
        message[CUSTOM] = {"resource": resource}
    return launch(client, platform, mutate=mutate)


def test_a_link_to_a_missing_module_or_quiz_is_a_clear_404_with_a_way_back(app, client, platform):
    for resource, words in (("module:no-such-module", "no teaching module"),
                            ("quiz:no-such-quiz", "no quiz at this address")):
        resp = _launch_to(client, platform, resource)
        assert resp.status_code == 302 and "/c/" in resp.location
        page = client.get(resp.location)
        html = page.get_data(as_text=True)
        assert page.status_code == 404 and words in html, (resource, html)
        assert "Back to the course home" in html


def _launch_with_zone(client, platform, zone: str):
    """Launch with the custom timezone claim (Canvas: timezone=$Person.address.timezone)."""
    def mutate(message: dict) -> None:
        message[CUSTOM] = {"timezone": zone}
    return launch(client, platform, mutate=mutate)


def test_the_platforms_time_zone_claim_reaches_the_page(app, client, platform):
    resp = _launch_with_zone(client, platform, "Europe/Paris")
    html = client.get(resp.location).get_data(as_text=True)
    assert '<html lang="en" data-tz="Europe/Paris">' in html
    other = app.test_client()
    resp = _launch_with_zone(other, platform, "Mars/Olympus_Mons")
    assert "data-tz" not in other.get(resp.location).get_data(as_text=True)
