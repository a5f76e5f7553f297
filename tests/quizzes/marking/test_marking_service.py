"""Essays: PendingManual at submission, the Needs grading queue, grading re-scores and sends FullyGraded once."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from course.audit import AuditEvent
from course.db import db, utcnow
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.marking import service
from quizzes.marking.models import ManualGrade
from quizzes.models import Attempt, Response, ScoreOutbox
from quizzes.scores import grade, sender
from quizzes.taking import attempts
from tests.quizzes.instructor_helpers import sample_item
from tests.quizzes.scores.test_outbox import FakeAgs, fake, rows  # noqa: F401 - fixture

ESSAY = sample_item("essay")
MCQ = sample_item("mcq")
RIGHT = next(o["id"] for o in MCQ["options"] if o.get("correct"))


def score(row: ScoreOutbox) -> dict:
    """The score the sender would post for a row now (a queued row names only whose grade)."""
    return grade.current_score(row, utcnow()) or {}


def essay_quiz(cid: int) -> Any:
    """A quiz with one multiple-choice question (1 point) and the shipped essay (5 points)."""
    quiz = builder.create_quiz(cid, None, builder.Settings(title="Essay quiz", attempts_allowed=0))
    builder.add_fixed(quiz, create_question(cid, None, MCQ).id)
    builder.add_fixed(quiz, create_question(cid, None, ESSAY).id)
    return quiz


def submit(quiz: Any, user: int, text: str = "Baclofen must be tapered.") -> Attempt:
    """Answer both questions (the mcq right) and submit."""
    attempt = attempts.start_attempt(quiz, user)
    positions = {e["position"]: e for e in attempt.layout}
    form = {}
    for position in positions:
        form[f"q{position}-opt"] = RIGHT
        form[f"q{position}-text"] = text
    attempts.save_answers(attempt, form, list(positions))
    return attempts.submit_attempt(attempt.id)[0]


def test_an_essay_waits_then_grading_rescores_and_sends_fully_graded_once(fake):  # noqa: F811
    ctx, user = fake.course
    attempt = submit(essay_quiz(ctx), user)
    assert (attempt.points, attempt.max_points) == (1.0, 6.0)
    [waiting] = service.waiting(ctx)
    assert (waiting.attempt.id, waiting.item["id"]) == (attempt.id, ESSAY["id"])
    [row] = rows()
    assert score(row)["gradingProgress"] == "PendingManual"
    assert score(row)["scoreGiven"] == round(100 / 6, 2)
    marking = service.load(ctx, waiting.grade.id)
    assert marking is not None and marking.text == "Baclofen must be tapered."
    # Out of range: nothing changes.
    top = {c["id"]: str(c["points"]) for c in ESSAY["rubric"]}
    bad = dict(top, **{ESSAY["rubric"][0]["id"]: str(ESSAY["rubric"][0]["points"] + 1)})
    assert service.grade(marking, bad, "", None, utcnow()) != {}
    assert service.waiting(ctx) != []
    # Full marks, graded twice before the worker runs: one waiting row holds the newest grade.
    assert service.grade(marking, {k: "0" for k in top}, "First look.", None, utcnow()) == {}
    marking = service.load(ctx, waiting.grade.id)
    assert service.grade(marking, top, "  Clear and safe.  ", None, utcnow()) == {}
    db.session.expire_all()
    graded = db.session.get(Attempt, attempt.id)
    assert (graded.points, graded.score) == (6.0, 1.0)
    assert service.waiting(ctx) == []
    [row] = rows()
    assert (score(row)["gradingProgress"], score(row)["scoreGiven"]) == ("FullyGraded", 100.0)
    sender.drain()
    assert [p["gradingProgress"] for _, p in fake.posts] == ["FullyGraded"]
    response = db.session.scalars(select(Response).where(Response.attempt_id == attempt.id,
                                                         Response.position == marking.grade.position)).one()
    assert [p["part_id"] for p in response.parts] == [c["id"] for c in ESSAY["rubric"]] + ["comment"]
    assert response.parts[-1]["rationale"] == "Clear and safe."
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent))]
    assert kinds == ["grade.essay", "grade.essay"]


def test_pending_manual_is_sent_then_fully_graded_after_grading(fake):  # noqa: F811
    ctx, user = fake.course
    submit(essay_quiz(ctx), user)
    sender.drain()
    [waiting] = service.waiting(ctx)
    top = {c["id"]: "1" for c in ESSAY["rubric"]}
    assert service.grade(service.load(ctx, waiting.grade.id), top, "", None, utcnow()) == {}
    sender.drain()
    progress = [(p["gradingProgress"], p["scoreGiven"]) for _, p in fake.posts]
    expected = 1 + len(ESSAY["rubric"])
    assert progress == [("PendingManual", round(100 / 6, 2)), ("FullyGraded", round(100 * expected / 6, 2))]
    assert fake.posts[1][1]["timestamp"] > fake.posts[0][1]["timestamp"]


def test_a_quiz_without_essays_records_nothing_and_another_course_sees_nothing(fake):  # noqa: F811
    ctx, user = fake.course
    submit(essay_quiz(ctx), user)
    [waiting] = service.waiting(ctx)
    assert service.waiting(ctx + 1000) == [] and service.load(ctx + 1000, waiting.grade.id) is None
    assert db.session.scalar(select(ManualGrade.context_id)) == ctx


@pytest.mark.parametrize("comment", ["x" * 5001])
def test_a_too_long_comment_is_refused(fake, comment):  # noqa: F811
    ctx, user = fake.course
    submit(essay_quiz(ctx), user)
    [waiting] = service.waiting(ctx)
    top = {c["id"]: "1" for c in ESSAY["rubric"]}
    errors = service.grade(service.load(ctx, waiting.grade.id), top, comment, None, utcnow())
    assert errors == {"comment": "Keep the comment under 5,000 characters."}
