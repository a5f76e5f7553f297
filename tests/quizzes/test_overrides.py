"""Table tests of the pure override rules: precedence, the most generous group, deadlines, windows."""
from datetime import UTC, datetime, timedelta

import pytest

from quizzes.overrides import (
    CLOSED,
    NOT_OPEN,
    OPEN,
    Base,
    Limits,
    Rule,
    generous,
    resolve,
    rule_problems,
    timed,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HALF = timedelta(hours=12)
BASE = Base(time_limit_minutes=30, attempts_allowed=2)


@pytest.mark.parametrize(("minutes", "rule", "expected"), [
    (30, Rule(), 30),
    (30, Rule(time_multiplier=1.5), 45),
    (30, Rule(time_multiplier=2.0), 60),
    (25, Rule(time_multiplier=1.5), 38),  # 37.5 rounds up: never less time than granted
    (30, Rule(extra_minutes=15), 45),
    (30, Rule(unlimited_time=True), None),
    (None, Rule(time_multiplier=2.0), None),  # no limit stays no limit
    (None, Rule(extra_minutes=10), None),
])
def test_timed(minutes: int | None, rule: Rule, expected: int | None) -> None:
    assert timed(minutes, rule) == expected


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, Limits(30, 2, None, None, ())),
    ({"quiz_user": Rule(time_multiplier=2.0)}, Limits(60, 2, None, None, ("time",))),
    ({"course_user": Rule(extra_attempts=1)}, Limits(30, 3, None, None, ("attempts",))),
    # The learner's own quiz override wins over their course-wide one, setting by setting.
    ({"quiz_user": Rule(extra_minutes=5), "course_user": Rule(time_multiplier=2.0, extra_attempts=2)},
     Limits(35, 4, None, None, ("time", "attempts"))),
    # The learner's own override wins over any group's, even a more generous group.
    ({"course_user": Rule(time_multiplier=1.5), "quiz_groups": [Rule(unlimited_time=True)]},
     Limits(45, 2, None, None, ("time",))),
    # A group's quiz override wins over a group's course-wide override.
    ({"quiz_groups": [Rule(extra_minutes=10)], "course_groups": [Rule(extra_minutes=60)]},
     Limits(40, 2, None, None, ("time",))),
    # Settings a layer leaves empty come from the next one.
    ({"quiz_user": Rule(extra_attempts=1), "course_groups": [Rule(time_multiplier=2.0)]},
     Limits(60, 3, None, None, ("time", "attempts"))),
    ({"course_groups": [Rule(extra_attempts=1), Rule(extra_attempts=3)]},
     Limits(30, 5, None, None, ("attempts",))),
    ({"quiz_groups": [Rule(time_multiplier=1.5), Rule(extra_minutes=20)]},
     Limits(50, 2, None, None, ("time",))),
    ({"quiz_groups": [Rule(time_multiplier=2.0), Rule(unlimited_time=True)]},
     Limits(None, 2, None, None, ("time",))),
    ({"quiz_user": Rule(close_at=T0 + DAY), "course_user": Rule(open_at=T0)},
     Limits(30, 2, T0, T0 + DAY, ("open_at", "close_at"))),
    ({"quiz_groups": [Rule(open_at=T0, close_at=T0 + DAY), Rule(open_at=T0 - DAY, close_at=T0)]},
     Limits(30, 2, T0 - DAY, T0 + DAY, ("open_at", "close_at"))),
])
def test_resolve_precedence(kwargs: dict, expected: Limits) -> None:
    assert resolve(BASE, **kwargs) == expected


def test_unlimited_quiz_settings_stay_unlimited() -> None:
    base = Base(time_limit_minutes=None, attempts_allowed=0)
    limits = resolve(base, quiz_user=Rule(time_multiplier=2.0, extra_attempts=2))
    assert limits == Limits(None, 0, None, None, ())


def test_quiz_dates_are_kept_unless_overridden() -> None:
    base = Base(30, 1, open_at=T0, close_at=T0 + DAY)
    assert resolve(base).open_at == T0 and resolve(base).close_at == T0 + DAY
    later = resolve(base, course_user=Rule(close_at=T0 + 3 * DAY))
    assert (later.open_at, later.close_at, later.changed) == (T0, T0 + 3 * DAY, ("close_at",))


