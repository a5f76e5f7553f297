"""A submission queues only whose grade must be sent; the sender works the score out when it sends."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from course.db import db, utcnow
from course.models import Membership
from course.roles import INSTRUCTOR, LEARNER, OBSERVER
from quizzes.models import PENDING, SENT, TUTOR, Attempt
from quizzes.scores import grade, sender
from tests.quizzes.scores.test_outbox import FakeAgsError, fake, rows, submitted  # noqa: F401


def stamp(payload: dict) -> datetime:
    """A score's timestamp as a datetime."""
    return datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00"))


def later() -> datetime:
    """A worker's clock an hour ahead at 0.1 s past a whole second (every row is due by then)."""
    return (utcnow() + timedelta(hours=1)).replace(microsecond=100_000)


def test_the_row_names_the_grade_and_the_sender_stores_what_it_posts(fake):  # noqa: F811
    submitted(fake)
    [row] = rows()
    assert row.status == PENDING and row.payload == {"gradingProgress": "FullyGraded"}
    assert not grade.is_score(row.payload)
    assert sender.drain().sent == 1
    [(_, posted)] = fake.posts
    assert posted["scoreGiven"] == 100.0 and posted["userId"] == "learner-1"
    assert posted["gradingProgress"] == "FullyGraded" and posted["timestamp"].endswith("Z")
    [row] = rows()
    assert row.status == SENT and row.payload == posted  # the gradebook pages read it there


def test_the_grade_sent_is_the_one_at_send_time(fake):  # noqa: F811
    aid = submitted(fake)
    # A change committed after the row was queued and before the sender ran.
    db.session.execute(update(Attempt).where(Attempt.id == aid).values(score=0.25))
    db.session.commit()
    sender.drain()
    assert [p["scoreGiven"] for _, p in fake.posts] == [25.0]


def test_a_retry_posts_the_score_stored_before_the_first_try(fake):  # noqa: F811
    submitted(fake)
    fake.failures = [FakeAgsError("HTTP 503", True)]
    now = later()
    assert sender.drain(now=now).retrying == 1
    [row] = rows()
    stored = row.payload
    assert grade.is_score(stored) and stamp(stored) == now
    assert sender.drain(now=now + timedelta(minutes=1)).sent == 1
    assert [p for _, p in fake.posts] == [stored]  # same score, same timestamp


def test_a_new_score_in_the_same_second_is_dated_the_next_second(fake):  # noqa: F811
    submitted(fake, attempts_allowed=0)
    now = later()
    sender.drain(now=now)
    submitted(fake, attempts_allowed=0)
    sender.drain(now=now + timedelta(milliseconds=300))
    first, second = (stamp(p) for _, p in fake.posts)
    assert first == now
    assert second == now.replace(microsecond=0) + timedelta(seconds=1)  # Moodle: whole seconds


@pytest.mark.parametrize(("role", "removed", "tutor", "queued"), [
    (LEARNER, False, False, True),
    (None, False, False, True),  # no membership row: graded, as before
    (INSTRUCTOR, False, False, False),
    (OBSERVER, False, False, False),
    (LEARNER, True, False, False),
    (LEARNER, False, True, False),  # tutor-mode practice
])
def test_who_is_queued_is_decided_by_the_insert(fake, role, removed, tutor, queued):  # noqa: F811
    ctx, user = fake.course
    if role is not None:
        db.session.add(Membership(user_id=user, context_id=ctx, role=role,
                                  removed_at=utcnow() if removed else None))
        db.session.commit()
    settings = {"mode": TUTOR, "tutor_gradebook": False} if tutor else {}
    submitted(fake, **settings)
    assert len(rows()) == (1 if queued else 0)


def test_tutor_mode_with_the_gradebook_switch_is_queued(fake):  # noqa: F811
    submitted(fake, mode=TUTOR, tutor_gradebook=True)
    assert len(rows()) == 1


def test_a_queued_score_is_sent_after_the_learner_left(fake):  # noqa: F811
    ctx, user = fake.course
    db.session.add(Membership(user_id=user, context_id=ctx, role=LEARNER))
    db.session.commit()
    submitted(fake)
    db.session.execute(update(Membership).values(removed_at=utcnow()))
    db.session.commit()
    assert sender.drain().sent == 1 and [p["scoreGiven"] for _, p in fake.posts] == [100.0]
