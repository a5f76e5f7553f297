"""Pure correction rules and the outbox's fresh timestamps, table-tested."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizzes.corrections import rules
from quizzes.scores.grade import fresh_timestamp

T = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=UTC)


@pytest.mark.parametrize(("now", "previous", "expected"), [
    (T, None, T),
    (T, "", T),
    (T, "not a time", T),
    (T, "2026-03-01T09:30:14.999Z", T),  # an earlier second: the change time stands
    (T, "2026-03-01T09:30:15.100Z", T.replace(microsecond=0) + timedelta(seconds=1)),  # same second
    (T, "2026-03-01T09:30:15.900Z", T.replace(microsecond=0) + timedelta(seconds=1)),
    (T, "2026-03-01T09:30:20.000Z", datetime(2026, 3, 1, 9, 30, 21, tzinfo=UTC)),  # ahead
    (T, "2026-03-01T09:30:15.250+00:00", T.replace(microsecond=0) + timedelta(seconds=1)),
])
def test_fresh_timestamp_beats_the_previous_whole_second(now, previous, expected):
    assert fresh_timestamp(now, previous) == expected


@pytest.mark.parametrize(("marks", "percent", "expected"), [
    ([], None, (0.0, 0.0, 0.0)),
    ([(1.0, 1.0), (0.0, 2.0)], None, (1.0, 3.0, 1 / 3)),
    ([(1.0, 1.0), (0.5, 2.0)], 80.0, (1.5, 3.0, 0.8)),
    ([(2.0, 2.0)], 0.0, (2.0, 2.0, 0.0)),
    ([(0.0, 4.0)], 100.0, (0.0, 4.0, 1.0)),
])
def test_totals_sum_marks_and_a_person_s_percent_replaces_the_score(marks, percent, expected):
    found = rules.totals(marks, percent)
    assert (found.points, found.max_points) == expected[:2]
    assert found.score == pytest.approx(expected[2])


@pytest.mark.parametrize(("value", "most", "ok"), [
    (0.0, 1.0, True), (1.0, 1.0, True), (0.5, 1.0, True), (1.0001, 1.0, False),
    (-0.0001, 1.0, False), (None, 1.0, False), (float("inf"), 1.0, False),
    (float("nan"), 1.0, False), (0.0, 0.0, True), (0.1, 0.0, False),
])
def test_points_must_lie_within_the_question(value, most, ok):
    assert (rules.points_problem(value, most) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [
    (0.0, True), (100.0, True), (55.5, True), (100.01, False), (-1.0, False), (None, False),
    (float("nan"), False), (float("-inf"), False),
])
def test_percent_must_lie_from_0_to_100(value, ok):
    assert (rules.percent_problem(value) is None) is ok


@pytest.mark.parametrize(("text", "comment", "ok"), [
    ("  Fine.  ", "Fine.", True), ("", "", False), ("   \n ", "", False), (None, "", False),
    ("x" * 2000, "x" * 2000, True), ("x" * 2001, "x" * 2001, False),
])
def test_a_comment_is_required_and_bounded(text, comment, ok):
    found, problem = rules.clean_comment(text)
    assert found == comment and (problem is None) is ok


@pytest.mark.parametrize(("parts", "waits"), [
    (None, False), ([], False), ([{"part_id": "a"}], False), ([{"part_id": "pending"}], True),
    ([{"part_id": "a"}, {"part_id": "pending"}], True), (["pending"], False),
])
def test_an_answer_waits_for_a_person_while_it_has_the_pending_part(parts, waits):
    assert rules.waits_for_person(parts) is waits


@pytest.mark.parametrize(("manual", "reopened", "expected"), [
    (False, False, "FullyGraded"), (False, True, "Pending"), (True, False, "PendingManual"),
    (True, True, "PendingManual"),
])
def test_grading_progress(manual, reopened, expected):
    assert rules.grading_progress(manual, reopened) == expected


@pytest.mark.parametrize(("before", "after", "changed"), [
    (0.5, 0.5, False), (0.5, 0.5 + 1e-12, False), (0.5, 0.6, True), (None, 0.0, True),
    (0.0, None, True), (None, None, False),
])
def test_changed_ignores_rounding_noise(before, after, changed):
    assert rules.changed(before, after) is changed
