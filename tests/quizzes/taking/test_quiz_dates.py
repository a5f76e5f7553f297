"""A quiz's own open and close dates: start refused outside them, the close ends an attempt in
progress (save, resume and the worker), overrides extend them, instructors may always try it."""
from datetime import UTC, datetime, timedelta

import pytest

from course.db import db, utcnow
from course.models import Membership
from quizzes.accommodations import service
from quizzes.authoring import builder
from quizzes.models import IN_PROGRESS, SUBMITTED, aware
from quizzes.overrides import Rule
from quizzes.scores import sender, worker
from quizzes.taking import attempts
from tests.quizzes.scores.test_outbox import FakeAgs
from tests.quizzes.taking.test_attempts import add_user, course_quiz, make_course

SLUG = "quiz-final-cases"
NOW = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def course(app):
    """A course with two learners and an untimed quiz allowing two attempts."""
    with app.app_context():
        ctx, user = make_course()
        other = add_user("learner-2")
        for uid in (user, other):
            db.session.add(Membership(user_id=uid, context_id=ctx, role="learner", lti_roles=[]))
        db.session.commit()
        quiz = course_quiz(ctx, SLUG, time_limit_minutes=None, attempts_allowed=2)
        yield ctx, user, other, quiz


def dated(quiz, open_at=None, close_at=None):
    """Set the quiz's own dates."""
    quiz.open_at, quiz.close_at = open_at, close_at
    db.session.commit()
    return quiz


def test_no_attempt_starts_before_the_open_date(course):
    _ctx, user, _other, quiz = course
    dated(quiz, open_at=NOW + HOUR)
    with pytest.raises(attempts.AttemptError, match="opens for you on 3 Mar 2031, 10:00 UTC"):
        attempts.start_attempt(quiz, user, NOW)
    assert attempts.start_attempt(quiz, user, NOW + HOUR).state == IN_PROGRESS


def test_no_attempt_starts_at_or_after_the_close_date(course):
    _ctx, user, _other, quiz = course
    dated(quiz, close_at=NOW)
    with pytest.raises(attempts.AttemptError, match="closed for you on 3 Mar 2031, 09:00 UTC"):
        attempts.start_attempt(quiz, user, NOW)
    assert attempts.start_attempt(quiz, user, NOW - timedelta(seconds=1)).state == IN_PROGRESS


def test_the_close_date_ends_an_attempt_in_progress_like_a_time_up(course):
    _ctx, user, _other, quiz = course
    dated(quiz, close_at=NOW + HOUR)
    attempt = attempts.start_attempt(quiz, user, NOW)
    assert aware(attempt.deadline_at) == NOW + HOUR  # no time limit: the close date is the end
    assert attempts.expire_overdue(now=NOW + HOUR - timedelta(seconds=1)) == 0
    outcome = attempts.save_answers(attempt, {}, [], NOW + HOUR + timedelta(minutes=5))
    assert outcome.submitted
    db.session.refresh(attempt)
    assert attempt.state == SUBMITTED and aware(attempt.submitted_at) == NOW + HOUR


def test_a_timed_attempt_ends_at_the_close_date_when_that_comes_first(course):
    _ctx, user, _other, quiz = course
    quiz.time_limit_minutes = 90
    dated(quiz, close_at=NOW + HOUR)
    assert aware(attempts.start_attempt(quiz, user, NOW).deadline_at) == NOW + HOUR
    quiz.time_limit_minutes = 30
    db.session.commit()
    other = attempts.start_attempt(quiz, course[2], NOW)
    assert aware(other.deadline_at) == NOW + timedelta(minutes=30)


def test_the_worker_submits_an_attempt_open_at_the_close_date(app, course):
    _ctx, user, _other, quiz = course
    app.extensions[sender.CLIENT_KEY] = FakeAgs()
    start = utcnow() - 2 * HOUR
    dated(quiz, close_at=start + HOUR)
    attempt = attempts.start_attempt(quiz, user, start)
    assert worker.run_pass().expired_attempts == 1
    db.session.refresh(attempt)
    assert attempt.state == SUBMITTED and aware(attempt.submitted_at) == start + HOUR


def test_a_close_date_set_during_an_attempt_moves_its_deadline(app, course):
    _ctx, user, _other, quiz = course
    start = utcnow() - 2 * HOUR
    attempt = attempts.start_attempt(quiz, user, start)
    assert attempt.deadline_at is None
    builder.apply_settings(quiz, builder.Settings(**{**builder.settings_of(quiz).__dict__,
                                                     "close_at": start + HOUR}))
    db.session.refresh(attempt)
    assert aware(attempt.deadline_at) == start + HOUR
    app.extensions[sender.CLIENT_KEY] = FakeAgs()
    assert worker.run_pass().expired_attempts == 1


def test_an_override_extends_the_quiz_dates_for_one_learner(course):
    ctx, user, other, quiz = course
    dated(quiz, open_at=NOW - 2 * HOUR, close_at=NOW - HOUR)
    service.save_override(ctx, None, service.OverrideInput(quiz.id, user, None,
                                                           Rule(close_at=NOW + HOUR)))
    attempt = attempts.start_attempt(quiz, user, NOW)
    assert aware(attempt.deadline_at) == NOW + HOUR
    with pytest.raises(attempts.AttemptError, match="closed for you"):
        attempts.start_attempt(quiz, other, NOW)


def test_an_instructor_preview_ignores_the_dates(course):
    _ctx, user, _other, quiz = course
    dated(quiz, open_at=NOW + HOUR, close_at=NOW + 2 * HOUR)
    attempt = attempts.start_attempt(quiz, user, NOW + 3 * HOUR, preview=True)
    assert attempt.state == IN_PROGRESS and attempt.deadline_at is None


def test_settings_refuse_a_close_date_before_the_open_date(course):
    _ctx, _user, _other, quiz = course
    settings = builder.Settings(**{**builder.settings_of(quiz).__dict__,
                                   "open_at": NOW, "close_at": NOW})
    with pytest.raises(builder.BuilderError, match="close date must come after"):
        builder.apply_settings(quiz, settings)
    assert quiz.open_at is None and quiz.close_at is None
