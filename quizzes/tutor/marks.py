"""Flags and tutor-mode checks on an open attempt: the service owns these writes and commits."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from course.db import db, utcnow
from course.numbers import whole_number
from quizzes.models import IN_PROGRESS, TUTOR, Attempt, Quiz
from quizzes.taking.pages import review_view
from quizzes.tutor.models import AttemptMark
from quizzes.types import REGISTRY

FLAG_FIELD = "flag-"  # a ticked "Flag for review" box posts flag-<position>
SHOWN_FIELD = "flag_positions"  # the positions whose flag box the page showed


class MarkError(ValueError):
    """A flag or check that cannot be applied; the message is shown to the learner."""


def marks_for(attempt_id: int) -> dict[int, AttemptMark]:
    """Position -> mark of an attempt."""
    return {m.position: m for m in db.session.scalars(
        select(AttemptMark).where(AttemptMark.attempt_id == attempt_id))}


def flagged(attempt_id: int) -> list[int]:
    """The positions the learner flagged, in order."""
    return sorted(p for p, m in marks_for(attempt_id).items() if m.flagged)


def checked(attempt_id: int) -> set[int]:
    """The positions checked in tutor mode (their answers are locked)."""
    return {p for p, m in marks_for(attempt_id).items() if m.checked_at is not None}


def shown_flags(form: Mapping[str, Any], valid: Iterable[int]) -> dict[int, bool]:
    """Position -> ticked, for each flag box the posted page showed (pure)."""
    getlist = getattr(form, "getlist", None)
    raw = getlist(SHOWN_FIELD) if getlist else [form.get(SHOWN_FIELD)]
    allowed = set(valid)
    shown = {n for v in raw if (n := whole_number(v)) is not None and n in allowed}
    return {p: bool(form.get(f"{FLAG_FIELD}{p}")) for p in sorted(shown)}


def _mark(attempt: Attempt, position: int, found: dict[int, AttemptMark]) -> AttemptMark:
    """The mark row of a position, added to the session when new."""
    mark = found.get(position)
    if mark is None:
        mark = AttemptMark(attempt_id=attempt.id, position=position, flagged=False)
        db.session.add(mark)
        found[position] = mark
    return mark


def save_flags(attempt: Attempt, wanted: Mapping[int, bool]) -> bool:
    """Store the posted flags of an open attempt; writes only what changed. Returns whether it did."""
    if attempt.state != IN_PROGRESS or not wanted:
        return False
    found = marks_for(attempt.id)
    changes = [p for p, on in wanted.items() if (found[p].flagged if p in found else False) != on]
    for position in changes:
        _mark(attempt, position, found).flagged = wanted[position]
    if changes:
        db.session.commit()
    return bool(changes)


def check(attempt: Attempt, quiz: Quiz, position: int) -> None:
    """Lock a saved answer in tutor mode so its feedback can be shown (once; repeats are no-ops)."""
    if quiz.mode != TUTOR:
        raise MarkError("This quiz is in exam mode: answers are checked when you submit.")
    if attempt.state != IN_PROGRESS:
        raise MarkError("This attempt has already been submitted.")
    if position not in {e["position"] for e in attempt.layout}:
        raise MarkError(f"Question {position} is not part of this attempt.")
    mark = _mark(attempt, position, marks_for(attempt.id))
    if mark.checked_at is None:
        mark.checked_at = utcnow()
        db.session.commit()


def feedback(item: Mapping[str, Any], position: int, response: Mapping[str, Any] | None) -> dict[str, Any]:
    """Tutor feedback for one answer: the score and every option's rationale (pure)."""
    result = REGISTRY[item["type"]].score(item, response or {})
    return review_view(item, position, [asdict(p) for p in result.parts], result.points, result.max_points,
                       True, True, every_option=True)
