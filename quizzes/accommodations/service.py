"""Accommodation writes: add, change and remove overrides and learner groups, each one audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from course.audit import record
from course.db import db, utcnow
from course.models import Membership, User
from course.roles import LEARNER
from quizzes.accommodations.models import (
    LearnerGroup,
    LearnerGroupMember,
    QuizOverride,
    override_key,
)
from quizzes.accommodations.queries import find_group, limits_for
from quizzes.models import IN_PROGRESS, Attempt, Quiz, aware
from quizzes.overrides import Rule, rule_problems

RULE_FIELDS = ("time_multiplier", "extra_minutes", "unlimited_time", "extra_attempts",
               "open_at", "close_at")


class OverrideError(Exception):
    """An override or group cannot be saved; ``message`` is shown next to the form."""

    def __init__(self, message: str) -> None:
        """Keep the message for the page."""
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OverrideInput:
    """What a form or a CSV line asks for: scope (quiz or every quiz), subject and rule."""

    quiz_id: int | None
    user_id: int | None
    group_id: int | None
    rule: Rule
    note: str = ""


def _when(value: datetime | None) -> str | None:
    """A date for the audit trail's JSON."""
    found = aware(value)
    return found.isoformat() if found else None


def snapshot(row: QuizOverride) -> dict[str, Any]:
    """An override as plain values for the audit trail (names, not only ids)."""
    quiz = db.session.get(Quiz, row.quiz_id) if row.quiz_id else None
    user = db.session.get(User, row.user_id) if row.user_id else None
    return {"quiz": quiz.slug if quiz else "*", "learner": user.sub if user else None,
            "group": row.group.name if row.group else None,
            "time_multiplier": row.time_multiplier, "extra_minutes": row.extra_minutes,
            "unlimited_time": bool(row.unlimited_time), "extra_attempts": row.extra_attempts,
            "open_at": _when(row.open_at), "close_at": _when(row.close_at), "note": row.note}


def describe(row: QuizOverride) -> str:
    """Whom and what an override covers, for the trail's target column."""
    quiz = db.session.get(Quiz, row.quiz_id) if row.quiz_id else None
    user = db.session.get(User, row.user_id) if row.user_id else None
    who = f"learner {user.name or user.sub}" if user else f"group {row.group.name if row.group else '?'}"
    return f"{who}, {('quiz ' + quiz.title) if quiz else 'every quiz'}"


def _check_subject(context_id: int, data: OverrideInput) -> None:
    """The quiz, learner and group must all belong to this course."""
    if (data.user_id is None) == (data.group_id is None):
        raise OverrideError("Choose one learner or one group.")
    if data.quiz_id is not None and db.session.scalar(select(Quiz.id).where(
            Quiz.id == data.quiz_id, Quiz.context_id == context_id)) is None:
        raise OverrideError("That quiz is not in this course.")
    if data.user_id is not None and db.session.scalar(select(Membership.id).where(
            Membership.user_id == data.user_id, Membership.context_id == context_id,
            Membership.role == LEARNER)) is None:
        raise OverrideError("That person is not a learner in this course.")
    if data.group_id is not None and find_group(context_id, data.group_id) is None:
        raise OverrideError("That group is not in this course.")
    problems = rule_problems(data.rule)
    if problems:
        raise OverrideError(" ".join(problems))


def _affected_users(row: QuizOverride) -> list[int]:
    """Learners an override reaches."""
    if row.user_id is not None:
        return [row.user_id]
    return list(db.session.scalars(select(LearnerGroupMember.user_id).where(
        LearnerGroupMember.group_id == row.group_id)))


def refresh_deadlines(context_id: int, user_ids: list[int], quiz_id: int | None) -> int:
    """Recompute open attempts' deadlines after a change, so the timer and the worker follow it."""
    if not user_ids:
        return 0
    query = select(Attempt).where(Attempt.context_id == context_id, Attempt.state == IN_PROGRESS,
                                  Attempt.user_id.in_(user_ids))
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    db.session.flush()
    changed = 0
    for attempt in db.session.scalars(query):
        started = aware(attempt.started_at) or attempt.started_at
        deadline = limits_for(attempt.quiz, attempt.user_id).deadline(started)
        if aware(attempt.deadline_at) != deadline:
            attempt.deadline_at, changed = deadline, changed + 1
    return changed


