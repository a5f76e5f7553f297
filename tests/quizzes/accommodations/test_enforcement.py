"""Overrides enforced by the server: timer, close and open dates, attempt count, the worker, tenancy."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from course.audit import AuditEvent
from course.db import db, utcnow
from course.models import Membership
from quizzes.accommodations import service
from quizzes.accommodations.models import QuizOverride
from quizzes.accommodations.queries import limits_for
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, aware
from quizzes.overrides import Rule
from quizzes.taking import attempts
from tests.quizzes.taking.test_attempts import add_user, course_quiz, make_course

SLUG = "quiz-final-cases"


def join(ctx: int, user: int, role: str = "learner") -> None:
    """Make a user a member of a course."""
    db.session.add(Membership(user_id=user, context_id=ctx, role=role, lti_roles=[]))
    db.session.commit()


@pytest.fixture
def course(app):
    """A course with two learners and a 30-minute quiz allowing one attempt."""
    with app.app_context():
        ctx, user = make_course()
        other = add_user("learner-2")
        join(ctx, user)
        join(ctx, other)
        quiz = course_quiz(ctx, SLUG, time_limit_minutes=30, attempts_allowed=1)
        yield ctx, user, other, quiz


def grant(ctx: int, quiz_id: int | None = None, user: int | None = None, group: int | None = None,
          **rule: object) -> QuizOverride:
    """Save an override as instructor 'None' (the CLI or a test)."""
    return service.save_override(ctx, None, service.OverrideInput(quiz_id, user, group,
                                                                  Rule(**rule)))  # type: ignore[arg-type]


def deadline_minutes(attempt: Attempt) -> float:
    """The attempt's time in minutes."""
    return (aware(attempt.deadline_at) - aware(attempt.started_at)).total_seconds() / 60


def test_timer_multiplier_and_extra_minutes_for_one_learner_only(course):
    ctx, user, other, quiz = course
    grant(ctx, quiz.id, user, time_multiplier=2.0)
    assert deadline_minutes(attempts.start_attempt(quiz, user)) == 60
    assert deadline_minutes(attempts.start_attempt(quiz, other)) == 30


def test_course_wide_override_and_quiz_override_wins(course):
    ctx, user, other, quiz = course
    grant(ctx, None, user, extra_minutes=15)
    assert limits_for(quiz, user).time_limit_minutes == 45
    grant(ctx, quiz.id, user, time_multiplier=1.5)
    assert limits_for(quiz, user).time_limit_minutes == 45
    grant(ctx, None, other, unlimited_time=True)
    started = attempts.start_attempt(quiz, other)
    assert started.deadline_at is None


def test_group_override_most_generous_and_own_override_wins(course):
    ctx, user, other, quiz = course
    slow = service.save_group(ctx, None, "Extended time", [user, other])
    slower = service.save_group(ctx, None, "Double time", [user])
    grant(ctx, quiz.id, group=slow.id, time_multiplier=1.5)
    grant(ctx, quiz.id, group=slower.id, time_multiplier=2.0)
    assert limits_for(quiz, user).time_limit_minutes == 60
    assert limits_for(quiz, other).time_limit_minutes == 45
    grant(ctx, quiz.id, other, extra_minutes=5)
    assert limits_for(quiz, other).time_limit_minutes == 35


def test_extra_attempts(course):
    ctx, user, other, quiz = course
    grant(ctx, quiz.id, user, extra_attempts=1)
    for _ in range(2):
        attempts.submit_attempt(attempts.start_attempt(quiz, user).id)
    with pytest.raises(attempts.AttemptError, match="used all the attempts"):
        attempts.start_attempt(quiz, user)
    attempts.submit_attempt(attempts.start_attempt(quiz, other).id)
    with pytest.raises(attempts.AttemptError, match="used all the attempts"):
        attempts.start_attempt(quiz, other)


def test_close_and_open_dates(course):
    ctx, user, other, quiz = course
    now = utcnow()
    grant(ctx, quiz.id, user, close_at=now - timedelta(minutes=1))
    with pytest.raises(attempts.AttemptError, match="closed for you"):
        attempts.start_attempt(quiz, user, now)
    grant(ctx, quiz.id, other, open_at=now + timedelta(days=1))
    with pytest.raises(attempts.AttemptError, match="opens for you"):
        attempts.start_attempt(quiz, other, now)
    assert attempts.start_attempt(quiz, other, now + timedelta(days=1)).state == IN_PROGRESS


