"""The schedule upsert: one statement, at most one row per item, and the same SM-2 rules as the pure code."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from course.db import db
from course.models import Context, Registration, User
from quizzes.review.models import ReviewItem
from quizzes.review.schedule_store import Answered, module_key, question_key, record, scored
from quizzes.review_schedule import Schedule, answer, day_number, quality
from tests.sql_counter import statements

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# A share of points for each SM-2 grade (answered), and None for a blank.
SHARES = {5: 1.0, 4: 0.8, 3: 0.5, 2: 0.25, 1: 0.0, 0: None}


def people(app):
    """A context and a user to hang schedule rows on; returns their ids."""
    with app.app_context():
        reg = Registration(issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                           auth_token_url="https://lms.example/t", key_set_url="https://lms.example/k")
        db.session.add(reg)
        db.session.flush()
        ctx = Context(registration_id=reg.id, context_id="course-1", title="Course")
        user = User(registration_id=reg.id, sub="learner-1")
        db.session.add_all([ctx, user])
        db.session.commit()
        return ctx.id, user.id


def rows(app):
    """key -> stored Schedule."""
    with app.app_context():
        return {r.item_key: Schedule(r.ease, r.interval, r.reps, r.lapses, r.due_day)
                for r in db.session.scalars(select(ReviewItem))}


def answered(key, grade):
    """An Answered whose points give the grade."""
    share = SHARES[grade]
    return Answered(key, share or 0.0, 1.0, share is not None)


def test_keys():
    assert question_key(12) == "q:12" and module_key("02-weakness", "w-check-1") == "m:02-weakness:w-check-1"


def test_one_statement_for_many_items_and_the_last_answer_wins(app):
    cid, uid = people(app)
    with app.app_context(), statements(app) as seen:
        record(cid, uid, [answered("q:1", 5), answered("q:2", 1), answered("q:1", 0)], T0)
        db.session.commit()
    assert len([s for s in seen if "quiz_review_item" in s]) == 1, seen
    today = day_number(T0)
    assert rows(app) == {"q:1": answer(Schedule(), 0, today), "q:2": answer(Schedule(), 1, today)}


def test_nothing_answered_writes_nothing(app):
    cid, uid = people(app)
    with app.app_context(), statements(app) as seen:
        record(cid, uid, [], T0)
    # One indexed read: the learner's submitted attempts still waiting for the schedule (none).
    assert len(seen) == 1 and seen[0].startswith("SELECT quiz_attempt.id"), seen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40)), min_size=1, max_size=12))
def test_the_sql_update_follows_the_pure_rules(app, steps):
    cid, uid = _ids(app)
    key = f"q:{next(KEYS)}"  # a fresh item for every example: the app outlives them
    expected, when = Schedule(), T0
    for grade, gap in steps:
        when += timedelta(days=gap)
        with app.app_context():
            record(cid, uid, [answered(key, grade)], when)
            db.session.commit()
        expected = answer(expected, quality(SHARES[grade] or 0.0, 1.0, SHARES[grade] is not None),
                          day_number(when))
        assert rows(app)[key] == expected


KEYS = itertools.count(1000)


def _ids(app):
    """The context and user, made on first use in this app."""
    with app.app_context():
        found = db.session.scalar(select(Context.id))
        user = db.session.scalar(select(User.id))
    return (found, user) if found else people(app)


def test_stored_details_follow_the_last_answer(app):
    cid, uid = people(app)
    with app.app_context():
        record(cid, uid, [Answered("q:3", 1.0, 2.0, True, "take_action", "spasticity", "case-x")], T0)
        record(cid, uid, [Answered("q:3", 2.0, 2.0, True, "analyze_cues", "weakness", None)],
               T0 + timedelta(days=1))
        db.session.commit()
        row = db.session.scalars(select(ReviewItem)).one()
    assert (row.step, row.topic, row.case_id, row.last_score, row.last_quality) == (
        "analyze_cues", "weakness", None, 1.0, 5)
    assert row.last_day == day_number(T0) + 1 and row.reps == 2 and row.interval == 6


def test_scored_skips_items_a_person_marks():
    essay = {"type": "essay", "cjmm": "take_action"}
    mcq = {"type": "mcq", "cjmm": "take_action", "topic": "spasticity"}
    assert scored(4, mcq, "case-a", {"opt": "b"}, 1.0, 1.0) == Answered(
        "q:4", 1.0, 1.0, True, "take_action", "spasticity", "case-a")
    assert scored(4, mcq, None, None, 0.0, 1.0).answered is False
    assert scored(4, mcq, None, {"opt": ""}, 0.0, 1.0).answered is False
    assert scored(4, mcq, None, {}, 0.0, 0.0) is None
    assert scored(5, essay, None, {"text": "x"}, 0.0, 4.0) is None


def test_mixed_rows_keep_every_case(app):
    cid, uid = people(app)
    with app.app_context():
        record(cid, uid, [Answered("q:1", 1.0, 1.0), Answered("q:2", 1.0, 1.0, case_id="case-b")], T0)
        db.session.commit()
        found = {r.item_key: r.case_id for r in db.session.scalars(select(ReviewItem))}
    assert found == {"q:1": None, "q:2": "case-b"}