@pytest.mark.parametrize(("rules", "minutes", "expected"), [
    ([Rule(time_multiplier=1.5), Rule(extra_minutes=20)], 30, Rule(extra_minutes=20)),
    ([Rule(time_multiplier=2.0), Rule(extra_minutes=20)], 30, Rule(extra_minutes=30)),
    ([Rule(unlimited_time=True), Rule(extra_minutes=20)], 30, Rule(unlimited_time=True)),
    ([Rule(unlimited_time=True)], None, Rule(unlimited_time=True)),
    ([Rule(time_multiplier=2.0)], None, Rule()),
    ([Rule(extra_attempts=2), Rule(extra_attempts=1), Rule()], 30, Rule(extra_attempts=2)),
    ([Rule(close_at=T0), Rule(close_at=T0 + DAY)], 30, Rule(close_at=T0 + DAY)),
    ([Rule(open_at=T0), Rule(open_at=T0 - DAY)], 30, Rule(open_at=T0 - DAY)),
])
def test_most_generous_group(rules: list[Rule], minutes: int | None, expected: Rule) -> None:
    assert generous(rules, minutes) == expected


@pytest.mark.parametrize(("limits", "started", "expected"), [
    (Limits(30, 1, None, None), T0, T0 + timedelta(minutes=30)),
    (Limits(None, 1, None, None), T0, None),
    (Limits(None, 1, None, T0 + DAY), T0, T0 + DAY),
    (Limits(30, 1, None, T0 + timedelta(minutes=10)), T0, T0 + timedelta(minutes=10)),
    (Limits(30, 1, None, T0 + DAY), T0, T0 + timedelta(minutes=30)),
    (Limits(30, 1, None, T0 + timedelta(minutes=30)), T0, T0 + timedelta(minutes=30)),
])
def test_deadline_is_capped_by_the_close_date(limits: Limits, started: datetime,
                                              expected: datetime | None) -> None:
    assert limits.deadline(started) == expected


@pytest.mark.parametrize(("open_at", "close_at", "now", "expected"), [
    (None, None, T0, OPEN),
    (T0, None, T0 - timedelta(seconds=1), NOT_OPEN),
    (T0, None, T0, OPEN),
    (None, T0, T0 - timedelta(seconds=1), OPEN),
    (None, T0, T0, CLOSED),
    (T0, T0 + DAY, T0 + DAY + DAY, CLOSED),
])
def test_window(open_at: datetime | None, close_at: datetime | None, now: datetime,
                expected: str) -> None:
    assert Limits(30, 1, open_at, close_at).window(now) == expected


@pytest.mark.parametrize(("rule", "message"), [
    (Rule(), "changes nothing"),
    (Rule(time_multiplier=1.5, extra_minutes=10), "Choose one time rule"),
    (Rule(unlimited_time=True, extra_minutes=10), "Choose one time rule"),
    (Rule(unlimited_time=True, time_multiplier=2.0), "Choose one time rule"),
    (Rule(time_multiplier=1.0), "more than 1 and at most 10"),
    (Rule(time_multiplier=10.5), "more than 1 and at most 10"),
    (Rule(extra_minutes=0), "Extra minutes must be from 1 to 1440"),
    (Rule(extra_minutes=1441), "Extra minutes must be from 1 to 1440"),
    (Rule(extra_attempts=0), "Extra attempts must be from 1 to 50"),
    (Rule(extra_attempts=51), "Extra attempts must be from 1 to 50"),
    (Rule(open_at=T0, close_at=T0), "close date must come after"),
    (Rule(open_at=T0 + DAY, close_at=T0), "close date must come after"),
])
def test_rule_problems(rule: Rule, message: str) -> None:
    problems = rule_problems(rule)
    assert len(problems) == 1 and message in problems[0], problems


@pytest.mark.parametrize("rule", [
    Rule(time_multiplier=10.0), Rule(time_multiplier=1.01), Rule(extra_minutes=1),
    Rule(extra_minutes=1440), Rule(extra_attempts=1), Rule(extra_attempts=50),
    Rule(unlimited_time=True), Rule(open_at=T0), Rule(close_at=T0),
    Rule(open_at=T0, close_at=T0 + timedelta(seconds=1)),
])
def test_good_rules_have_no_problems(rule: Rule) -> None:
    assert rule_problems(rule) == []


