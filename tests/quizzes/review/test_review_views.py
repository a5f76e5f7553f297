"""Spaced review end to end through the test platform: quiz answers in, "Review now" out."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from course.db import db, utcnow
from modules.views import web_course
from quizzes.bank_loader import get_bank
from quizzes.models import Attempt, QuestionVersion, ScoreOutbox
from quizzes.review import service
from quizzes.review.models import ReviewItem, ReviewSession
from quizzes.review.schedule_store import module_key, question_key
from quizzes.review_schedule import day_number
from quizzes.scores import worker
from tests.conftest import csrf_from, launch_as
from tests.course.test_launch_cost import statements
from tests.quizzes.taking.test_attempts import right_form
from tests.quizzes.taking.test_submit_cost import started
from tests.quizzes.taking.test_views import rationales, rows, words

SLUG = get_bank().quizzes[0].slug


def submit_some_wrong(app, client, cid, right=3):
    """Take the first quiz, answer the first ``right`` questions right, leave the rest blank, submit.

    Returns (keys answered right, keys left wrong).
    """
    url, token, aid = started(app, client, cid, answered=right)
    assert client.post(url + "submit", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, aid)
        qids = [db.session.get(QuestionVersion, e["question_version_id"]).question_id
                for e in sorted(attempt.layout, key=lambda e: e["position"])]
    keys = [question_key(q) for q in qids]
    return keys[:right], keys[right:]


def schedule(app, key=None):
    """key -> ReviewItem of every schedule row."""
    with app.app_context():
        found = {r.item_key: r for r in db.session.scalars(select(ReviewItem))}
        db.session.expunge_all()
    return found if key is None else found[key]


def open_review(client, cid):
    """POST "Review now"; returns the session URL."""
    home = client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)
    resp = client.post(f"/c/{cid}/quizzes/review/", data={"csrf_token": csrf_from(home)})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp.location


def session_keys(app, url):
    """The item keys of the session at a URL, in order."""
    sid = int(re.search(r"/review/(\d+)/", url).group(1))
    with app.app_context():
        return [e["key"] for e in db.session.get(ReviewSession, sid).layout]


def test_a_learner_gets_the_questions_they_got_wrong_back_in_review_now(app, client, platform):
    cid = launch_as(client, platform, "learner")
    right, wrong = submit_some_wrong(app, client, cid, right=3)
    # The Submit only marks the answers; the worker, or the learner's Review page, schedules them.
    assert schedule(app) == {}
    page = words(client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True))
    assert f" {len(wrong)} items are due for review " in page
    stored = schedule(app)
    today = day_number(utcnow())
    assert set(stored) == set(right + wrong)
    assert all(stored[k].due_day == today and stored[k].lapses == 1 for k in wrong)
    assert all(stored[k].due_day == today + 1 and stored[k].reps == 1 for k in right)
    home = words(client.get(f"/c/{cid}/").get_data(as_text=True))
    assert f" {len(wrong)} items are due for review " in home
    url = open_review(client, cid)
    keys = session_keys(app, url)
    assert keys[:len(wrong)] == sorted(wrong, key=lambda k: (stored[k].ease, -stored[k].lapses, k))
    assert len(keys) <= 10 and not set(keys[len(wrong):]) & set(wrong)


def test_checking_an_answer_shows_every_rationale_and_reschedules_without_a_grade(app, client, platform):
    cid = launch_as(client, platform, "learner")
    _, wrong = submit_some_wrong(app, client, cid, right=8)
    outbox, attempts = rows(app, ScoreOutbox), rows(app, Attempt)
    url = open_review(client, cid)
    html = client.get(url).get_data(as_text=True)
    assert "never sent to the course gradebook" in html
    sid = int(re.search(r"/review/(\d+)/", url).group(1))
    with app.app_context():
        first = db.session.get(ReviewSession, sid).layout[0]
        item = db.session.get(QuestionVersion, first["question_version_id"]).data
    resp = client.post(url, data={"csrf_token": csrf_from(html), "position": "1",
                                  **right_form(item, "q1-")})
    assert resp.status_code == 302
    checked = words(client.get(resp.location).get_data(as_text=True))
    for why in rationales(item):
        assert words(why) in checked
    row = schedule(app, first["key"])
    assert (row.reps, row.interval, row.lapses, row.due_day) == (1, 1, 1, day_number(utcnow()) + 1)
    # Checked once: a second post changes nothing.
    client.post(url, data={"csrf_token": csrf_from(html), "position": "1"})
    assert schedule(app, first["key"]).reps == 1
    assert rows(app, ScoreOutbox) == outbox and rows(app, Attempt) == attempts


def test_a_review_check_writes_the_schedule_in_one_statement(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_some_wrong(app, client, cid, right=8)
    url = open_review(client, cid)
    html = client.get(url).get_data(as_text=True)
    with statements(app) as seen:
        client.post(url, data={"csrf_token": csrf_from(html), "position": "1"})
    assert len([s for s in seen if "quiz_review_item" in s]) == 1, seen


def test_nothing_answered_means_nothing_to_review(client, platform):
    cid = launch_as(client, platform, "learner")
    home = client.get(f"/c/{cid}/").get_data(as_text=True)
    assert "Nothing is due for review today" in home
    page = client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)
    resp = client.post(f"/c/{cid}/quizzes/review/", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 400 and "Nothing is due for review yet" in resp.get_data(as_text=True)


def test_a_due_case_item_brings_back_the_whole_case(app, client, platform):
    cid = launch_as(client, platform, "learner")
    bank = get_bank()
    case = next(iter(bank.case_studies.values()))
    with app.app_context():
        from quizzes.sync import sync_bank
        refs = sync_bank()
        key = question_key(refs[case.items[2]["id"]].question_id)
        uid = db.session.scalar(select(Attempt.user_id)) or _user_id(cid)
        db.session.add(ReviewItem(context_id=cid, user_id=uid, item_key=key, due_day=0, last_day=0,
                                  last_quality=1, step="analyze_cues", topic=case.topic,
                                  case_id=case.id))
        db.session.commit()
        expected = [question_key(refs[i["id"]].question_id) for i in case.items]
    url = open_review(client, cid)
    assert session_keys(app, url)[:len(expected)] == expected
    html = client.get(url).get_data(as_text=True)
    assert f"Case study: {case.title}" in html


def _user_id(cid):
    """The learner of the course (the only user of the test)."""
    from course.models import Membership
    return db.session.scalar(select(Membership.user_id).where(Membership.context_id == cid))


def test_module_answers_are_scheduled_and_linked_from_the_review_page(app, client, platform):
    cid = launch_as(client, platform, "learner")
    module = web_course().modules[0]
    section = next(s for s in module.sections if s.checks)
    item = section.checks[0]
    base = f"/c/{cid}/modules/{module.slug}/{section.slug}"
    token = csrf_from(client.get(base).get_data(as_text=True))
    wrong = next(o.id for o in item.options if not o.correct)
    assert client.post(f"{base}/items/{item.id}", data={"csrf_token": token, "answer": wrong}).status_code == 303
    row = schedule(app, module_key(module.slug, item.id))
    assert (row.lapses, row.due_day) == (1, day_number(utcnow()))
    page = client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)
    assert f'href="/c/{cid}/modules/{module.slug}/{section.slug}#q-{item.id}"' in page
    assert client.post(f"{base}/items/{item.id}", data={"csrf_token": token, "answer": item.answer}).status_code == 303
    assert schedule(app, module_key(module.slug, item.id)).reps == 1
    assert "Due from the teaching modules" not in client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)


def test_weekly_summary_is_optional(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_some_wrong(app, client, cid, right=4)
    assert "Your week" not in client.get(f"/c/{cid}/").get_data(as_text=True)
    page = client.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)
    token, weekly = csrf_from(page), f"/c/{cid}/quizzes/review/weekly"
    assert client.post(weekly, data={"csrf_token": token, "weekly": "on"}).status_code == 302
    home = words(client.get(f"/c/{cid}/").get_data(as_text=True))
    assert " Your week " in home and " Answered in the last 7 days 10 items 4 right " in home
    assert client.post(weekly, data={"csrf_token": token, "weekly": "off"}).status_code == 302
    assert "Your week" not in client.get(f"/c/{cid}/").get_data(as_text=True)
    assert client.post(weekly, data={"csrf_token": token, "weekly": "x"}).status_code == 400


def test_summary_counts(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_some_wrong(app, client, cid, right=4)
    with app.app_context():
        assert worker.schedule_reviews() == 1  # the worker's pass after the Submit
        uid = _user_id(cid)
        now = utcnow()
        assert service.summary(cid, uid, now) == service.Summary(6, 10, 4, 4, False)
        assert service.summary(cid, uid, now + timedelta(days=1)) == service.Summary(10, 10, 4, 0, False)
        assert service.summary(cid, uid, now + timedelta(days=8)) == service.Summary(10, 0, 0, 0, False)
        assert service.summary(cid + 1, uid, now).due == 0  # another course sees nothing


def test_bad_requests_and_other_learners(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_some_wrong(app, client, cid, right=8)
    url = open_review(client, cid)
    html = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"position": "1"}).status_code == 400  # no CSRF
    assert client.post(url, data={"csrf_token": csrf_from(html), "position": "99"}).status_code == 400
    assert client.post(url, data={"csrf_token": csrf_from(html), "position": "x"}).status_code == 400
    assert client.post(f"/c/{cid}/quizzes/review/", data={}).status_code == 400
    assert client.get(url + "?q=500").status_code == 200  # clamped to the last question
    other = app.test_client()
    launch_as(other, platform, "learner", user="learner-2")
    assert other.get(url).status_code == 404
    assert other.post(url, data={"csrf_token": csrf_from(html), "position": "1"}).status_code in (400, 404)
    assert "0 items" not in other.get(f"/c/{cid}/").get_data(as_text=True)
    assert "Nothing is due" in other.get(f"/c/{cid}/quizzes/review/").get_data(as_text=True)


def test_instructors_see_no_review_panel(client, platform):
    cid = launch_as(client, platform, "instructor")
    assert "Spaced review" not in client.get(f"/c/{cid}/").get_data(as_text=True)


def test_a_practice_quiz_check_is_scheduled_in_one_statement(app, client, platform):
    cid = launch_as(client, platform, "learner")
    page = client.get(f"/c/{cid}/quizzes/practice/").get_data(as_text=True)
    resp = client.post(f"/c/{cid}/quizzes/practice/", data={"csrf_token": csrf_from(page), "length": "5"})
    url = resp.location
    html = client.get(url).get_data(as_text=True)
    with statements(app) as seen:
        assert client.post(url, data={"csrf_token": csrf_from(html), "position": "1"}).status_code == 302
    assert len([s for s in seen if "quiz_review_item" in s]) == 1, seen
    [row] = schedule(app).values()
    assert row.item_key.startswith("q:") and row.lapses == 1 and row.due_day == day_number(utcnow())
