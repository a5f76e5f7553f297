"""Observers (Canvas observers, LTI Mentors) read the course; no attempts, no scores."""
from datetime import timedelta

from sqlalchemy import func, select

from course.db import db
from course.models import Membership, User
from modules.views import web_course
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.models import Quiz, ScoreOutbox
from quizzes.taking import attempts
from tests.conftest import csrf_from, launch
from tests.quizzes.instructor_helpers import sample_item

V2 = "http://purl.imsglobal.org/vocab/lis/v2/"
CANVAS_OBSERVER = (V2 + "membership#Mentor", V2 + "system/person#User")


def _observer(client, platform):
    """Launch as a Canvas observer; returns the context id."""
    resp = launch(client, platform, user="parent-1", roles=CANVAS_OBSERVER)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return int(resp.location.split("/c/")[1].split("/")[0])


def _quiz(app, cid):
    """A published one-question quiz in the course; returns its slug."""
    with app.app_context():
        qid = create_question(cid, None, sample_item("mcq")).id
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Observer quiz"))
        builder.add_fixed(quiz, qid)
        return quiz.slug


def test_observer_reads_modules_but_cannot_start_a_quiz(app, client, platform):
    cid = _observer(client, platform)
    home = client.get(f"/c/{cid}/").get_data(as_text=True)
    assert 'class="role-badge">observer<' in home
    module = web_course().modules[0]
    assert client.get(f"/c/{cid}/modules/{module.slug}/").status_code == 200
    slug = _quiz(app, cid)
    page = client.get(f"/c/{cid}/quizzes/{slug}/").get_data(as_text=True)
    assert "viewing this course as an observer" in page
    assert f"/quizzes/{slug}/start" not in page
    refused = client.post(f"/c/{cid}/quizzes/{slug}/start", data={"csrf_token": csrf_from(home)})
    assert refused.status_code == 403
    assert "only enrolled learners can take quizzes" in refused.get_data(as_text=True)


def test_no_score_is_queued_for_an_observer(app, client, platform):
    cid = _observer(client, platform)
    slug = _quiz(app, cid)
    with app.app_context():
        quiz = db.session.scalars(select(Quiz).where(Quiz.slug == slug)).one()
        user = db.session.scalars(select(User).where(User.sub == "parent-1")).one()
        assert db.session.scalars(select(Membership.role).where(
            Membership.user_id == user.id)).one() == "observer"
        # An attempt made some other way (an older session, a direct service call) still queues
        # nothing: the outbox refuses observers where the row is written.
        attempt = attempts.start_attempt(quiz, user.id)
        attempts.submit_attempt(attempt.id, attempt.started_at + timedelta(seconds=30))
        assert db.session.scalar(select(func.count()).select_from(ScoreOutbox)) == 0
