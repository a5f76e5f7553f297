"""Overrides, reopening and grading progress against a fake AGS client: audited, sent once, fresh."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from course.audit import AuditEvent
from course.db import db, utcnow
from quizzes.corrections import service
from quizzes.corrections.models import WHOLE_ATTEMPT, GradeOverride
from quizzes.models import IN_PROGRESS, PENDING, SUBMITTED, Attempt, Response, ScoreOutbox
from quizzes.scores import grade, sender
from quizzes.taking import attempts
from tests.quizzes.corrections.helpers import answer, mcq, one_question_quiz, right_and_wrong
from tests.quizzes.scores.test_outbox import FakeAgs, fake, rows  # noqa: F401 - fixture

ITEM = mcq()
RIGHT, WRONG = right_and_wrong(ITEM)


def stamp(payload: dict) -> datetime:
    """A payload's timestamp as a datetime."""
    return datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00"))


def score(row: ScoreOutbox) -> dict:
    """The score the sender would post for a row now (a queued row names only whose grade)."""
    return grade.current_score(row, utcnow()) or {}


def pending() -> list[ScoreOutbox]:
    """Rows waiting to be sent."""
    return [r for r in rows() if r.status == PENDING]


@pytest.fixture
def wrong_attempt(fake):  # noqa: F811
    """A learner's submitted attempt that scored 0, its score already in the LMS."""
    ctx, user = fake.course
    quiz, _ = one_question_quiz(ctx, ITEM)
    attempt = answer(quiz, user, WRONG)
    assert attempt.score == 0.0
    sender.drain()
    assert len(fake.posts) == 1
    return attempt


def test_question_override_changes_the_grade_audits_and_sends_it(fake, wrong_attempt):  # noqa: F811
    teacher = attempts_user("teacher-9")
    service.set_override(wrong_attempt, 1, 1.0, "  Option B is also defensible.  ", teacher)
    db.session.expire_all()
    attempt = db.session.get(Attempt, wrong_attempt.id)
    assert (attempt.points, attempt.score) == (1.0, 1.0)
    [note] = db.session.scalars(select(GradeOverride)).all()
    assert (note.position, note.given, note.comment, note.created_by) == (
        1, 1.0, "Option B is also defensible.", teacher)
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.kind == "grade.override" and event.actor_id == teacher
    assert event.before["score"] == 0.0 and event.after["score"] == 1.0
    assert event.before["question_points"] == 0.0 and event.after["question_points"] == 1.0
    assert "attempt 1, question 1" in event.target
    [row] = pending()
    assert score(row)["scoreGiven"] == 100.0 and score(row)["gradingProgress"] == "FullyGraded"
    sender.drain()
    assert [p["scoreGiven"] for _, p in fake.posts] == [0.0, 100.0]
    assert stamp(fake.posts[1][1]) > stamp(fake.posts[0][1])


def attempts_user(sub: str) -> int:
    """Another person on the registration (an instructor in these tests)."""
    from tests.quizzes.taking.test_attempts import add_user
    return add_user(sub)


def test_attempt_override_then_removal_restores_the_scorer(fake, wrong_attempt):  # noqa: F811
    service.set_override(wrong_attempt, WHOLE_ATTEMPT, 55, "Partial credit agreed in class.", None)
    assert db.session.get(Attempt, wrong_attempt.id).score == pytest.approx(0.55)
    service.set_override(wrong_attempt, WHOLE_ATTEMPT, 60, "Changed my mind.", None)
    assert db.session.get(Attempt, wrong_attempt.id).score == pytest.approx(0.60)
    [row] = pending()  # two changes before the worker ran: one row, the newest grade
    assert score(row)["scoreGiven"] == 60.0
    service.remove_override(wrong_attempt, WHOLE_ATTEMPT, None)
    assert db.session.get(Attempt, wrong_attempt.id).score == 0.0
    assert [score(r)["scoreGiven"] for r in pending()] == [0.0]
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert kinds == ["grade.override", "grade.override", "grade.override.remove"]


def test_removing_a_question_override_rescores_with_the_pure_scorer(fake, wrong_attempt):  # noqa: F811
    service.set_override(wrong_attempt, 1, 1, "Accepted.", None)
    service.remove_override(wrong_attempt, 1, None)
    assert db.session.scalars(select(Response.points)).one() == 0.0
    assert db.session.get(Attempt, wrong_attempt.id).score == 0.0
    with pytest.raises(service.CorrectionError) as err:
        service.remove_override(wrong_attempt, 1, None)
    assert err.value.status == 404


@pytest.mark.parametrize(("position", "value", "comment", "says"), [
    (1, 2.0, "ok", "from 0 to 1 points"),
    (1, -0.5, "ok", "from 0 to 1 points"),
    (1, None, "ok", "as a number"),
    (1, float("nan"), "ok", "as a number"),
    (WHOLE_ATTEMPT, 100.5, "ok", "0 to 100%"),
    (WHOLE_ATTEMPT, 50, "   ", "Write a comment"),
    (WHOLE_ATTEMPT, 50, "x" * 2001, "under 2000"),
    (7, 1, "ok", "no question 7"),
])
def test_bad_overrides_are_refused_and_change_nothing(fake, wrong_attempt, position, value,  # noqa: F811
                                                      comment, says):
    with pytest.raises(service.CorrectionError) as err:
        service.set_override(wrong_attempt, position, value, comment, None)
    assert err.value.status == 400 and says in err.value.message
    db.session.rollback()
    assert db.session.scalars(select(GradeOverride)).all() == []
    assert db.session.scalars(select(AuditEvent)).all() == [] and pending() == []


