"""Pure SM-2 scheduling: quality grades, ease and interval updates, due order, session choice."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import review_schedule as rs
from quizzes.review_schedule import Candidate, Entry, Schedule

RC, AC, TA = "recognize_cues", "analyze_cues", "take_action"


# --- grades -------------------------------------------------------------------------------------

@pytest.mark.parametrize("points, max_points, answered, grade", [
    (1, 1, True, 5), (2, 2, True, 5), (3, 2, True, 5),
    (0.8, 1, True, 4), (0.99, 1, True, 4), (4, 5, True, 4),
    (0.5, 1, True, 3), (0.79, 1, True, 3), (1, 2, True, 3),
    (0.49, 1, True, 2), (0.01, 1, True, 2),
    (0, 1, True, 1), (0, 0, True, 1), (1, 0, True, 1), (-1, 1, True, 1),
    (1, 1, False, 0), (0, 1, False, 0),
])
def test_quality_maps_the_share_of_points_to_an_sm2_grade(points, max_points, answered, grade):
    assert rs.quality(points, max_points, answered) == grade


def test_quality_counts_an_answer_as_given_by_default():
    assert rs.quality(1, 1) == 5 and rs.quality(0, 1) == 1


@pytest.mark.parametrize("grade, change", [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)])
def test_ease_change_is_sm2_formula_in_hundredths(grade, change):
    assert rs.ease_change(grade) == change


# --- one answer ---------------------------------------------------------------------------------

@pytest.mark.parametrize("before, grade, after", [
    # First answers: right gives 1 day, wrong is due the same day.
    (Schedule(), 5, Schedule(260, 1, 1, 0, 101)),
    (Schedule(), 4, Schedule(250, 1, 1, 0, 101)),
    (Schedule(), 3, Schedule(236, 1, 1, 0, 101)),
    (Schedule(), 2, Schedule(218, 0, 0, 1, 100)),
    (Schedule(), 0, Schedule(170, 0, 0, 1, 100)),
    # Second right answer: 6 days; third: interval x ease before the update (6 x 2.6 = 15.6 -> 16).
    (Schedule(260, 1, 1, 0, 101), 5, Schedule(270, 6, 2, 0, 106)),
    (Schedule(260, 6, 2, 0, 106), 5, Schedule(270, 16, 3, 0, 116)),
    (Schedule(250, 6, 2, 0, 106), 4, Schedule(250, 15, 3, 0, 115)),  # 6 x 2.5 = 15 exactly
    (Schedule(250, 15, 3, 0, 115), 4, Schedule(250, 38, 4, 0, 138)),  # 37.5 rounds half up
    (Schedule(130, 10, 3, 2, 110), 3, Schedule(130, 13, 4, 2, 113)),  # ease at its floor
    (Schedule(207, 7, 2, 0, 107), 4, Schedule(207, 14, 3, 0, 114)),  # 14.49 rounds down
    # A wrong answer after a run: starts again, due the same day, one more lapse.
    (Schedule(270, 16, 3, 0, 116), 1, Schedule(216, 0, 0, 1, 100)),
    (Schedule(140, 40, 5, 3, 140), 0, Schedule(130, 0, 0, 4, 100)),  # floor 1.3
    # Right after a lapse: 1 day again.
    (Schedule(216, 0, 0, 1, 100), 5, Schedule(226, 1, 1, 1, 101)),
])
def test_answer_updates_ease_interval_and_due_day(before, grade, after):
    assert rs.answer(before, grade, 100) == after


def test_the_interval_uses_the_ease_before_this_answer():
    # 10 x 2.0 = 20; with the new ease (1.86) it would be 19.
    assert rs.answer(Schedule(200, 10, 2, 0, 0), 3, 0).interval == 20


def test_grade_three_is_right_and_two_is_wrong():
    assert rs.answer(Schedule(), 3, 0).reps == 1
    assert rs.answer(Schedule(), 2, 0).reps == 0


@pytest.mark.parametrize("when, day", [
    (datetime(1970, 1, 1, tzinfo=UTC), 0),
    (datetime(1970, 1, 2, 0, 0, tzinfo=UTC), 1),
    (datetime(2026, 3, 4, 23, 59), 20516),  # naive is UTC
    (datetime(2026, 3, 5, 1, 0), 20517),  # naive is UTC, not local time
    (datetime(2026, 3, 5, 1, 0, tzinfo=timezone(timedelta(hours=3))), 20516),  # 22:00 UTC the day before
])
def test_day_number_counts_utc_days(when, day, monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local date would differ
    time.tzset()
    try:
        assert rs.day_number(when) == day
    finally:
        monkeypatch.undo()
        time.tzset()


# --- properties ---------------------------------------------------------------------------------

grades = st.lists(st.integers(0, 5), min_size=1, max_size=40)


@settings(max_examples=300)
@given(grades, st.integers(0, 30000))
def test_interval_never_shrinks_after_a_right_answer_nor_grows_after_a_wrong_one(seq, today):
    state = Schedule()
    for grade in seq:
        after = rs.answer(state, grade, today)
        if grade >= rs.PASS:
            assert after.interval >= max(state.interval, 1)
            assert after.interval > state.interval or state.interval == 0 or state.reps == 0
        else:
            assert after.interval <= state.interval and after.interval == 0
            assert after.due_day == today and after.lapses == state.lapses + 1
        assert rs.MIN_EASE <= after.ease <= rs.START_EASE + 10 * len(seq)
        assert after.due_day == today + after.interval
        state, today = after, after.due_day


@settings(max_examples=200)
@given(st.integers(1, 12))
def test_right_answers_space_out_more_each_time(n):
    state, gaps = Schedule(), []
    for _ in range(n):
        state = rs.answer(state, 4, state.due_day)
        gaps.append(state.interval)
    assert gaps == sorted(gaps) and len(set(gaps)) == len(gaps)


# --- due items ----------------------------------------------------------------------------------

def test_due_takes_items_due_by_today_longest_overdue_then_hardest_then_lapses_then_key():
    entries = [Entry("q:5", 10), Entry("q:4", 9), Entry("q:3", 10, ease=200),
               Entry("q:2", 10, ease=200, lapses=2), Entry("q:1", 10, ease=200, lapses=2),
               Entry("q:9", 11), Entry("q:8", 12)]
    assert [e.key for e in rs.due(entries, 11)] == ["q:4", "q:1", "q:2", "q:3", "q:5", "q:9"]
    assert [e.key for e in rs.due(entries, 8)] == []


# --- weak areas ---------------------------------------------------------------------------------

def test_area_scores_are_mean_last_scores_per_step_and_topic():
    entries = [Entry("a", 0, score=1.0, step=RC, topic="weakness"),
               Entry("b", 0, score=0.0, step=RC, topic="spasticity"),
               Entry("c", 0, score=0.5, step="", topic="weakness"),
               Entry("d", 0, score=0.25, step=TA, topic="")]
    assert rs.area_scores(entries) == {"step:recognize_cues": 0.5, "topic:weakness": 0.75,
                                       "topic:spasticity": 0.0, "step:take_action": 0.25}


@pytest.mark.parametrize("candidate, low", [
    (Candidate("x", RC, "weakness"), 0.5),
    (Candidate("x", TA, "weakness"), 0.25),
    (Candidate("x", AC, "weakness"), 0.75),
    (Candidate("x", AC, "atrophy"), None),  # nothing known about either area
    (Candidate("x", AC, "perfect"), None),  # a perfect area is not weak
])
def test_weakness_is_the_weaker_known_area(candidate, low):
    scores = {"step:recognize_cues": 0.5, "topic:weakness": 0.75, "step:take_action": 0.25,
              "topic:perfect": 1.0}
    assert rs.weakness(candidate, scores) == low


# --- sessions -----------------------------------------------------------------------------------

def bank(n=20, step=RC, topic="weakness"):
    """Standalone candidates q:1..q:n."""
    return [Candidate(f"q:{i:02d}", step, topic) for i in range(1, n + 1)]


def test_session_takes_due_items_first_and_stops_at_the_length():
    entries = [Entry(f"q:{i:02d}", i, score=0.0) for i in range(1, 16)]
    assert rs.build_session(entries, bank(), today=20) == [f"q:{i:02d}" for i in range(1, 11)]
    assert rs.build_session(entries, bank(), today=20, length=3) == ["q:01", "q:02", "q:03"]


def test_session_fills_from_the_weakest_area_unseen_first():
    weak = [Candidate(f"w:{i}", TA, "spasticity") for i in range(1, 6)]
    strong = [Candidate(f"s:{i}", RC, "weakness") for i in range(1, 6)]
    entries = [Entry("w:1", 5, score=0.0, step=TA, topic="spasticity"),  # due
               Entry("w:2", 30, score=0.2, step=TA, topic="spasticity"),  # seen, not due
               Entry("s:1", 30, score=0.9, step=RC, topic="weakness")]
    got = rs.build_session(entries, strong + weak, today=10, length=6)
    # Due first; then spasticity/take action (mean 0.1) unseen, then seen; then weakness (0.9).
    assert got == ["w:1", "w:3", "w:4", "w:5", "w:2", "s:2"]


def test_session_does_not_fill_from_perfect_or_unknown_areas():
    entries = [Entry("q:01", 50, score=1.0, step=RC, topic="weakness")]
    assert rs.build_session(entries, bank() + [Candidate("z", AC, "atrophy")], today=10) == []


def test_fill_ties_break_by_seen_due_day_then_key():
    entries = [Entry("q:01", 0, score=0.0, step=RC, topic="weakness"),
               Entry("q:04", 40, score=0.0, step=RC, topic="weakness"),
               Entry("q:05", 30, score=0.0, step=RC, topic="weakness")]
    got = rs.build_session(entries, bank(6), today=10, length=6)
    assert got == ["q:01", "q:02", "q:03", "q:06", "q:05", "q:04"]


def case(cid, n, step=RC, topic="diagnosis"):
    """A case study's candidates in order."""
    return [Candidate(f"{cid}:{i}", step, topic, cid) for i in range(1, n + 1)]


