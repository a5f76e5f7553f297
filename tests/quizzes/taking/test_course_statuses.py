"""course_statuses reads quizzes, attempts and overrides in one statement: same answers as one by one."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import DetachedInstanceError

from course.db import db
from course.reads import read_together
from quizzes.accommodations import service
from quizzes.accommodations.queries import limits_for
from quizzes.sync import course_quizzes
from quizzes.taking import attempts, home_read
from quizzes.taking.progress import course_statuses, quiz_status
from tests.quizzes.accommodations.test_enforcement import grant, join
from tests.quizzes.taking.test_attempts import add_user, course_quiz, make_course
from tests.sql_counter import statements

FIRST, SECOND = "quiz-final-cases", None  # the final quiz, and the bank's first quiz


def snapshot(status) -> tuple:
    """What a page shows of one quiz's status, comparable across the two reads."""
    return (status.quiz.id, [a.id for a in status.attempts], status.mine, status.label,
            status.left, status.grade, status.sync.status if status.sync else None)


def test_matches_the_one_by_one_reads_with_attempts_groups_and_course_overrides(app):
    with app.app_context():
        ctx, user = make_course()
        other = add_user("learner-2")
        join(ctx, user)
        join(ctx, other)
        final = course_quiz(ctx, FIRST, time_limit_minutes=30, attempts_allowed=3)
        first = course_quiz(ctx, SECOND)
        draft = next(q for q in course_quizzes(ctx) if q.id not in (final.id, first.id))
        draft.published = False
        db.session.commit()
        # Two attempts (one submitted, one open) and three overrides on the final quiz, so its
        # row repeats 2 x 3 times in the joined read; one course-wide override; another
        # learner's attempt and override, which must not show.
        done = attempts.start_attempt(final, user)
        attempts.submit_attempt(done.id)
        attempts.start_attempt(final, user)
        attempts.start_attempt(final, other)
        slow = service.save_group(ctx, None, "Extended time", [user, other])
        grant(ctx, final.id, group=slow.id, time_multiplier=1.5)
        grant(ctx, final.id, user, extra_attempts=2)
        grant(ctx, None, user, extra_minutes=10)
        grant(ctx, final.id, other, extra_attempts=5)
        db.session.expire_all()
        with statements(app) as seen:
            joined = course_statuses(ctx, user, drafts=False)
        assert len(seen) == 2  # the joined read and the score sync states
        one_by_one = [quiz_status(q, user) for q in course_quizzes(ctx) if q.published]
        assert [snapshot(s) for s in joined] == [snapshot(s) for s in one_by_one]
        assert home_statuses(ctx, user, drafts=False) == [
            snapshot(s) for s in course_statuses(ctx, user, drafts=False, sync=False)]
        assert home_statuses(ctx, user, drafts=True) == [
            snapshot(s) for s in course_statuses(ctx, user, drafts=True, sync=False)]
        by_id = {s.quiz.id: s for s in joined}
        assert draft.id not in by_id
        assert len(by_id[final.id].attempts) == 2
        assert by_id[final.id].left == 3  # 3 allowed + 2 extra - 2 used
        assert by_id[final.id].mine == limits_for(final, user)
        assert by_id[first.id].mine.time_limit_minutes == limits_for(first, user).time_limit_minutes
        with statements(app) as seen:
            instructor_view = course_statuses(ctx, user, drafts=True, sync=False)
        assert len(seen) == 1
        assert draft.id in {s.quiz.id for s in instructor_view}


def home_statuses(ctx, user, drafts: bool) -> list[tuple]:
    """The course home's read of the same statuses (home_read), gathered as the home gathers it."""
    [rows] = read_together([home_read.read(ctx, user)])
    found = home_read.statuses_from(rows, drafts)
    # Also gathered beside another read: on PostgreSQL the rows come back through JSON.
    [again, _] = read_together([home_read.read(ctx, user), (select(func.count()), {})])
    assert [snapshot(s) for s in home_read.statuses_from(again, drafts)] == [
        snapshot(s) for s in found]
    return [snapshot(s) for s in found]


def test_another_course_and_another_learner_never_show(app):
    with app.app_context():
        ctx, user = make_course()
        join(ctx, user)
        final = course_quiz(ctx, FIRST, attempts_allowed=2)
        other_ctx, stranger = make_course("course-2", "someone-else")
        join(other_ctx, user)
        other_final = course_quiz(other_ctx, FIRST)
        attempts.start_attempt(other_final, user)
        grant(other_ctx, None, user, extra_attempts=4)
        join(ctx, stranger)
        attempts.start_attempt(final, stranger)
        rows = {s.quiz.id: s for s in course_statuses(ctx, user, drafts=False)}
        assert other_final.id not in rows
        assert rows[final.id].attempts == [] and rows[final.id].left == 2
        assert home_statuses(ctx, user, drafts=False) == [
            snapshot(s) for s in course_statuses(ctx, user, drafts=False, sync=False)]


def test_the_home_read_leaves_unread_columns_loud_not_none(app):
    with app.app_context():
        ctx, user = make_course()
        join(ctx, user)
        final = course_quiz(ctx, FIRST, attempts_allowed=2)
        attempts.start_attempt(final, user)
        grant(ctx, final.id, user, extra_attempts=1)
        [rows] = read_together([home_read.read(ctx, user)])
        status = next(s for s in home_read.statuses_from(rows, drafts=False)
                      if s.quiz.id == final.id)
        assert status.attempts and status.left == 2  # 2 allowed + 1 extra - 1 used
        # The panel's read leaves out the attempt's layout and the quiz's description: a page
        # that wanted them must fail in its tests, not show nothing.
        with pytest.raises(DetachedInstanceError):
            _ = status.attempts[0].layout
        with pytest.raises(DetachedInstanceError):
            _ = status.quiz.description
