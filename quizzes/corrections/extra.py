"""One more attempt for a learner: an accommodation override (quizzes.accommodations), not a copy."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from course.db import db
from quizzes.accommodations.models import QuizOverride, override_key
from quizzes.accommodations.queries import rule_of
from quizzes.accommodations.service import OverrideError, OverrideInput, save_override
from quizzes.corrections.service import CorrectionError
from quizzes.models import Quiz
from quizzes.overrides import Rule

NOTE = "Extra attempt given from the attempt's grade page."


def give_extra_attempt(quiz: Quiz, user_id: int, actor_id: int | None) -> int:
    """Add one attempt to the learner's own override for this quiz (audited there); the total."""
    row = db.session.scalars(select(QuizOverride).where(
        QuizOverride.context_id == quiz.context_id,
        QuizOverride.key == override_key(quiz.id, user_id, None))).first()
    rule = rule_of(row) if row is not None else Rule()
    rule = replace(rule, extra_attempts=(rule.extra_attempts or 0) + 1)
    data = OverrideInput(quiz.id, user_id, None, rule, row.note if row is not None and row.note
                         else NOTE)
    try:
        saved = save_override(quiz.context_id, actor_id, data, row)  # audited, committed
    except OverrideError as exc:
        raise CorrectionError(exc.message) from exc
    return saved.extra_attempts or 0