def test_a_due_case_item_brings_back_the_whole_case_in_order():
    entries = [Entry("c:4", 1, score=0.0, step=RC, topic="diagnosis")]
    got = rs.build_session(entries, bank(3) + case("c", 6), today=5, length=10)
    assert got[:6] == ["c:1", "c:2", "c:3", "c:4", "c:5", "c:6"]


def test_a_case_longer_than_the_session_is_still_taken_first():
    entries = [Entry("c:2", 1, score=0.0, step=RC, topic="diagnosis"), Entry("q:01", 2, score=0.0)]
    assert rs.build_session(entries, bank(3) + case("c", 6), today=5, length=4) == [
        "c:1", "c:2", "c:3", "c:4", "c:5", "c:6"]


def test_a_case_that_does_not_fit_later_is_skipped_for_smaller_units():
    entries = [Entry("q:01", 1, score=0.0), Entry("c:1", 2, score=0.0, step=RC, topic="diagnosis"),
               Entry("q:02", 3, score=0.0)]
    assert rs.build_session(entries, bank(3) + case("c", 6), today=5, length=4) == ["q:01", "q:02", "q:03"]


def test_two_due_items_of_one_case_bring_it_once():
    entries = [Entry("c:1", 1, score=0.0), Entry("c:3", 1, score=0.0)]
    assert rs.build_session(entries, case("c", 3), today=5) == ["c:1", "c:2", "c:3"]


