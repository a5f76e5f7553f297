"""Shared set-up for the grade-correction tests: a one-question quiz and answers to it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.models import Attempt, Quiz
from quizzes.taking import attempts
from tests.quizzes.instructor_helpers import sample_item


def mcq() -> dict[str, Any]:
    """A shipped single-answer item: one right option, others wrong."""
    return sample_item("mcq")


def right_and_wrong(item: dict[str, Any]) -> tuple[str, str]:
    """The keyed option id and a wrong one."""
    right = next(o["id"] for o in item["options"] if o.get("correct"))
    wrong = next(o["id"] for o in item["options"] if not o.get("correct"))
    return right, wrong


def one_question_quiz(cid: int, item: dict[str, Any], **settings: Any) -> tuple[Quiz, int]:
    """A course quiz holding one course question; returns the quiz and the question id."""
    qid = create_question(cid, None, item).id
    options = {"title": "Corrections quiz", "attempts_allowed": 0, **settings}
    quiz = builder.create_quiz(cid, None, builder.Settings(**options))
    builder.add_fixed(quiz, qid)
    return quiz, qid


def answer(quiz: Quiz, user_id: int, option: str, now: datetime | None = None) -> Attempt:
    """Start, answer question 1 with one option, submit; returns the submitted attempt."""
    attempt = attempts.start_attempt(quiz, user_id, now)
    attempts.save_answers(attempt, {"q1-opt": option}, [1], now)
    return attempts.submit_attempt(attempt.id, now)[0]
