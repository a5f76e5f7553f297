"""The quiz settings' mode: exam by default, tutor with or without the LMS gradebook, bad values refused."""
from __future__ import annotations

from typing import Any

from course.db import db
from quizzes.authoring import builder
from quizzes.models import Quiz
from tests.quizzes.instructor_helpers import BASE, as_instructor, post

SETTINGS = {"settings-title": "Tutor check", "settings-attempts_allowed": "0", "settings-grading": "highest",
            "settings-review": "rationales", "settings-review_when": "after_each", "settings-pass_mark": "70"}


def _quiz(app: Any, cid: int) -> int:
    """A new empty course quiz; returns its id."""
    with app.app_context():
        return builder.create_quiz(cid, None, builder.Settings(title="Mode check")).id


def test_new_quizzes_are_in_exam_mode(app: Any, client: Any, platform: Any) -> None:
    cid = as_instructor(client, platform)
    quiz_id = _quiz(app, cid)
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.mode, quiz.tutor_gradebook) == ("exam", False)
    page = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert 'name="settings-mode"' in page and "send the grade to the LMS gradebook" in page


def test_the_settings_form_switches_to_tutor_mode_and_back(app: Any, client: Any, platform: Any) -> None:
    cid = as_instructor(client, platform)
    quiz_id = _quiz(app, cid)
    resp = post(client, cid, f"/quizzes/{quiz_id}/settings",
                SETTINGS | {"settings-mode": "tutor", "settings-tutor_gradebook": "y"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1000]
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.mode, quiz.tutor_gradebook) == ("tutor", True)
    post(client, cid, f"/quizzes/{quiz_id}/settings", SETTINGS | {"settings-mode": "exam"})
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.mode, quiz.tutor_gradebook) == ("exam", False)


def test_an_unknown_mode_is_a_400(app: Any, client: Any, platform: Any) -> None:
    cid = as_instructor(client, platform)
    quiz_id = _quiz(app, cid)
    resp = post(client, cid, f"/quizzes/{quiz_id}/settings", SETTINGS | {"settings-mode": "casual"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).mode == "exam"


def test_the_service_refuses_an_unknown_mode(app: Any, client: Any, platform: Any) -> None:
    cid = as_instructor(client, platform)
    with app.app_context():
        try:
            builder.create_quiz(cid, None, builder.Settings(title="Odd", mode="casual"))
        except builder.BuilderError as err:
            assert "exam or tutor" in str(err)
        else:
            raise AssertionError("an unknown mode was accepted")