def test_due_items_no_longer_offered_are_left_out():
    entries = [Entry("gone", 1, score=0.0), Entry("q:01", 2, score=0.0)]
    assert rs.build_session(entries, bank(1), today=5) == ["q:01"]


def test_nothing_known_gives_an_empty_session():
    assert rs.build_session([], bank(), today=5) == []


# --- a regrade corrects the last answer ---------------------------------------------------------

D = 100  # the day of the answer the regrade corrects


@pytest.mark.parametrize("after, old, new, corrected", [
    # Wrong under a bad key (first answer, due the same day), right now: due the next day.
    (Schedule(196, 0, 0, 1, D), 1, 5, Schedule(260, 1, 1, 0, D + 1)),
    (Schedule(170, 0, 0, 1, D), 0, 4, Schedule(250, 1, 1, 0, D + 1)),
    # Wrong after a run: the run is not stored, so the corrected answer starts a new one.
    (Schedule(216, 0, 0, 3, D), 1, 3, Schedule(256, 1, 1, 2, D + 1)),
    # Right under a bad key, wrong now: due the same day, one more lapse.
    (Schedule(260, 1, 1, 0, D + 1), 5, 1, Schedule(196, 0, 0, 1, D)),
    (Schedule(270, 16, 3, 0, D + 16), 5, 2, Schedule(228, 0, 0, 1, D)),
    # Right to right: only the ease changes (the interval used the ease before the answer).
    (Schedule(270, 16, 3, 0, D + 16), 5, 3, Schedule(246, 16, 3, 0, D + 16)),
    (Schedule(236, 6, 2, 1, D + 6), 3, 5, Schedule(260, 6, 2, 1, D + 6)),
    # Wrong to another wrong grade: the ease follows, the rest stays.
    (Schedule(196, 0, 0, 2, D), 1, 2, Schedule(218, 0, 0, 2, D)),
    # The ease never falls below its floor, before or after.
    (Schedule(130, 0, 0, 5, D), 0, 1, Schedule(156, 0, 0, 5, D)),
    (Schedule(140, 0, 0, 5, D), 2, 0, Schedule(130, 0, 0, 5, D)),
    (Schedule(130, 10, 4, 0, D + 10), 5, 3, Schedule(130, 10, 4, 0, D + 10)),
])
def test_corrected_redoes_the_last_answer_with_the_new_grade(after, old, new, corrected):
    assert rs.corrected(after, D, old, D, old, new) == corrected


@pytest.mark.parametrize("last_day, last_grade, old, new", [
    (D, 1, 1, 1),  # the grade did not change
    (D + 1, 1, 1, 5),  # answered again later: that answer stands
    (D, 5, 1, 5),  # answered again the same day with another grade
])
def test_corrected_leaves_a_superseded_or_unchanged_answer_alone(last_day, last_grade, old, new):
    assert rs.corrected(Schedule(196, 0, 0, 1, last_day), last_day, last_grade, D, old, new) is None


@settings(max_examples=300)
@given(grades, st.integers(0, 5), st.integers(0, 5))
def test_corrected_equals_answering_with_the_new_grade(seq, old, new):
    """Above the ease floor, correcting the last answer is answering with the new grade instead
    (after a wrong answer, from a run of none, which is what it stored)."""
    state = Schedule()
    for grade in seq:
        state = rs.answer(state, grade, state.due_day)
    today = state.due_day
    if state.ease + rs.ease_change(old) < rs.MIN_EASE + 80 or old == new:
        return
    after = rs.answer(state, old, today)
    before = state if old >= rs.PASS else Schedule(state.ease, state.interval, 0, state.lapses, 0)
    assert rs.corrected(after, today, old, today, old, new) == rs.answer(before, new, today)