def apply_override(context_id: int, actor_id: int | None, data: OverrideInput,
                   row: QuizOverride | None = None, replace: bool = False,
                   now: datetime | None = None) -> tuple[QuizOverride, str]:
    """Add or change one override and audit it, without committing (the caller commits).

    Returns the row and what happened: "added", "changed" or "unchanged".
    """
    _check_subject(context_id, data)
    key = override_key(data.quiz_id, data.user_id, data.group_id)
    clash = db.session.scalars(select(QuizOverride).where(
        QuizOverride.context_id == context_id, QuizOverride.key == key)).first()
    if clash is not None and clash is not row:
        if not replace:
            raise OverrideError("There is already an override for this learner or group and "
                                "quiz: change that one instead.")
        row = clash
    before = snapshot(row) if row is not None else None
    if row is None:
        row = QuizOverride(context_id=context_id)
        db.session.add(row)
    old_users = _affected_users(row) if before else []
    old_quiz = row.quiz_id
    row.key, row.quiz_id, row.user_id, row.group_id = key, data.quiz_id, data.user_id, data.group_id
    for name in RULE_FIELDS:
        setattr(row, name, getattr(data.rule, name))
    row.note, row.updated_by, row.updated_at = data.note[:255], actor_id, now or utcnow()
    db.session.flush()
    db.session.refresh(row, ["group"])
    after = snapshot(row)
    if after != before:
        record(context_id, actor_id, "override.change" if before else "override.add",
                     describe(row), before, after, now)
    refresh_deadlines(context_id, sorted(set(old_users) | set(_affected_users(row))),
                      None if old_quiz != row.quiz_id else row.quiz_id)
    return row, "added" if before is None else "changed" if after != before else "unchanged"


def save_override(context_id: int, actor_id: int | None, data: OverrideInput,
                  row: QuizOverride | None = None) -> QuizOverride:
    """Add or change one override, audited, and commit."""
    try:
        saved, _ = apply_override(context_id, actor_id, data, row)
    except OverrideError:
        db.session.rollback()
        raise
    db.session.commit()
    return saved


def delete_override(context_id: int, actor_id: int | None, row: QuizOverride) -> None:
    """Remove an override, audited, and give open attempts back their usual deadline."""
    users, quiz_id = _affected_users(row), row.quiz_id
    record(context_id, actor_id, "override.remove", describe(row), snapshot(row), None)
    db.session.delete(row)
    refresh_deadlines(context_id, users, quiz_id)
    db.session.commit()


def _learner_ids(context_id: int, user_ids: list[int]) -> list[int]:
    """The given ids that are learners of this course (others are dropped silently)."""
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.context_id == context_id, Membership.role == LEARNER,
        Membership.user_id.in_(user_ids)).order_by(Membership.user_id)))


def group_snapshot(group: LearnerGroup) -> dict[str, Any]:
    """A group as plain values for the trail."""
    subs = db.session.scalars(select(User.sub).join(
        LearnerGroupMember, LearnerGroupMember.user_id == User.id).where(
        LearnerGroupMember.group_id == group.id).order_by(User.sub))
    return {"name": group.name, "members": list(subs)}


def replace_members(context_id: int, actor_id: int | None, group: LearnerGroup,
                    user_ids: set[int], before: dict[str, Any] | None,
                    target: str) -> tuple[dict[str, Any], set[int]]:
    """Set a group's members to exactly these, flush, audit; returns its snapshot and who moved."""
    old = {m.user_id for m in group.members}
    group.members = [m for m in group.members if m.user_id in user_ids]
    group.members += [LearnerGroupMember(user_id=u) for u in sorted(user_ids - old)]
    db.session.flush()
    after = group_snapshot(group)
    if after != before:
        record(context_id, actor_id, "group.change" if before else "group.add", target, before,
               after)
    return after, old ^ user_ids


def save_group(context_id: int, actor_id: int | None, name: str, user_ids: list[int],
               group: LearnerGroup | None = None) -> LearnerGroup:
    """Create or change a learner group (name and members), audited; its overrides follow."""
    name = " ".join(name.split())[:100]
    if not name:
        raise OverrideError("Give the group a name.")
    taken = db.session.scalars(select(LearnerGroup).where(
        LearnerGroup.context_id == context_id, LearnerGroup.name == name)).first()
    if taken is not None and taken is not group:
        raise OverrideError(f"There is already a group called {name!r}.")
    before = group_snapshot(group) if group is not None else None
    if group is None:
        group = LearnerGroup(context_id=context_id, name=name)
        db.session.add(group)
    wanted = set(_learner_ids(context_id, user_ids))
    group.name = name
    _, moved = replace_members(context_id, actor_id, group, wanted, before, f"group {name}")
    refresh_deadlines(context_id, sorted(moved), None)
    db.session.commit()
    return group


def delete_group(context_id: int, actor_id: int | None, group: LearnerGroup) -> None:
    """Remove a group and its overrides, audited."""
    users = [m.user_id for m in group.members]
    for row in db.session.scalars(select(QuizOverride).where(QuizOverride.group_id == group.id)):
        record(context_id, actor_id, "override.remove", describe(row), snapshot(row), None)
        db.session.delete(row)
    record(context_id, actor_id, "group.remove", f"group {group.name}",
                 group_snapshot(group), None)
    db.session.delete(group)
    refresh_deadlines(context_id, users, None)
    db.session.commit()