def test_an_attempt_in_progress_cannot_be_overridden(fake):  # noqa: F811
    ctx, user = fake.course
    quiz, _ = one_question_quiz(ctx, ITEM)
    attempt = attempts.start_attempt(quiz, user)
    with pytest.raises(service.CorrectionError) as err:
        service.set_override(attempt, 1, 1, "ok", None)
    assert err.value.status == 409


def test_reopen_waits_for_the_learner_then_resubmission_is_fully_graded(fake, wrong_attempt):  # noqa: F811
    now = utcnow()
    service.reopen(wrong_attempt, None, None, now)
    attempt = db.session.get(Attempt, wrong_attempt.id)
    assert (attempt.state, attempt.active, attempt.submitted_at, attempt.deadline_at) == (
        IN_PROGRESS, 1, None, None)
    assert attempt.reopened_at is not None and attempt.score is None
    [row] = pending()
    assert score(row)["gradingProgress"] == "Pending"
    assert score(row)["activityProgress"] == "InProgress"
    [event] = db.session.scalars(select(AuditEvent)).all()
    assert event.kind == "attempt.reopen" and event.before["state"] == SUBMITTED
    # The learner changes the answer and submits again before the worker ran: one row, final.
    attempts.save_answers(attempt, {"q1-opt": RIGHT}, [1], now)
    attempts.submit_attempt(attempt.id, now)
    [row] = pending()
    assert score(row)["gradingProgress"] == "FullyGraded" and score(row)["scoreGiven"] == 100.0
    assert stamp(score(row)) > now  # moved past the reopen's own time (Moodle: whole seconds)


def test_reopen_a_timed_attempt_gets_a_new_deadline(fake):  # noqa: F811
    ctx, user = fake.course
    quiz, _ = one_question_quiz(ctx, ITEM, time_limit_minutes=20)
    attempt = answer(quiz, user, WRONG)
    now = utcnow()
    service.reopen(attempt, None, None, now)
    assert db.session.get(Attempt, attempt.id).deadline_at.replace(tzinfo=now.tzinfo) == \
        now + timedelta(minutes=20)
    attempts.submit_attempt(attempt.id, now)
    service.reopen(db.session.get(Attempt, attempt.id), 7, None, now)
    assert db.session.get(Attempt, attempt.id).deadline_at.replace(tzinfo=now.tzinfo) == \
        now + timedelta(minutes=7)


def test_reopen_refuses_while_another_attempt_is_open(fake):  # noqa: F811
    ctx, user = fake.course
    quiz, _ = one_question_quiz(ctx, ITEM)
    first = answer(quiz, user, WRONG)
    attempts.start_attempt(quiz, user)
    with pytest.raises(service.CorrectionError) as err:
        service.reopen(db.session.get(Attempt, first.id), None, None)
    assert err.value.status == 409
    assert db.session.get(Attempt, first.id).state == SUBMITTED
    with pytest.raises(service.CorrectionError):
        service.reopen(db.session.get(Attempt, first.id), 0, None)


def test_reopen_ends_the_attempts_overrides(fake, wrong_attempt):  # noqa: F811
    service.set_override(wrong_attempt, 1, 1, "Accepted.", None)
    service.reopen(db.session.get(Attempt, wrong_attempt.id), None, None)
    assert db.session.scalars(select(GradeOverride)).all() == []
    reopen = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "attempt.reopen")).one()
    assert reopen.before["overrides"] == {"1": {"given": 1.0, "comment": "Accepted."}}


def test_every_change_in_one_second_still_reaches_the_lms_newer(fake, wrong_attempt):  # noqa: F811
    now = utcnow()
    changes = [lambda: service.set_override(wrong_attempt, 1, 1, "a", None, now),
               lambda: service.set_override(wrong_attempt, WHOLE_ATTEMPT, 40, "b", None, now),
               lambda: service.remove_override(wrong_attempt, WHOLE_ATTEMPT, None, now),
               lambda: service.reopen(wrong_attempt, None, None, now)]
    for change in changes:
        change()
        sender.drain(now=now + timedelta(minutes=1))
    times = [stamp(p) for _, p in fake.posts]
    assert len(times) == 5
    # Strictly increasing in whole seconds: Moodle refuses an equal second with 409.
    assert all(b.replace(microsecond=0) > a.replace(microsecond=0) for a, b in zip(times, times[1:]))


def test_a_manually_scored_answer_keeps_the_grade_pending_manual_until_scored(fake, wrong_attempt):  # noqa: F811
    response = db.session.scalars(select(Response)).one()
    response.parts = [{"part_id": "pending", "points": 0.0}]
    db.session.commit()
    assert service.learner_progress(wrong_attempt.quiz_id, wrong_attempt.user_id) == "PendingManual"
    service.set_override(wrong_attempt, 1, 1, "Well argued.", None)
    assert service.learner_progress(wrong_attempt.quiz_id, wrong_attempt.user_id) == "FullyGraded"
    assert score(pending()[0])["gradingProgress"] == "FullyGraded"
