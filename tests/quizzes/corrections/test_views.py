"""Grade-correction pages: the regrade preview and its AGS payloads, overrides, reopen, extra
attempts, the learner's review, roles, tenants, CSRF and bad input."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from course.audit import AuditEvent
from course.db import db, utcnow
from course.models import User
from quizzes.accommodations.models import QuizOverride
from quizzes.models import PENDING, SUBMITTED, Attempt, Question, Quiz, ScoreOutbox
from quizzes.scores import grade, sender
from tests.platform_services import launch_with_services, services  # noqa: F401 - fixture
from tests.quizzes.corrections.helpers import answer, mcq, one_question_quiz, right_and_wrong
from tests.quizzes.instructor_helpers import BASE, as_instructor, as_learner, form_data, post

ITEM = mcq()
RIGHT, WRONG = right_and_wrong(ITEM)


def user_id(app, sub: str) -> int:
    """A person's id by their LTI sub."""
    with app.app_context():
        return db.session.scalars(select(User.id).where(User.sub == sub)).one()


def score(row: ScoreOutbox) -> dict:
    """The score the sender would post for a row now (a queued row names only whose grade)."""
    return grade.current_score(row, utcnow()) or {}


def rows(app) -> list[tuple[int, str, float]]:
    """(user id, status, scoreGiven) of every outbox row."""
    with app.app_context():
        return [(r.user_id, r.status, score(r)["scoreGiven"])
                for r in db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id))]


def when(score: dict) -> datetime:
    """A received score's timestamp."""
    return datetime.fromisoformat(score["timestamp"].replace("Z", "+00:00"))


def test_key_fix_preview_then_regrade_sends_each_changed_grade_once(app, client, platform,
                                                                     services):  # noqa: F811
    for sub in ("learner-1", "learner-2"):
        launch_with_services(app.test_client(), platform, services, "learner", user=sub)
    cid = launch_with_services(client, platform, services, "instructor", user="teacher-1")
    with app.app_context():
        quiz, qid = one_question_quiz(cid, ITEM)
        answer(quiz, user_id(app, "learner-1"), WRONG)  # 0%, right once the key is fixed
        answer(quiz, user_id(app, "learner-2"), RIGHT)  # 100%, wrong once the key is fixed
        sender.drain()
    assert sorted(s["scoreGiven"] for s in services.scores) == [0.0, 100.0]
    # The key was wrong: the instructor marks the other option as the answer.
    fixed = form_data(ITEM, action="save")
    for i, option in enumerate(ITEM["options"]):
        fixed.pop(f"options-{i}-correct", None)
        if option["id"] == WRONG:
            fixed[f"options-{i}-correct"] = "y"
    saved = post(client, cid, f"/questions/{qid}/edit", fixed)
    assert saved.status_code == 302 and saved.location.endswith(f"/questions/{qid}/regrade")
    page = client.get(saved.location).get_data(as_text=True)
    assert "Saved as version 2" in page and "Before and after" in page
    assert page.count("<strong>100%</strong>") == 1 and page.count("<strong>0%</strong>") == 1
    assert len(rows(app)) == 2 and all(status == "sent" for _, status, _ in rows(app))  # no write
    with app.app_context():
        version = db.session.get(Question, qid).versions[-1].id
    done = post(client, cid, f"/questions/{qid}/regrade", {"choice": "regrade", "version": version})
    assert done.status_code == 302
    assert "2 submitted attempt(s)" in client.get(done.location).get_data(as_text=True)
    waiting = [r for r in rows(app) if r[1] == PENDING]
    assert sorted(score for _, _, score in waiting) == [0.0, 100.0]  # one row per learner
    before = {s["userId"]: when(s) for s in services.scores}
    with app.app_context():
        sender.drain()
        sender.drain()
        events = [e.kind for e in db.session.scalars(select(AuditEvent))]
    regraded = services.received[2:]
    assert sorted((s["userId"], s["scoreGiven"]) for s in regraded) == [
        ("learner-1", 100.0), ("learner-2", 0.0)]
    assert all(s["gradingProgress"] == "FullyGraded" for s in regraded)
    assert all(when(s) > before[s["userId"]] for s in regraded)
    assert len(services.received) == 4  # no duplicates
    assert events.count("grade.regrade.attempt") == 2 and events.count("grade.regrade") == 1
    # Once regraded, nothing uses the old version and a second confirm has nothing to do.
    assert "nothing to regrade" in client.get(done.location).get_data(as_text=True)


def test_new_attempts_only_changes_nothing(app, client, platform):
    learner_id = _learner(app, platform)
    cid = as_instructor(client, platform)
    with app.app_context():
        quiz, qid = one_question_quiz(cid, ITEM)
        attempt = answer(quiz, learner_id, WRONG)
    data = form_data(ITEM, action="save", stem="A reworded stem.")
    post(client, cid, f"/questions/{qid}/edit", data)
    resp = post(client, cid, f"/questions/{qid}/regrade", {"choice": "new_only"})
    assert resp.status_code == 302 and resp.location.endswith(f"/questions/{qid}/edit")
    with app.app_context():
        assert db.session.get(Attempt, attempt.id).layout[0]["question_version_id"] == \
            db.session.get(Question, qid).versions[0].id
    assert post(client, cid, f"/questions/{qid}/regrade", {"choice": "maybe"}).status_code == 400
    stale = post(client, cid, f"/questions/{qid}/regrade", {"choice": "regrade", "version": "1"})
    assert stale.status_code == 409


def _learner(app, platform, sub: str = "learner-1", context: str = "course-1") -> int:
    """A learner who launched into a course; their user id."""
    as_learner(app.test_client(), platform, context=context, user=sub)
    return user_id(app, sub)


