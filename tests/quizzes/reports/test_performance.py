"""Pure performance figures: step, topic and type tallies, cohort bands with the 5-learner floor, trends."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.reports import performance as perf
from quizzes.reports.performance import Answer, Band, Meta, Tally

RC, AC, PH = "recognize_cues", "analyze_cues", "prioritize_hypotheses"
GS, TA, EO = "generate_solutions", "take_action", "evaluate_outcomes"


def ans(earned, possible, step=RC, topic="weakness", kind="mcq", user=1, attempt=0):
    """One answer row."""
    return Answer(user, float(earned), float(possible), Meta(step, topic, kind), attempt)


# --- meta and tallies -------------------------------------------------------------------------

@pytest.mark.parametrize("data, expected", [
    ({"cjmm": "take_action", "topic": "spasticity", "type": "sata"}, Meta(TA, "spasticity", "sata")),
    ({"topic": "weakness", "type": "mcq"}, Meta(None, "weakness", "mcq")),
    ({"cjmm": "guess_cues", "topic": "", "type": "bowtie"}, Meta(None, None, "bowtie")),
    ({"cjmm": None, "topic": 3}, Meta(None, None, None)),
    ({"type": 7}, Meta(None, None, None)),
])
def test_meta_of_reads_step_topic_and_type(data, expected):
    assert perf.meta_of(data) == expected


def test_partial_credit_counts_as_points_not_right_or_wrong():
    answers = [ans(1.5, 3, RC), ans(0, 1, RC), ans(2, 2, AC)]
    got = perf.tallies(answers, "step")
    assert got == {RC: Tally(1.5, 4.0, 2), AC: Tally(2.0, 2.0, 1)}
    assert got[RC].percent == pytest.approx(37.5)
    assert got[AC].percent == 100.0


def test_case_items_count_for_their_own_step_and_unstepped_items_for_none():
    case = [ans(1, 1, s, "spasticity", "bowtie") for s in (RC, AC, PH, GS, TA, EO)]
    loose = ans(1, 2, None, "weakness", "mcq")
    steps = perf.tallies([*case, loose], "step")
    assert list(steps) == [RC, AC, PH, GS, TA, EO]
    assert all(t == Tally(1.0, 1.0, 1) for t in steps.values())
    topics = perf.tallies([*case, loose], "topic")
    assert topics == {"spasticity": Tally(6.0, 6.0, 6), "weakness": Tally(1.0, 2.0, 1)}
    assert perf.tallies([*case, loose], "item_type") == {"bowtie": Tally(6.0, 6.0, 6),
                                                        "mcq": Tally(1.0, 2.0, 1)}


def test_nothing_possible_is_left_out_and_has_no_percent():
    assert perf.tallies([ans(0, 0)], "step") == {}
    assert Tally().percent is None
    assert Tally(0.0, 2.0, 1).percent == 0.0
    assert perf.overall([ans(0, 0), ans(1, 4), ans(2, 4)]) == Tally(3.0, 8.0, 2)
    assert perf.overall([]) == Tally(0.0, 0.0, 0)


def test_key_order_is_teaching_order_then_names():
    assert perf.ordered_keys("step", [EO, RC, TA]) == [RC, TA, EO]
    assert perf.ordered_keys("topic", ["zzz", "atrophy", "weakness", "aaa"]) == [
        "weakness", "atrophy", "aaa", "zzz"]
    assert perf.ordered_keys("item_type", ["sata", "bowtie", "mcq"]) == ["bowtie", "mcq", "sata"]


def test_by_learner_groups_answers():
    a, b, c = ans(1, 1, user=1), ans(0, 1, user=2), ans(1, 2, user=1)
    assert perf.by_learner([a, b, c]) == {1: [a, c], 2: [b]}


# --- percentiles and the cohort floor --------------------------------------------------------

@pytest.mark.parametrize("values, q, expected", [
    ([10.0], 25, 10.0),
    ([10.0, 20.0], 50, 15.0),
    ([40.0, 10.0, 30.0, 20.0, 50.0], 25, 20.0),
    ([40.0, 10.0, 30.0, 20.0, 50.0], 50, 30.0),
    ([40.0, 10.0, 30.0, 20.0, 50.0], 75, 40.0),
    ([0.0, 10.0, 20.0, 30.0], 25, 7.5),
    ([0.0, 10.0, 20.0, 30.0], 75, 22.5),
    ([0.0, 10.0, 20.0, 30.0], 100, 30.0),
    ([0.0, 10.0, 20.0, 30.0], 0, 0.0),
])
def test_percentile_interpolates_between_ranks(values, q, expected):
    assert perf.percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        perf.percentile([], 50)


def test_band_needs_five_learners():
    assert perf.COHORT_FLOOR == 5
    assert perf.cohort_band([50.0, 60.0, 70.0, 80.0]) is None
    assert perf.cohort_band([50.0, 60.0, 70.0, 80.0, 90.0]) == Band(60.0, 70.0, 80.0, 5)
    assert perf.cohort_band([1.0, 2.0], floor=2) == Band(1.25, 1.5, 1.75, 2)
    assert perf.cohort_band([1.0], floor=2) is None


@pytest.mark.parametrize("value, values, expected", [
    (50.0, [10.0, 50.0, 90.0, 95.0], 37.5),
    (100.0, [10.0, 20.0, 30.0, 100.0], 87.5),
    (5.0, [10.0, 20.0], 0.0),
    (30.0, [10.0, 20.0], 100.0),
    (20.0, [20.0, 20.0], 50.0),
])
def test_percentile_rank_counts_ties_as_half(value, values, expected):
    assert perf.percentile_rank(value, values) == pytest.approx(expected)


def five_learners():
    """Five learners on two steps; learner 1 also answered a third step alone."""
    rows = []
    for uid, earned in zip(range(1, 6), (1, 2, 3, 4, 0)):
        rows += [ans(earned, 4, RC, user=uid), ans(4 - earned, 4, AC, user=uid)]
    return perf.by_learner([*rows, ans(1, 2, TA, user=1)])


def test_cohort_percents_count_each_learner_once_per_key():
    spread = perf.cohort_percents(five_learners(), "step")
    assert sorted(spread[RC]) == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert spread[TA] == [50.0]


def test_compare_shows_band_and_rank_only_above_the_floor():
    groups = five_learners()
    rows = perf.compare(groups[1], perf.cohort_percents(groups, "step"), "step")
    assert [r.key for r in rows] == [RC, AC, TA]
    rc, ac, ta = rows
    assert rc.tally == Tally(1.0, 4.0, 1) and rc.band == Band(25.0, 50.0, 75.0, 5)
    assert rc.rank == pytest.approx(30.0)
    assert ac.rank == pytest.approx(70.0)
    assert ta.band is None and ta.rank is None and ta.tally.percent == 50.0
    small = perf.compare(groups[1], perf.cohort_percents(groups, "step"), "step", floor=6)
    assert all(r.band is None and r.rank is None for r in small)


def test_class_rows_pool_points_and_band_learners():
    rows = perf.class_rows(five_learners(), "step")
    assert [r.key for r in rows] == [RC, AC, TA]
    assert rows[0].tally == Tally(10.0, 20.0, 5) and rows[0].band == Band(25.0, 50.0, 75.0, 5)
    assert rows[2].band is None and rows[2].rank is None
    assert perf.class_rows(five_learners(), "step", floor=1)[2].band == Band(50.0, 50.0, 50.0, 1)


def test_class_rows_take_the_spread_the_caller_already_has():
    groups = five_learners()
    spread = perf.cohort_percents(groups, "step")
    assert perf.class_rows(groups, "step", spread=spread) == perf.class_rows(groups, "step")
    # The bands come from the spread given, the pooled points from the answers.
    given = {RC: [10.0, 20.0, 30.0, 40.0, 50.0], AC: [0.0], TA: []}
    rc, ac, ta = perf.class_rows(groups, "step", spread=given)
    assert rc.band == Band(20.0, 30.0, 40.0, 5) and rc.tally == Tally(10.0, 20.0, 5)
    assert ac.band is None and ta.band is None
    # A key the spread lacks has no band (no learner percentages to show).
    missing = perf.class_rows(groups, "step", spread={RC: given[RC]})
    assert [r.band for r in missing[1:]] == [None, None]


def test_weakest_lists_rows_below_the_line_weakest_first():
    rows = [perf.Row(k, Tally(e, 10.0, 1), None, None) for k, e in ((RC, 6.0), (AC, 3.0), (PH, 7.0),
                                                                  (GS, 5.0), (TA, 3.0))]
    rows.append(perf.Row(EO, Tally(), None, None))
    assert [r.key for r in perf.weakest(rows, 60.0)] == [AC, TA, GS]
    assert [r.key for r in perf.weakest(rows, 70.0)] == [AC, TA, GS, RC]


# --- trends -----------------------------------------------------------------------------------

def test_trend_has_one_point_per_attempt_in_the_given_order():
    rows = [ans(1, 2, RC, attempt=7), ans(2, 2, AC, attempt=7), ans(0, 1, RC, attempt=3),
            ans(0, 0, RC, attempt=9)]
    points = perf.trend(rows, [3, 7, 9, 11])
    assert [p.attempt_id for p in points] == [3, 7]
    assert points[0].tally == Tally(0.0, 1.0, 1) and points[0].steps == {RC: Tally(0.0, 1.0, 1)}
    assert points[1].tally == Tally(3.0, 4.0, 2)
    assert points[1].steps == {RC: Tally(1.0, 2.0, 1), AC: Tally(2.0, 2.0, 1)}


@pytest.mark.parametrize("values, expected", [
    ([], None), ([50.0], None), ([40.0, 60.0], 20.0), ([10.0, 20.0, 60.0], 25.0),
    ([70.0, 70.0, 70.0], 0.0), ([90.0, 60.0, 30.0, 0.0], -30.0),
])
def test_slope_is_least_squares(values, expected):
    assert perf.slope(values) == (None if expected is None else pytest.approx(expected))


def points_of(*percents):
    """Trend points with these percentages."""
    return [perf.TrendPoint(i, Tally(p, 100.0, 1), {}) for i, p in enumerate(percents)]


@pytest.mark.parametrize("percents, expected", [
    ((50.0,), None), ((50.0, 52.0), "rising"), ((50.0, 51.0), "steady"), ((50.0, 49.0), "steady"),
    ((50.0, 48.0), "falling"), ((50.0, 50.5, 51.0), "steady"),
])
def test_direction_from_slope(percents, expected):
    assert perf.STEADY_POINTS == 1.0
    assert perf.direction(points_of(*percents)) == expected


# --- heat map and at-risk ------------------------------------------------------------------

def lines():
    """Four learners: Ann strong, bob weak on actions, Cy without answers, Dee in the middle."""
    groups = perf.by_learner([ans(4, 4, RC, user=1), ans(3, 4, TA, user=1),
                              ans(3, 4, RC, user=2), ans(0, 4, TA, user=2),
                              ans(2, 4, RC, user=4), ans(2, 4, TA, user=4)])
    return perf.learner_lines({1: "Ann", 2: "bob", 3: "Cy", 4: "Dee"}, groups)


def test_learner_lines_cover_everyone_by_name():
    got = lines()
    assert [line.name for line in got] == ["Ann", "bob", "Cy", "Dee"]
    assert got[0].total == Tally(7.0, 8.0, 2) and got[0].steps[TA] == Tally(3.0, 4.0, 1)
    assert got[2].total == Tally() and got[2].steps == {}


@pytest.mark.parametrize("column, descending, expected", [
    ("name", False, ["Ann", "bob", "Cy", "Dee"]),
    ("name", True, ["Dee", "Cy", "bob", "Ann"]),
    ("overall", False, ["bob", "Dee", "Ann", "Cy"]),
    ("overall", True, ["Ann", "Dee", "bob", "Cy"]),
    (TA, False, ["bob", "Dee", "Ann", "Cy"]),
    (RC, True, ["Ann", "bob", "Dee", "Cy"]),
    (RC, False, ["Dee", "bob", "Ann", "Cy"]),
    (EO, False, ["Ann", "bob", "Cy", "Dee"]),
])
def test_heat_map_sorts_with_blanks_last(column, descending, expected):
    assert [line.name for line in perf.sort_lines(lines(), column, descending)] == expected


def test_sort_ties_fall_back_to_name():
    tied = perf.learner_lines({1: "Zed", 2: "amy"}, perf.by_learner(
        [ans(1, 2, user=1), ans(1, 2, user=2)]))
    assert [line.name for line in perf.sort_lines(tied, "overall", True)] == ["amy", "Zed"]
    assert [line.name for line in perf.sort_lines(tied, "overall")] == ["amy", "Zed"]


def test_at_risk_lists_answered_learners_below_the_threshold_lowest_first():
    assert [line.name for line in perf.at_risk(lines(), 60.0)] == ["bob", "Dee"]
    assert [line.name for line in perf.at_risk(lines(), 50.0)] == ["bob"]
    assert [line.name for line in perf.at_risk(lines(), 37.5)] == []
    assert [line.name for line in perf.at_risk(lines(), 100.0)] == ["bob", "Dee", "Ann"]


def test_weakest_step_of_a_learner():
    got = {line.name: perf.weakest_step(line) for line in lines()}
    assert got == {"Ann": TA, "bob": TA, "Cy": None, "Dee": RC}


# --- properties -----------------------------------------------------------------------------

steps = st.sampled_from([RC, AC, PH, GS, TA, EO, None])
answers = st.builds(
    lambda e, extra, step, uid: ans(e, e + extra, step, user=uid),
    st.floats(0, 5, allow_nan=False), st.floats(0, 5, allow_nan=False), steps, st.integers(1, 8))


@settings(max_examples=150, deadline=None)
@given(st.lists(answers, max_size=40))
def test_points_are_conserved_and_percents_stay_in_range(rows):
    counted = [a for a in rows if a.possible > 0]
    for dimension in perf.DIMENSIONS:
        got = perf.tallies(rows, dimension)
        for tally in got.values():
            assert 0.0 <= tally.percent <= 100.0 + 1e-9
    step_sum = sum(t.possible for t in perf.tallies(rows, "step").values())
    assert step_sum == pytest.approx(sum(a.possible for a in counted if a.meta.step))
    assert perf.overall(rows).answers == len(counted)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=30))
def test_band_is_ordered_within_the_values_and_floored(values):
    band = perf.cohort_band(values)
    if len(values) < 5:
        assert band is None
    else:
        assert min(values) <= band.low <= band.median <= band.high <= max(values)
        assert band.learners == len(values)
    for value in values:
        assert 0.0 <= perf.percentile_rank(value, values) <= 100.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=12))
def test_slope_sign_follows_a_raised_last_value(values):
    raised = [*values[:-1], values[-1] + 50.0]
    assert perf.slope(raised) > perf.slope(values)


def test_rows_that_sum_several_answers_count_them_all():
    many = Answer(1, 3.0, 6.0, Meta(RC, "weakness", "mcq"), count=3)
    assert perf.tallies([many, ans(1, 2, RC)], "step") == {RC: Tally(4.0, 8.0, 4)}
    assert perf.overall([many, ans(1, 2, RC)]) == Tally(4.0, 8.0, 4)
    assert perf.overall([many, ans(5, 0, RC)]) == Tally(3.0, 6.0, 3)


def test_pooled_adds_tallies():
    assert perf.pooled([Tally(1.0, 2.0, 1), Tally(2.5, 3.0, 2)]) == Tally(3.5, 5.0, 3)
    assert perf.pooled([]) == Tally()


def test_rows_summed_per_dimension_give_the_same_lines():
    full = [ans(1, 2, RC, "weakness", "mcq", user=1), ans(2, 4, TA, "spasticity", "sata", user=1)]
    split = [Answer(1, a.earned, a.possible, Meta(a.meta.step, None, None)) for a in full]
    split += [Answer(1, a.earned, a.possible, Meta(None, None, a.meta.item_type)) for a in full]
    split += [Answer(1, a.earned, a.possible, Meta(None, a.meta.topic, None)) for a in full]
    one = perf.learner_lines({1: "Ann"}, perf.by_learner(full))
    assert one == perf.learner_lines({1: "Ann"}, perf.by_learner(split))
    assert one[0].total == Tally(3.0, 6.0, 2)
