"""Needs grading pages: roles, tenants, CSRF, 4xx on bad points, and the learner's review before and after."""
from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.marking.models import ManualGrade
from tests.quizzes.instructor_helpers import BASE, as_instructor, as_learner, post
from tests.quizzes.marking.test_marking_service import ESSAY, essay_quiz, submit


def setup_course(app, client: FlaskClient, platform) -> tuple[int, int, int, FlaskClient]:
    """A learner submits an essay quiz; returns (cid, grade id, attempt id, the learner's client)."""
    learner = app.test_client()
    as_learner(learner, platform)
    cid = as_instructor(client, platform)
    with app.app_context():
        user = db.session.scalars(select(User.id).where(User.sub == "learner-1")).one()
        attempt = submit(essay_quiz(cid), user, "Stopping suddenly <b>risks</b> seizures.")
        gid = db.session.scalars(select(ManualGrade.id)).one()
        return cid, gid, attempt.id, learner


def test_queue_grade_form_and_learner_review(app, client, platform):
    cid, gid, aid, learner = setup_course(app, client, platform)
    review_url = f"/c/{cid}/quizzes/attempts/{aid}/review"
    assert "Waiting for your instructor" in learner.get(review_url).get_data(as_text=True)
    queue = client.get(BASE.format(cid=cid) + "/grading")
    assert queue.status_code == 200 and f"/grading/{gid}" in queue.get_data(as_text=True)
    page = client.get(BASE.format(cid=cid) + f"/grading/{gid}").get_data(as_text=True)
    assert "Stopping suddenly &lt;b&gt;risks&lt;/b&gt; seizures." in page  # the answer is escaped
    points = {f"points-{c['id']}": str(c["points"]) for c in ESSAY["rubric"]}
    first = ESSAY["rubric"][0]
    bad = post(client, cid, f"/grading/{gid}", {**points, f"points-{first['id']}": str(first["points"] + 1)})
    assert bad.status_code == 400 and "Give a whole number from 0 to" in bad.get_data(as_text=True)
    no_csrf = client.post(BASE.format(cid=cid) + f"/grading/{gid}", data=points)
    assert no_csrf.status_code == 400
    done = post(client, cid, f"/grading/{gid}", {**points, "comment": "Well reasoned."})
    assert done.status_code == 302 and done.location.endswith("/instructor/grading")
    assert "Nothing is waiting" in client.get(BASE.format(cid=cid) + "/grading").get_data(as_text=True)
    after = learner.get(review_url).get_data(as_text=True)
    assert "Waiting for your instructor" not in after and "Well reasoned." in after
    assert first["text"] in after


def test_learners_other_courses_and_unknown_ids(app, client, platform):
    cid, gid, _, learner = setup_course(app, client, platform)
    assert learner.get(BASE.format(cid=cid) + "/grading").status_code == 403
    assert learner.get(BASE.format(cid=cid) + f"/grading/{gid}").status_code == 403
    other = app.test_client()
    other_cid = as_instructor(other, platform, context="course-2", user="teacher-2")
    assert other.get(BASE.format(cid=other_cid) + f"/grading/{gid}").status_code == 404
    assert other.get(BASE.format(cid=cid) + "/grading").status_code == 401
    assert client.get(BASE.format(cid=cid) + "/grading/999999").status_code == 404
