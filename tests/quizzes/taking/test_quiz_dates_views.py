"""A quiz's open and close dates over HTTP: the instructor's settings form, the learner's quiz
page and start button, an attempt the close date ends, and the instructor who may always try."""
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from course.db import db, utcnow
from quizzes.authoring import builder
from quizzes.models import Attempt, Quiz, aware
from tests.conftest import csrf_from
from tests.quizzes.instructor_helpers import BASE, as_instructor, as_learner, post
from tests.quizzes.taking.test_views import FIRST, set_quiz

HOUR = timedelta(hours=1)


def settings_form(**changes: str) -> dict[str, str]:
    """A complete settings form of the builder, with some fields changed."""
    data = {"settings-title": "Dated quiz", "settings-attempts_allowed": "2",
            "settings-grading": "highest", "settings-review": "score",
            "settings-review_when": "after_each", "settings-pass_mark": "70",
            "settings-published": "y", "settings-mode": "exam"}
    return {**data, **{f"settings-{k}": v for k, v in changes.items()}}


def first_quiz_id(app, cid: int) -> int:
    """The id of the first shipped quiz in a course."""
    with app.app_context():
        return db.session.scalar(select(Quiz.id).where(Quiz.context_id == cid,
                                                       Quiz.slug == FIRST.slug))


def quiz_page(client, cid: int) -> str:
    """The learner's start page of the first quiz."""
    resp = client.get(f"/c/{cid}/quizzes/{FIRST.slug}/")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def press_start(client, cid: int):
    """Press Start with a valid CSRF token (every page carries one, even without the button)."""
    token = csrf_from(quiz_page(client, cid))
    return client.post(f"/c/{cid}/quizzes/{FIRST.slug}/start", data={"csrf_token": token})


def test_the_settings_form_stores_dates_in_utc_and_shows_them_back(app, client, platform):
    cid = as_instructor(client, platform)
    client.get(f"/c/{cid}/quizzes/")  # the shipped quizzes are copied into the course
    quiz_id = first_quiz_id(app, cid)
    resp = post(client, cid, f"/quizzes/{quiz_id}/settings",
                settings_form(open_at="2031-03-01T09:00", close_at="2031-03-08T17:30"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert aware(quiz.open_at) == datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
        assert aware(quiz.close_at) == datetime(2031, 3, 8, 17, 30, tzinfo=UTC)
    page = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert 'value="2031-03-01T09:00"' in page and 'value="2031-03-08T17:30"' in page
    assert "Opens (UTC" in page and 'type="datetime-local"' in page


def test_bad_dates_are_a_400_with_the_error_next_to_the_field(app, client, platform):
    cid = as_instructor(client, platform)
    client.get(f"/c/{cid}/quizzes/")
    quiz_id = first_quiz_id(app, cid)
    for changes, field in (({"open_at": "2031-03-08T09:00", "close_at": "2031-03-01T09:00"},
                            "close_at"),
                           ({"open_at": "2031-03-08T09:00", "close_at": "2031-03-08T09:00"},
                            "close_at"),
                           ({"open_at": "next tuesday"}, "open_at")):
        resp = post(client, cid, f"/quizzes/{quiz_id}/settings", settings_form(**changes))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400, changes
        assert f'id="settings-{field}-error"' in html, changes
        if field == "close_at":
            assert "The close date must come after the open date." in html
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).open_at is None


def test_a_learner_cannot_start_before_the_open_date(app, client, platform):
    cid = as_learner(client, platform)
    opens = (utcnow() + 2 * HOUR).replace(microsecond=0)
    set_quiz(app, open_at=opens)
    html = quiz_page(client, cid)
    assert "This quiz opens for you on" in html and opens.strftime("%Y-%m-%dT%H:%M") in html
    assert "Not open yet" in html and f"/{FIRST.slug}/start" not in html
    resp = press_start(client, cid)
    assert resp.status_code == 409
    assert "opens for you on" in resp.get_data(as_text=True)


def test_a_learner_cannot_start_after_the_close_date(app, client, platform):
    cid = as_learner(client, platform)
    set_quiz(app, close_at=utcnow() - HOUR)
    html = quiz_page(client, cid)
    assert "This quiz closed for you on" in html and f"/{FIRST.slug}/start" not in html
    resp = press_start(client, cid)
    assert resp.status_code == 409 and "closed for you on" in resp.get_data(as_text=True)


def test_an_attempt_open_when_the_quiz_closes_is_time_up(app, client, platform):
    cid = as_learner(client, platform)
    set_quiz(app, close_at=utcnow() + HOUR)
    resp = press_start(client, cid)
    assert resp.status_code == 302
    url = resp.location
    aid = int(re.search(r"/attempts/(\d+)/", url).group(1))
    with app.app_context():  # the instructor moves the close date into the past
        quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == cid,
                                                     Quiz.slug == FIRST.slug)).one()
        closed = utcnow() - timedelta(minutes=1)
        builder.apply_settings(quiz, builder.Settings(**{**builder.settings_of(quiz).__dict__,
                                                         "close_at": closed}))
        assert aware(db.session.get(Attempt, aid).deadline_at) == closed
    page = client.get(url).get_data(as_text=True)
    assert "Time is up" in page and "the quiz closed" in page
    assert "Time is up: being submitted" in quiz_page(client, cid)


def test_an_instructor_may_always_try_the_quiz(app, client, platform):
    cid = as_instructor(client, platform)
    set_quiz(app, close_at=utcnow() - HOUR)
    html = quiz_page(client, cid)
    assert "Learners cannot start this quiz now" in html and f"/{FIRST.slug}/start" in html
    resp = client.post(f"/c/{cid}/quizzes/{FIRST.slug}/start",
                       data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 302
    with app.app_context():
        attempt = db.session.scalars(select(Attempt)).one()
        assert attempt.deadline_at is None or aware(attempt.deadline_at) > utcnow()
