"""A Submit leaves its answers waiting for the review schedule; whoever writes the learner's
schedule next (the worker, a review answer, a regrade) enters them first, once and in order."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from course.db import db, utcnow
from quizzes.models import Attempt
from quizzes.review.models import ReviewItem
from quizzes.review.schedule_store import Answered, catch_up, question_key, record
from quizzes.scores import worker
from tests.quizzes.corrections.helpers import answer, mcq, one_question_quiz, right_and_wrong
from tests.quizzes.scores.test_outbox import FakeAgs, fake  # noqa: F401 - fixture
from tests.quizzes.taking.test_attempts import add_user

ITEM = mcq()
RIGHT, WRONG = right_and_wrong(ITEM)


def rows(ctx: int, user: int) -> dict[str, tuple[int, int, int, int, int]]:
    """The learner's schedule: key -> (ease, interval, reps, lapses, due day)."""
    db.session.expire_all()
    return {r.item_key: (r.ease, r.interval, r.reps, r.lapses, r.due_day)
            for r in db.session.scalars(select(ReviewItem).where(
                ReviewItem.context_id == ctx, ReviewItem.user_id == user))}


def waiting(ctx: int, user: int) -> int:
    """The learner's submitted attempts whose answers are not yet scheduled."""
    return len(db.session.scalars(select(Attempt.id).where(
        Attempt.context_id == ctx, Attempt.user_id == user, Attempt.review_pending)).all())


def test_the_worker_schedules_each_submission_once(fake):  # noqa: F811
    ctx, user = fake.course
    quiz, qid = one_question_quiz(ctx, ITEM)
    answer(quiz, user, WRONG)
    assert rows(ctx, user) == {} and waiting(ctx, user) == 1
    assert worker.run_pass().reviews_scheduled == 1
    first = rows(ctx, user)
    assert set(first) == {question_key(qid)} and first[question_key(qid)][3] == 1  # one lapse
    assert waiting(ctx, user) == 0
    assert worker.schedule_reviews() == 0 and rows(ctx, user) == first  # nothing applied twice


def test_a_review_answer_after_a_waiting_quiz_comes_after_it(fake):  # noqa: F811
    """The same answers give the same schedule whether or not the worker ran in between."""
    ctx, early = fake.course
    late = add_user("learner-late")
    quiz, qid = one_question_quiz(ctx, ITEM)
    then, later = utcnow() - timedelta(days=3), utcnow()
    review = [Answered(question_key(qid), 1.0, 1.0)]
    answer(quiz, early, WRONG, then)
    worker.schedule_reviews()  # in order: the quiz, then the review session's answer
    record(ctx, early, review, later)
    answer(quiz, late, WRONG, then)  # the worker has not run: the review answer goes in second
    record(ctx, late, review, later)
    db.session.commit()
    assert rows(ctx, late) == rows(ctx, early)
    assert rows(ctx, late)[question_key(qid)][2] == 1  # reps: the right answer came last
    assert waiting(ctx, late) == 0


def test_answers_are_dated_at_their_submission(fake):  # noqa: F811
    ctx, user = fake.course
    quiz, qid = one_question_quiz(ctx, ITEM)
    then = utcnow() - timedelta(days=5)
    answer(quiz, user, RIGHT, then)
    assert catch_up(ctx, user) == 1
    db.session.commit()
    row = db.session.scalars(select(ReviewItem)).one()
    assert row.answered_at.replace(tzinfo=None) == then.replace(tzinfo=None)
    assert catch_up(ctx, user) == 0
