"""Quiz builder: create with settings, fixed and random slots, reorder, remove, preview."""

from __future__ import annotations

import re

from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.models import Quiz, QuizSlot
from quizzes.sync import ensure_course_quizzes
from quizzes.taking import attempts
from tests.quizzes.instructor_helpers import BASE, as_instructor, as_learner, post, sample_item


def _new_quiz(client, cid, **settings):
    """Create a quiz through the form; returns its id."""
    data = {"new-title": "Week 2 check", "new-attempts_allowed": "2", "new-grading": "last",
            "new-review": "correctness", "new-review_when": "after_each", "new-pass_mark": "60",
            "new-published": "y", "new-time_limit_minutes": "15"}
    data.update(settings)
    resp = post(client, cid, "/quizzes", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(re.search(r"/quizzes/(\d+)$", resp.location).group(1))


def _slots(app, quiz_id):
    """(position, question_id, random_count) of a quiz's slots in order."""
    with app.app_context():
        return [(s.position, s.question_id, s.random_count) for s in db.session.scalars(
            select(QuizSlot).where(QuizSlot.quiz_id == quiz_id).order_by(QuizSlot.position))]


def test_create_quiz_with_the_learner_settings(app, client, platform):
    cid = as_instructor(client, platform)
    quiz_id = _new_quiz(client, cid)
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.title, quiz.attempts_allowed, quiz.grading, quiz.time_limit_minutes) == (
            "Week 2 check", 2, "last", 15)
        assert (quiz.review, quiz.pass_mark, quiz.published, quiz.context_id) == ("correctness", 60.0, True, cid)
    page = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert "Week 2 check" in page and "no questions yet" in page


def test_bad_settings_are_shown_next_to_the_field(client, platform):
    cid = as_instructor(client, platform)
    quiz_id = _new_quiz(client, cid)
    resp = post(client, cid, f"/quizzes/{quiz_id}/settings",
                {"settings-title": "x", "settings-attempts_allowed": "-3", "settings-grading": "highest",
                 "settings-review": "score", "settings-review_when": "after_each", "settings-pass_mark": "150"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="settings-pass_mark-error"' in html and 'id="settings-attempts_allowed-error"' in html


def test_fixed_random_slots_reorder_and_remove(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        q1 = create_question(cid, None, sample_item("mcq"), category="Gait").id
        q2 = create_question(cid, None, sample_item("true_false"), category="Gait").id
    quiz_id = _new_quiz(client, cid)
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/question", {"question": f"q:{q1}"}).status_code == 302
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/question", {"question": f"q:{q2}"}).status_code == 302
    shipped_id = sample_item("sata")["id"]
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/question", {"question": f"s:{shipped_id}"}).status_code == 302
    resp = post(client, cid, f"/quizzes/{quiz_id}/slots/random",
                {"random-count": "1", "random-category": "Gait", "random-tag": ""})
    assert resp.status_code == 302
    slots = _slots(app, quiz_id)
    assert [s[1] for s in slots[:2]] == [q1, q2] and slots[3][2] == 1 and len(slots) == 4
    with app.app_context():
        ids = [s.id for s in db.session.scalars(select(QuizSlot).where(QuizSlot.quiz_id == quiz_id)
                                                .order_by(QuizSlot.position))]
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/{ids[1]}/move", {"direction": "up"}).status_code == 302
    assert [s[1] for s in _slots(app, quiz_id)[:2]] == [q2, q1]
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/{ids[1]}/move", {"direction": "up"}).status_code == 302
    assert [s[1] for s in _slots(app, quiz_id)[:2]] == [q2, q1]  # already first: no change
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/{ids[3]}/move", {"direction": "down"}).status_code == 302
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/{ids[0]}/remove").status_code == 302
    assert [s[0] for s in _slots(app, quiz_id)] == [1, 2, 3]
    assert q1 not in [s[1] for s in _slots(app, quiz_id)]
    page = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert "1 random question(s)" in page and "Move up" in page and "Move down" in page


def test_slot_errors_are_clear(app, client, platform):
    cid = as_instructor(client, platform)
    quiz_id = _new_quiz(client, cid)
    resp = post(client, cid, f"/quizzes/{quiz_id}/slots/random",
                {"random-count": "2", "random-category": "No such category", "random-tag": ""})
    assert resp.status_code == 400 and "No question matches" in resp.get_data(as_text=True)
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/question", {"question": "q:999999"}).status_code == 400
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/999999/move", {"direction": "up"}).status_code == 404
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/1/move", {"direction": "sideways"}).status_code == 400
    assert post(client, cid, "/quizzes/999999/slots/question", {"question": "q:1"}).status_code == 404


def test_editing_a_shipped_quiz_keeps_the_edit_after_a_bank_sync(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        quiz = ensure_course_quizzes(cid)[0]
        quiz_id, first_slot, n = quiz.id, quiz.slots[0].id, len(quiz.slots)
    assert post(client, cid, f"/quizzes/{quiz_id}/slots/{first_slot}/remove").status_code == 302
    with app.app_context():
        ensure_course_quizzes(cid)
        quiz = db.session.get(Quiz, quiz_id)
        assert quiz.origin_hash is None and len(quiz.slots) == n - 1


def test_preview_walks_the_quiz_like_a_learner_without_saving(app, client, platform):
    cid = as_instructor(client, platform)
    item = sample_item("mcq")
    with app.app_context():
        qid = create_question(cid, None, item).id
    quiz_id = _new_quiz(client, cid)
    post(client, cid, f"/quizzes/{quiz_id}/slots/question", {"question": f"q:{qid}"})
    start = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}/preview")
    assert start.status_code == 302 and "seed=" in start.location
    page = client.get(start.location).get_data(as_text=True)
    assert 'name="q1-opt"' in page and "Question 1 of 1" in page
    right = next(o["id"] for o in item["options"] if o.get("correct"))
    checked = post(client, cid, f"/quizzes/{quiz_id}/preview?{start.location.split('?')[1]}&n=1",
                   {"q1-opt": right}).get_data(as_text=True)
    # The review marks the pick and the key in words (see quizzes/templates/quizzes/_review_parts.html).
    assert "Result: 1 of 1 points" in checked
    assert "Your answer" in checked and "Correct answer" in checked
    with app.app_context():
        assert db.session.scalars(select(attempts.Attempt).where(attempts.Attempt.quiz_id == quiz_id)).first() is None


def test_learner_attempt_uses_the_built_quiz(app, client, platform):
    learner = app.test_client()
    as_learner(learner, platform)
    cid = as_instructor(client, platform)
    with app.app_context():
        qid = create_question(cid, None, sample_item("mcq"), tags=["gait"]).id
        create_question(cid, None, sample_item("true_false"), tags=["gait"])
    quiz_id = _new_quiz(client, cid, **{"new-time_limit_minutes": ""})
    post(client, cid, f"/quizzes/{quiz_id}/slots/question", {"question": f"q:{qid}"})
    post(client, cid, f"/quizzes/{quiz_id}/slots/random", {"random-count": "1", "random-category": "",
                                                           "random-tag": "gait"})
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "learner-1")).one()
        attempt = attempts.start_attempt(builder.get_quiz(cid, quiz_id), user.id)
        assert len(attempt.layout) == 2