def test_close_date_caps_the_timer_and_the_worker_submits_at_it(course):
    ctx, user, _other, quiz = course
    now = utcnow()
    grant(ctx, quiz.id, user, close_at=now + timedelta(minutes=10))
    attempt = attempts.start_attempt(quiz, user, now)
    assert aware(attempt.deadline_at) == now + timedelta(minutes=10)
    assert attempts.expire_overdue(now=now + timedelta(minutes=9)) == 0
    assert attempts.expire_overdue(now=now + timedelta(minutes=10)) == 1
    db.session.refresh(attempt)
    assert attempt.state == SUBMITTED


def test_worker_follows_an_override_given_while_the_attempt_is_open(course):
    ctx, user, _other, quiz = course
    now = utcnow()
    attempt = attempts.start_attempt(quiz, user, now)
    row = grant(ctx, quiz.id, user, time_multiplier=2.0)
    db.session.refresh(attempt)
    assert deadline_minutes(attempt) == 60
    assert attempts.expire_overdue(now=now + timedelta(minutes=31)) == 0  # the old deadline
    service.delete_override(ctx, None, row)  # back to the quiz's 30 minutes
    db.session.refresh(attempt)
    assert deadline_minutes(attempt) == 30
    assert attempts.expire_overdue(now=now + timedelta(minutes=31)) == 1


def test_group_membership_change_moves_open_deadlines(course):
    ctx, user, _other, quiz = course
    group = service.save_group(ctx, None, "Extended time", [])
    grant(ctx, None, group=group.id, extra_minutes=30)
    attempt = attempts.start_attempt(quiz, user)
    assert deadline_minutes(attempt) == 30
    service.save_group(ctx, None, "Extended time", [user], group)
    db.session.refresh(attempt)
    assert deadline_minutes(attempt) == 60


def test_overrides_of_another_course_never_apply(app, course):
    ctx, user, _other, quiz = course
    other_ctx, _ = make_course("course-2", "someone-else")
    join(other_ctx, user)
    other_quiz = course_quiz(other_ctx, SLUG, time_limit_minutes=30)
    grant(other_ctx, None, user, time_multiplier=3.0)
    assert limits_for(other_quiz, user).time_limit_minutes == 90
    assert limits_for(quiz, user).time_limit_minutes == 30
    with pytest.raises(service.OverrideError, match="not in this course"):
        grant(ctx, other_quiz.id, user, extra_minutes=5)
    stranger = add_user("stranger")
    join(other_ctx, stranger)
    with pytest.raises(service.OverrideError, match="not a learner in this course"):
        grant(ctx, quiz.id, stranger, extra_minutes=5)
    other_group = service.save_group(other_ctx, None, "G", [user])
    with pytest.raises(service.OverrideError, match="group is not in this course"):
        grant(ctx, quiz.id, group=other_group.id, extra_minutes=5)


def test_every_change_is_audited(course):
    ctx, user, _other, quiz = course
    row = grant(ctx, quiz.id, user, extra_minutes=10)
    service.save_override(ctx, None, service.OverrideInput(quiz.id, user, None,
                                                           Rule(extra_minutes=20)), row)
    service.delete_override(ctx, None, row)
    found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.context_id == ctx)
                                    .order_by(AuditEvent.id)))
    assert [e.kind for e in found] == ["override.add", "override.change", "override.remove"]
    assert found[0].before is None and found[0].after["extra_minutes"] == 10
    assert (found[1].before["extra_minutes"], found[1].after["extra_minutes"]) == (10, 20)
    assert found[2].after is None and found[2].before["learner"] == "learner-1"
    assert found[0].after["quiz"] == SLUG


def test_a_second_override_for_the_same_learner_and_quiz_is_refused(course):
    ctx, user, _other, quiz = course
    grant(ctx, quiz.id, user, extra_minutes=10)
    with pytest.raises(service.OverrideError, match="already an override"):
        grant(ctx, quiz.id, user, extra_attempts=1)
    with pytest.raises(service.OverrideError, match="changes nothing"):
        grant(ctx, None, user)