@pytest.mark.parametrize(("rule", "message"), [
    (Rule(), "This override changes nothing: set at least one limit."),
    (Rule(extra_minutes=5, unlimited_time=True),
     "Choose one time rule: a multiplier, extra minutes or unlimited time."),
    (Rule(open_at=T0, close_at=T0), "The close date must come after the open date."),
])
def test_rule_problem_wording(rule: Rule, message: str) -> None:
    assert rule_problems(rule) == [message]


def test_one_attempt_quiz_gets_its_extra_attempts() -> None:
    limits = resolve(Base(20, 1), course_user=Rule(extra_attempts=2))
    assert (limits.attempts_allowed, limits.changed) == (3, ("attempts",))


def test_sets_time() -> None:
    assert not Rule(extra_attempts=1).sets_time
    assert Rule(extra_minutes=0).sets_time
    assert Rule(time_multiplier=2.0).sets_time
    assert Rule(unlimited_time=True).sets_time


DATED = Base(30, 1, open_at=T0, close_at=T0 + DAY)  # a quiz with its own window


@pytest.mark.parametrize(("kwargs", "dates", "changed"), [
    ({}, (T0, T0 + DAY), ()),
    # An own override moves one date and keeps the quiz's other one.
    ({"quiz_user": Rule(close_at=T0 + 3 * DAY)}, (T0, T0 + 3 * DAY), ("close_at",)),
    ({"course_user": Rule(open_at=T0 - DAY)}, (T0 - DAY, T0 + DAY), ("open_at",)),
    # The learner's own override wins even when it is stricter than the quiz.
    ({"quiz_user": Rule(close_at=T0 + HALF)}, (T0, T0 + HALF), ("close_at",)),
    ({"quiz_user": Rule(close_at=T0 + 2 * DAY), "course_user": Rule(close_at=T0 + 5 * DAY)},
     (T0, T0 + 2 * DAY), ("close_at",)),
    # Groups: the most generous of them replaces the quiz's date.
    ({"quiz_groups": [Rule(close_at=T0 + 2 * DAY), Rule(close_at=T0 + 4 * DAY)]},
     (T0, T0 + 4 * DAY), ("close_at",)),
    ({"course_groups": [Rule(open_at=T0 + HALF)]}, (T0 + HALF, T0 + DAY), ("open_at",)),
    # An own date beats a group's; the layers fill the dates one by one.
    ({"course_user": Rule(open_at=T0 - DAY), "quiz_groups": [Rule(open_at=T0 - 3 * DAY,
                                                                  close_at=T0 + 2 * DAY)]},
     (T0 - DAY, T0 + 2 * DAY), ("open_at", "close_at")),
    # A rule about something else leaves the quiz's dates alone.
    ({"quiz_user": Rule(extra_minutes=15)}, (T0, T0 + DAY), ("time",)),
])
def test_quiz_dates_with_overrides(kwargs: dict, dates: tuple, changed: tuple) -> None:
    limits = resolve(DATED, **kwargs)
    assert ((limits.open_at, limits.close_at), limits.changed) == (dates, changed)


@pytest.mark.parametrize(("kwargs", "now", "window", "deadline"), [
    ({}, T0 - timedelta(seconds=1), NOT_OPEN, None),
    ({}, T0, OPEN, T0 + timedelta(minutes=30)),
    ({}, T0 + DAY - timedelta(minutes=10), OPEN, T0 + DAY),  # the close date cuts the timer
    ({}, T0 + DAY, CLOSED, None),
    ({"quiz_user": Rule(close_at=T0 + 2 * DAY)}, T0 + DAY, OPEN, T0 + DAY + timedelta(minutes=30)),
    ({"quiz_user": Rule(open_at=T0 - DAY)}, T0 - HALF, OPEN, T0 - HALF + timedelta(minutes=30)),
    ({"quiz_user": Rule(unlimited_time=True)}, T0, OPEN, T0 + DAY),  # unlimited ends at close
])
def test_quiz_window_and_deadline_with_overrides(kwargs: dict, now: datetime, window: str,
                                                 deadline: datetime | None) -> None:
    limits = resolve(DATED, **kwargs)
    assert limits.window(now) == window
    if window == OPEN:
        assert limits.deadline(now) == deadline
