"""A regrade corrects the spaced review: an answer wrong under a bad key, right after the fix, is
no longer due; a right one turned wrong comes back; a later answer stands; one write per item."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from course.db import db, utcnow
from quizzes.authoring.questions import update_question
from quizzes.corrections import regrade
from quizzes.models import Question, Quiz
from quizzes.review import service as review_service
from quizzes.review.models import ReviewItem
from quizzes.review.schedule_store import Answered, question_key, record
from quizzes.review_schedule import day_number
from quizzes.scores import worker
from tests.quizzes.corrections.helpers import answer, mcq, one_question_quiz, right_and_wrong
from tests.quizzes.scores.test_outbox import FakeAgs, fake  # noqa: F401 - fixture
from tests.quizzes.taking.test_attempts import add_user
from tests.sql_counter import statements

ITEM = mcq()
RIGHT, WRONG = right_and_wrong(ITEM)


def fix_the_key(qid: int) -> Question:
    """The instructor marks the other option as the answer: a new version of the question."""
    question = db.session.get(Question, qid)
    fixed = {**ITEM, "options": [{**o, "correct": o["id"] == WRONG} for o in ITEM["options"]]}
    update_question(question, fixed)
    return question


def schedule(ctx: int, user: int, qid: int) -> ReviewItem:
    """The learner's schedule row for the question."""
    db.session.expire_all()
    return db.session.scalars(select(ReviewItem).where(
        ReviewItem.context_id == ctx, ReviewItem.user_id == user,
        ReviewItem.item_key == question_key(qid))).one()


def answered(quiz: Quiz, user: int, option: str, now: datetime) -> None:
    """answer(), then the worker's pass that enters it into the review schedule."""
    answer(quiz, user, option, now)
    worker.schedule_reviews()


@pytest.mark.parametrize("worker_ran", [True, False])
def test_a_regrade_moves_the_review_schedule_with_the_corrected_scores(fake, worker_ran):  # noqa: F811
    ctx, first = fake.course
    second = add_user("learner-2")
    quiz, qid = one_question_quiz(ctx, ITEM)
    now = utcnow()
    today = day_number(now)
    submit = answered if worker_ran else answer  # before the worker: the regrade schedules them
    submit(quiz, first, WRONG, now)  # wrong under the bad key: due today
    submit(quiz, second, RIGHT, now)  # right under the bad key: due tomorrow
    if worker_ran:
        assert (schedule(ctx, first, qid).due_day, schedule(ctx, first, qid).lapses) == (today, 1)
        assert review_service.summary(ctx, first, now).due == 1
    question = fix_the_key(qid)
    regrade.apply_regrade(ctx, question, question.versions[-1].id, None, now)
    fixed = schedule(ctx, first, qid)
    assert fixed.due_day > today and (fixed.reps, fixed.lapses, fixed.last_quality) == (1, 0, 5)
    assert fixed.last_score == 1.0
    assert review_service.summary(ctx, first, now).due == 0  # no longer in "Review now"
    turned = schedule(ctx, second, qid)
    assert (turned.due_day, turned.reps, turned.lapses, turned.last_quality) == (today, 0, 1, 1)
    assert review_service.summary(ctx, second, now).due == 1


def test_a_later_answer_to_the_item_stands(fake):  # noqa: F811
    ctx, user = fake.course
    quiz, qid = one_question_quiz(ctx, ITEM)
    then = utcnow() - timedelta(days=3)
    answer(quiz, user, WRONG, then)  # scheduled by the review answer below, before it
    record(ctx, user, [Answered(question_key(qid), 0.0, 1.0)], utcnow())  # a review session, later
    db.session.commit()
    before = schedule(ctx, user, qid)
    kept = (before.due_day, before.ease, before.lapses, before.last_quality)
    question = fix_the_key(qid)
    regrade.apply_regrade(ctx, question, question.versions[-1].id, None)
    after = schedule(ctx, user, qid)
    assert (after.due_day, after.ease, after.lapses, after.last_quality) == kept


def test_the_latest_regraded_attempt_counts_with_one_write_per_learner_item(app, fake):  # noqa: F811
    ctx, user = fake.course
    quiz, qid = one_question_quiz(ctx, ITEM)
    now = utcnow()
    answered(quiz, user, WRONG, now - timedelta(days=2))
    answered(quiz, user, WRONG, now)  # the last answer: this one is corrected
    question = fix_the_key(qid)
    with statements(app) as seen:
        regrade.apply_regrade(ctx, question, question.versions[-1].id, None, now)
    writes = [s for s in seen if re.match(r"UPDATE quiz_review_item|INSERT INTO quiz_review_item", s)]
    assert len(writes) == 1
    fixed = schedule(ctx, user, qid)
    assert (fixed.due_day, fixed.last_quality, fixed.lapses) == (day_number(now) + 1, 5, 1)
