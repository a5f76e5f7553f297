"""Pure override rules: a learner's effective quiz limits from quiz settings and accommodations.

Precedence, setting by setting (as Moodle's user and group overrides):
1. the learner's own override for this quiz;
2. the learner's own override for every quiz in the course;
3. overrides of the learner's groups for this quiz, the most generous of them;
4. overrides of the learner's groups for every quiz, the most generous of them;
5. the quiz's own settings.
A layer that leaves a setting empty passes it on to the next layer. "Most generous" means the
longest time (unlimited beats any number), the most extra attempts, the earliest open date and
the latest close date. A time rule changes a time limit only where the quiz has one.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MULTIPLIERS = (1.25, 1.5, 2.0, 3.0)
MAX_MULTIPLIER = 10.0
MAX_EXTRA_MINUTES = 1440
MAX_EXTRA_ATTEMPTS = 50
NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"


@dataclass(frozen=True)
class Base:
    """The quiz's own limits: minutes (None = no limit), attempts (0 = unlimited), dates."""

    time_limit_minutes: int | None
    attempts_allowed: int
    open_at: datetime | None = None
    close_at: datetime | None = None


@dataclass(frozen=True)
class Rule:
    """One override's settings; None (or False) leaves a setting to the next layer."""

    time_multiplier: float | None = None
    extra_minutes: int | None = None
    unlimited_time: bool = False
    extra_attempts: int | None = None
    open_at: datetime | None = None
    close_at: datetime | None = None

    @property
    def sets_time(self) -> bool:
        """Whether this rule says anything about time."""
        return self.unlimited_time or self.time_multiplier is not None \
            or self.extra_minutes is not None


@dataclass(frozen=True)
class Limits:
    """A learner's effective limits for one quiz and which of them an override changed."""

    time_limit_minutes: int | None
    attempts_allowed: int
    open_at: datetime | None
    close_at: datetime | None
    changed: tuple[str, ...] = ()

    def deadline(self, started: datetime) -> datetime | None:
        """When an attempt started then must end: the time limit, but never after the close date."""
        ends = None if self.time_limit_minutes is None \
            else started + timedelta(minutes=self.time_limit_minutes)
        if self.close_at is None:
            return ends
        return self.close_at if ends is None else min(ends, self.close_at)

    def window(self, now: datetime) -> str:
        """Whether a new attempt may start now: not open yet, open, or closed."""
        if self.open_at is not None and now < self.open_at:
            return NOT_OPEN
        if self.close_at is not None and now >= self.close_at:
            return CLOSED
        return OPEN


def rule_problems(rule: Rule) -> list[str]:
    """What is wrong with one override's settings, in words for the form."""
    problems = []
    time_rules = sum((rule.unlimited_time, rule.time_multiplier is not None,
                      rule.extra_minutes is not None))
    if time_rules > 1:
        problems.append("Choose one time rule: a multiplier, extra minutes or unlimited time.")
    if rule.time_multiplier is not None and not 1 < rule.time_multiplier <= MAX_MULTIPLIER:
        problems.append(f"A time multiplier must be more than 1 and at most {MAX_MULTIPLIER:g}.")
    if rule.extra_minutes is not None and not 1 <= rule.extra_minutes <= MAX_EXTRA_MINUTES:
        problems.append(f"Extra minutes must be from 1 to {MAX_EXTRA_MINUTES}.")
    if rule.extra_attempts is not None and not 1 <= rule.extra_attempts <= MAX_EXTRA_ATTEMPTS:
        problems.append(f"Extra attempts must be from 1 to {MAX_EXTRA_ATTEMPTS}.")
    if rule.open_at and rule.close_at and rule.open_at >= rule.close_at:
        problems.append("The close date must come after the open date.")
    if rule == Rule():
        problems.append("This override changes nothing: set at least one limit.")
    return problems


def timed(base_minutes: int | None, rule: Rule) -> int | None:
    """The time limit in minutes after a rule's time setting; None means no limit."""
    if base_minutes is None or rule.unlimited_time:
        return None
    if rule.time_multiplier is not None:
        return math.ceil(base_minutes * rule.time_multiplier)
    return base_minutes + (rule.extra_minutes or 0)


def _longest(times: Sequence[int | None]) -> int | None:
    """The most generous time limit: no limit beats any number of minutes."""
    return None if None in times else max(t for t in times if t is not None)


def generous(rules: Sequence[Rule], base_minutes: int | None) -> Rule:
    """Several groups' overrides as one rule: each setting at its most generous."""
    timing = [r for r in rules if r.sets_time]
    extra = [r.extra_attempts for r in rules if r.extra_attempts is not None]
    opens = [r.open_at for r in rules if r.open_at is not None]
    closes = [r.close_at for r in rules if r.close_at is not None]
    merged = Rule(extra_attempts=max(extra) if extra else None,
                  open_at=min(opens) if opens else None, close_at=max(closes) if closes else None)
    if not timing or base_minutes is None:
        return replace(merged, unlimited_time=any(r.unlimited_time for r in timing))
    longest = _longest([timed(base_minutes, r) for r in timing])
    if longest is None:
        return replace(merged, unlimited_time=True)
    return replace(merged, extra_minutes=longest - base_minutes)


def _first(layers: Sequence[Rule], pick: str) -> Rule | None:
    """The first layer that sets a setting (time counts as one setting)."""
    for layer in layers:
        if (layer.sets_time if pick == "time" else getattr(layer, pick) is not None):
            return layer
    return None


def resolve(base: Base, quiz_user: Rule | None = None, course_user: Rule | None = None,
            quiz_groups: Sequence[Rule] = (), course_groups: Sequence[Rule] = ()) -> Limits:
    """The effective limits, setting by setting, in the order the module docstring gives."""
    layers = [r for r in (quiz_user, course_user) if r is not None]
    layers += [generous(g, base.time_limit_minutes) for g in (quiz_groups, course_groups) if g]
    changed: list[str] = []
    minutes = base.time_limit_minutes
    time_rule = _first(layers, "time")
    if time_rule is not None and base.time_limit_minutes is not None:
        minutes = timed(base.time_limit_minutes, time_rule)
        changed.append("time")
    attempts = base.attempts_allowed
    extra = _first(layers, "extra_attempts")
    if extra is not None and attempts > 0:
        attempts += extra.extra_attempts or 0
        changed.append("attempts")
    dates = {}
    for name in ("open_at", "close_at"):
        found = _first(layers, name)
        dates[name] = getattr(found if found is not None else base, name)
        if found is not None:
            changed.append(name)
    return Limits(minutes, attempts, dates["open_at"], dates["close_at"], tuple(changed))
