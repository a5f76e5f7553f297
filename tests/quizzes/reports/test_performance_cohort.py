"""The cohort's figures kept per course: reused while nothing changes, rebuilt when something does."""
from __future__ import annotations

import re

from flask import Flask

from course import audit, members
from course.db import db
from quizzes.reports import performance_cohort
from tests.conftest import launch_as
from tests.quizzes.reports.test_performance_views import (
    answer_through_the_pages,
    classmates,
    db_cid,
    submit_empty,
)


def figures(app: Flask, cid: int) -> performance_cohort.Cohort:
    """The course's cohort figures as a page would get them."""
    with app.test_request_context(), app.app_context():
        return performance_cohort.cohort(cid)


def overall(html: str) -> str:
    """The overall percentage on My performance."""
    return re.search(r"Overall: <strong>(\d+)%</strong>", html).group(1)


def test_kept_until_a_learner_submits(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_empty(app, cid, "learner-1")
    first = figures(app, cid)
    assert figures(app, cid) is first  # nothing changed: the same figures
    classmates(app, platform, 1)
    again = figures(app, cid)
    assert again is not first and len(again.lines) == 2


def test_rebuilt_when_a_learner_leaves_and_after_max_age(app, client, platform, monkeypatch):
    cid = launch_as(client, platform, "learner")
    submit_empty(app, cid, "learner-1")
    classmates(app, platform, 1)
    kept = figures(app, cid)
    with app.app_context():
        members.remove_member(cid, "learner-2")
    left = figures(app, cid)
    assert left is not kept and [line.name for line in left.lines] == ["User learner-1"]
    clock = performance_cohort.time.monotonic()
    monkeypatch.setattr(performance_cohort.time, "monotonic",
                        lambda: clock + performance_cohort.MAX_AGE + 1)
    assert figures(app, cid) is not left


def test_rebuilt_after_an_audited_correction(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_empty(app, cid, "learner-1")
    kept = figures(app, cid)
    with app.app_context():  # a regrade, override or essay mark is recorded with its change
        audit.record(cid, None, "grade.override", "attempt:1:q1")
        db.session.commit()
    assert figures(app, cid) is not kept


def test_courses_keep_their_own_figures(app, client, platform):
    cid = launch_as(client, platform, "learner")
    submit_empty(app, cid, "learner-1")
    other = app.test_client()
    launch_as(other, platform, "learner", user="elsewhere", context="course-2")
    ocid = db_cid(app, "elsewhere")
    submit_empty(app, ocid, "elsewhere")
    mine, theirs = figures(app, cid), figures(app, ocid)
    assert [line.name for line in mine.lines] == ["User learner-1"]
    assert [line.name for line in theirs.lines] == ["User elsewhere"]


def test_a_learners_own_figures_never_come_from_the_kept_cohort(app, client, platform):
    cid = launch_as(client, platform, "learner")
    answer_through_the_pages(app, client, cid)  # every point
    other = app.test_client()
    launch_as(other, platform, "learner", user="learner-2")
    submit_empty(app, cid, "learner-2")  # no point
    assert overall(client.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)) == "100"
    # The cohort is now kept; the classmate's page still shows their own figures.
    assert overall(other.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)) == "0"
    assert overall(client.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)) == "100"