@pytest.fixture
def graded(app, client, platform):
    """(cid, attempt id, learner client) after the learner submitted a wrong answer."""
    learner = app.test_client()
    as_learner(learner, platform)
    cid = as_instructor(client, platform)
    with app.app_context():
        quiz, _ = one_question_quiz(cid, ITEM, attempts_allowed=1)
        aid = answer(quiz, user_id(app, "learner-1"), WRONG).id
    return cid, aid, learner


def test_override_with_comment_shows_in_the_learners_review(app, client, graded):
    cid, aid, learner = graded
    page = client.get(f"{BASE.format(cid=cid)}/attempts/{aid}/grade")
    assert page.status_code == 200 and "Question scores" in page.get_data(as_text=True)
    resp = post(client, cid, f"/attempts/{aid}/override",
                {"position": "1", "value": "1", "comment": "Both options are defensible."})
    assert resp.status_code == 302
    html = client.get(resp.location).get_data(as_text=True)
    assert "Score overridden" in html and "Both options are defensible." in html
    review = learner.get(f"/c/{cid}/quizzes/attempts/{aid}/review").get_data(as_text=True)
    assert "Your instructor gave 1 points:" in review and "Both options are defensible." in review
    assert "100%" in review
    with app.app_context():
        [row] = db.session.scalars(select(ScoreOutbox)).all()
        assert score(row)["scoreGiven"] == 100.0


@pytest.mark.parametrize(("data", "says"), [
    ({"position": "1", "value": "3", "comment": "x"}, "from 0 to 1 points"),
    ({"position": "0", "value": "101", "comment": "x"}, "0 to 100%"),
    ({"position": "0", "value": "abc", "comment": "x"}, "as a number"),
    ({"position": "0", "value": "50", "comment": ""}, "Write a comment"),
])
def test_bad_override_input_is_a_400_page_with_the_reason(app, client, graded, data, says):
    cid, aid, _ = graded
    resp = post(client, cid, f"/attempts/{aid}/override", data)
    assert resp.status_code == 400 and says in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attempt, aid).score == 0.0


@pytest.mark.parametrize("position", ["", "-1", "x", "501", "²"])
def test_a_forged_position_is_a_400(client, graded, position):
    cid, aid, _ = graded
    resp = post(client, cid, f"/attempts/{aid}/override",
                {"position": position, "value": "1", "comment": "x"})
    assert resp.status_code == 400


def test_reopen_and_extra_attempt_from_the_grade_page(app, client, graded):
    cid, aid, learner = graded
    resp = post(client, cid, f"/attempts/{aid}/reopen", {"minutes": ""})
    assert resp.status_code == 302
    assert learner.get(f"/c/{cid}/quizzes/attempts/{aid}/").status_code == 200  # answering again
    assert post(client, cid, f"/attempts/{aid}/reopen").status_code == 409  # not submitted now
    assert post(client, cid, f"/attempts/{aid}/reopen", {"minutes": "0"}).status_code == 400
    resp = post(client, cid, f"/attempts/{aid}/extra-attempt")
    assert resp.status_code == 302
    assert "1 extra attempt(s)" in client.get(resp.location).get_data(as_text=True)
    post(client, cid, f"/attempts/{aid}/extra-attempt")
    with app.app_context():
        [override] = db.session.scalars(select(QuizOverride)).all()
        assert override.extra_attempts == 2 and override.user_id == user_id(app, "learner-1")
        kinds = [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert kinds == ["attempt.reopen", "override.add", "override.change"]


def test_learners_get_403_and_other_courses_404(app, client, platform, graded):
    cid, aid, learner = graded
    base = BASE.format(cid=cid)
    assert learner.get(f"{base}/attempts/{aid}/grade").status_code == 403
    token = _token(learner, cid, aid)
    for path in ("override", "reopen", "extra-attempt"):
        resp = learner.post(f"{base}/attempts/{aid}/{path}",
                            data={"csrf_token": token, "position": "0", "value": "100",
                                  "comment": "mine"})
        assert resp.status_code == 403
    other = app.test_client()
    cid2 = as_instructor(other, platform, context="course-2", user="teacher-2")
    base2 = BASE.format(cid=cid2)
    assert other.get(f"{base2}/attempts/{aid}/grade").status_code == 404
    assert post(other, cid2, f"/attempts/{aid}/override",
                {"position": "0", "value": "100", "comment": "x"}).status_code == 404
    assert post(other, cid2, f"/attempts/{aid}/reopen").status_code == 404
    with app.app_context():
        qid = db.session.scalars(select(Question.id)).first()
        assert db.session.get(Attempt, aid).state == SUBMITTED
        assert db.session.get(Attempt, aid).score == 0.0
    assert other.get(f"{base2}/questions/{qid}/regrade").status_code == 404
    assert post(other, cid2, f"/questions/{qid}/regrade",
                {"choice": "regrade", "version": "1"}).status_code == 404


def _token(learner, cid: int, aid: int) -> str:
    """A CSRF token from the learner's own review page."""
    from tests.conftest import csrf_from
    with_form = learner.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    return csrf_from(with_form)


def test_posts_without_csrf_are_refused(app, client, graded):
    cid, aid, _ = graded
    base = BASE.format(cid=cid)
    for path in ("override", "override/remove", "reopen", "extra-attempt"):
        resp = client.post(f"{base}/attempts/{aid}/{path}",
                           data={"position": "0", "value": "100", "comment": "x"})
        assert resp.status_code == 400
    with app.app_context():
        assert db.session.get(Attempt, aid).score == 0.0
        assert db.session.scalars(select(AuditEvent)).all() == []
        assert db.session.get(Quiz, db.session.get(Attempt, aid).quiz_id) is not None
