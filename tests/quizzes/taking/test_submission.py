"""What a submission stores: one scored row per position, saved answers kept, the score matching."""
from dataclasses import asdict
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from course.db import db, utcnow
from quizzes.bank_loader import get_bank
from quizzes.models import SUBMITTED, Attempt, Response, ScoreOutbox, aware
from quizzes.review.models import ReviewItem
from quizzes.taking import attempt_layout, attempts
from quizzes.taking.pages import review_view
from quizzes.types import REGISTRY
from tests.quizzes.taking.test_attempts import Form, course_quiz, make_course, right_form


@pytest.fixture
def course(app):
    """An app context with a course, a learner and the shipped quizzes materialised."""
    with app.app_context():
        yield make_course()


def _rows(attempt_id: int) -> dict[int, Response]:
    """Position -> response row, read fresh from the database."""
    db.session.expire_all()
    return {r.position: r for r in db.session.scalars(
        select(Response).where(Response.attempt_id == attempt_id))}


def test_every_position_gets_one_scored_row_and_saved_answers_are_kept(course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx, "quiz-final-cases"), user)
    versions = attempt_layout.versions_for(attempt)
    first, second = sorted(versions)[:2]
    attempts.save_answers(attempt, Form({
        **right_form(versions[first].data, attempt_layout.prefix(first)),
        **right_form(versions[second].data, attempt_layout.prefix(second))}), [first, second])
    before = _rows(attempt.id)
    saved = {p: (before[p].id, before[p].response, before[p].saved_at) for p in (first, second)}
    done, did = attempts.submit_attempt(attempt.id)
    assert did
    rows = _rows(attempt.id)
    assert sorted(rows) == sorted(versions), "one row per position, none twice, none missing"
    for pos, version in versions.items():
        kind = REGISTRY[version.data["type"]]
        row = rows[pos]
        assert row.question_version_id == version.id
        assert row.max_points == pytest.approx(kind.max_points(version.data))
        assert row.parts and all("points" in part for part in row.parts)
        if pos in saved:  # the answer, its row and its time are the learner's, untouched
            assert (row.id, row.response, row.saved_at) == saved[pos]
            assert row.points == pytest.approx(row.max_points)
        else:
            assert row.response is None and row.points == 0
    empty = db.session.scalar(select(func.count()).select_from(Response).where(
        Response.attempt_id == attempt.id, Response.response.is_(None)))
    # As the ORM and the old multi-row INSERT stored it, on every database: JSON null.
    assert empty == 0, "an unanswered position's response is JSON null, not SQL NULL"
    assert done.points == pytest.approx(sum(r.points for r in rows.values()))
    assert done.max_points == pytest.approx(sum(r.max_points for r in rows.values()))


def test_the_returned_attempt_matches_the_row_and_has_nothing_left_to_flush(course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx), user)
    done, _ = attempts.submit_attempt(attempt.id)
    assert done is attempt, "the claim refreshed the session's own object"
    state = inspect(done)
    assert not state.modified and done not in db.session.dirty
    mine = (done.state, done.points, done.max_points, done.score, aware(done.submitted_at))
    db.session.expire_all()
    row = db.session.get(Attempt, attempt.id)
    assert mine == (SUBMITTED, row.points, row.max_points, row.score, aware(row.submitted_at))


def test_an_overdue_attempt_is_dated_at_its_deadline(course):
    ctx, user = course
    start = utcnow()
    attempt = attempts.start_attempt(course_quiz(ctx, time_limit_minutes=10), user, now=start)
    deadline = aware(attempt.deadline_at)
    done, did = attempts.submit_attempt(attempt.id, start + timedelta(minutes=25))
    assert did and aware(done.submitted_at) == deadline
    db.session.expire_all()
    assert aware(db.session.get(Attempt, attempt.id).submitted_at) == deadline


def test_a_repeated_submission_writes_nothing(course):
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx, "quiz-final-cases"), user)
    attempts.submit_attempt(attempt.id)
    before = {p: (r.id, r.points, r.parts) for p, r in _rows(attempt.id).items()}
    reviews = db.session.scalars(select(ReviewItem.reps)).all()
    assert attempts.submit_attempt(attempt.id)[1] is False
    assert {p: (r.id, r.points, r.parts) for p, r in _rows(attempt.id).items()} == before
    assert db.session.scalars(select(ReviewItem.reps)).all() == reviews
    assert len(db.session.scalars(select(ScoreOutbox)).all()) == 1


def test_rows_keep_the_marks_and_the_review_takes_each_parts_text_from_the_version(course):
    """A submission stores no label or rationale; the review shows the ones scoring gave."""
    ctx, user = course
    attempt = attempts.start_attempt(course_quiz(ctx, "quiz-final-cases"), user)
    versions = attempt_layout.versions_for(attempt)
    first, second = sorted(versions)[:2]
    wrong = {key: "" for key in right_form(versions[second].data, attempt_layout.prefix(second))}
    attempts.save_answers(attempt, Form({
        **right_form(versions[first].data, attempt_layout.prefix(first)), **wrong}), [first, second])
    attempts.submit_attempt(attempt.id)
    rows = _rows(attempt.id)
    for pos, version in versions.items():
        row = rows[pos]
        assert row.parts and not {"label", "rationale"} & set().union(*row.parts), pos
        scored = REGISTRY[version.data["type"]].score(version.data, row.response or {})
        as_scored = review_view(version.data, pos, [asdict(p) for p in scored.parts], row.points,
                                row.max_points, True, True, every_option=True)
        stored = review_view(version.data, pos, row.parts, row.points, row.max_points, True, True,
                             every_option=True, response=row.response)
        assert stored == as_scored, pos
        assert any(part["label"] for part in stored["parts"]), pos


def test_a_row_stored_with_its_texts_is_shown_as_stored():
    """Rows written before the marks-only form keep the label and rationale they were given."""
    bank = next(iter(get_bank().items.values()))
    scored = REGISTRY[bank["type"]].score(bank, {})
    parts = [{**asdict(p), "label": f"stored {n}", "rationale": f"why {n}"}
             for n, p in enumerate(scored.parts)]
    shown = review_view(bank, 1, parts, 0.0, scored.max_points, True, True)
    assert [p["label"] for p in shown["parts"]] == [f"stored {n}" for n in range(len(parts))]
    assert [p["rationale"] for p in shown["parts"]] == [f"why {n}" for n in range(len(parts))]
