"""No score is lost: Moodle's grade sync off is waited out, and every score can be resent."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from course.db import db, utcnow
from course.models import Context, Registration
from quizzes.models import FAILED, PENDING, SENT, ScoreOutbox
from tests.conftest import csrf_from
from tests.platform import INSTRUCTOR, LEARNER
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)
from tests.quizzes.scores.test_grade_passback import drain_at, outbox_rows, take_quiz

ADVICE = "Use this service for grade sync and column management"


@pytest.fixture
def moodle(app, client, platform, services):  # noqa: F811
    """A learner who launched from a Moodle-like platform (Moodle's token URL): (client, cid)."""
    # The course's enrolments, as the LMS's roster service lists them (the gradebook reads it).
    services.members["course-1"] = [{"user_id": "instructor-1", "roles": [INSTRUCTOR]}] + [
        {"user_id": f"learner-{n}", "roles": [LEARNER]} for n in range(1, 6)]
    cid = launch_with_services(client, platform, services, "learner")
    with app.app_context():
        reg = db.session.scalars(select(Registration)).one()
        reg.auth_token_url = f"{platform.issuer}/mod/lti/token.php"
        reg.auth_audience = None
        db.session.commit()
    return client, cid


def as_instructor(client, platform, services, cid: int) -> None:  # noqa: F811
    """Relaunch the same browser as the course's instructor."""
    assert launch_with_services(client, platform, services, "instructor") == cid


def test_grade_sync_off_then_on_score_arrives_once_without_instructor(app, moodle,
                                                                     services):  # noqa: F811
    client, cid = moodle
    take_quiz(app, client, cid)
    services.grade_sync = False
    start = utcnow()
    report = drain_at(app, start)
    assert report.retrying == 1 and report.failed == 0 and not services.received
    status, tries, error = outbox_rows(app)[0]
    assert status == PENDING and ADVICE in error and "invalid_scope" in error
    with app.app_context():
        row = db.session.scalars(select(ScoreOutbox)).one()
        wait = row.next_try_at.replace(tzinfo=start.tzinfo) - start
        assert row.problem == "config" and timedelta(minutes=59) <= wait <= timedelta(hours=4)
    # Still refused days later: never given up within 14 days, tried again only hours apart.
    for day in (1, 5, 13.9):
        assert drain_at(app, start + timedelta(days=day)).retrying == 1
    assert outbox_rows(app)[0][0] == PENDING and not services.received
    services.grade_sync = True  # the admin switches grade sync on; nobody presses anything
    assert drain_at(app, start + timedelta(days=13.9, minutes=5)).statuses == []  # not due yet
    assert drain_at(app, start + timedelta(days=14.2)).sent == 1
    assert drain_at(app, start + timedelta(days=15)).statuses == []
    assert len(services.received) == 1 and len(services.scores) == 1
    assert outbox_rows(app)[0][0] == SENT


def test_a_class_waits_out_grade_sync_off_and_each_score_arrives_once(
        app, moodle, platform, services):  # noqa: F811
    client, cid = moodle
    for n in range(1, 6):
        launch_with_services(client, platform, services, "learner", user=f"learner-{n}")
        take_quiz(app, client, cid, right=n % 2 == 0)
    services.grade_sync = False
    start = utcnow()
    assert drain_at(app, start).retrying == 5
    assert services.refused_tokens == 1  # one refusal per course and pass, not one per score
    assert drain_at(app, start + timedelta(hours=5)).retrying == 5
    services.grade_sync = True
    assert drain_at(app, start + timedelta(hours=10)).sent == 5
    assert drain_at(app, start + timedelta(days=2)).statuses == []
    assert sorted(s["userId"] for s in services.received) == [f"learner-{n}" for n in range(1, 6)]
    assert len(services.scores) == 5


def test_a_refused_score_is_given_up_only_after_the_long_wait(app, moodle,
                                                              services):  # noqa: F811
    client, cid = moodle
    take_quiz(app, client, cid)
    services.grade_sync = False
    start = utcnow()
    drain_at(app, start)
    drain_at(app, start + timedelta(days=31))
    assert outbox_rows(app)[0][0] == FAILED  # shown in the gradebook, and resendable


def test_gradebook_banner_cell_and_resend_buttons(app, moodle, platform, services):  # noqa: F811
    client, cid = moodle
    take_quiz(app, client, cid)
    services.grade_sync = False
    drain_at(app, utcnow())
    as_instructor(client, platform, services, cid)
    page = client.get(f"/c/{cid}/quizzes/instructor/gradebook").get_data(as_text=True)
    assert "Grades are not reaching your LMS" in page and "Manage tools" in page
    assert "Waiting for a setting in the LMS" in page  # the learner's cell
    assert "Resend everything that has not arrived (1)" in page
    services.grade_sync = True
    with app.app_context():
        quiz_id = db.session.scalars(select(ScoreOutbox.quiz_id)).one()
    token = csrf_from(page)
    assert client.post(f"/c/{cid}/quizzes/instructor/gradebook/resend",
                       data={"quiz": str(quiz_id)}).status_code == 400  # no CSRF token
    resp = client.post(f"/c/{cid}/quizzes/instructor/gradebook/resend",
                       data={"csrf_token": token, "quiz": str(quiz_id)})
    assert resp.status_code == 302
    assert drain_at(app, utcnow()).sent == 1  # due at once, not hours later
    page = client.get(f"/c/{cid}/quizzes/instructor/gradebook").get_data(as_text=True)
    assert "Grades are not reaching your LMS" not in page and "Resend everything" not in page
    assert len(services.received) == 1


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_resend_form_refuses_bad_ids_with_a_400(app, moodle, platform, services,  # noqa: F811
                                                value):
    client, cid = moodle
    as_instructor(client, platform, services, cid)
    token = csrf_from(client.get(f"/c/{cid}/quizzes/instructor/gradebook").get_data(as_text=True))
    resp = client.post(f"/c/{cid}/quizzes/instructor/gradebook/resend",
                       data={"csrf_token": token, "learner": value})
    assert resp.status_code == 400


def test_learners_cannot_resend(app, moodle):
    client, cid = moodle
    token = csrf_from(client.get(f"/c/{cid}/quizzes/").get_data(as_text=True))
    resp = client.post(f"/c/{cid}/quizzes/instructor/gradebook/resend",
                       data={"csrf_token": token})
    assert resp.status_code == 403


def test_canvas_not_a_student_shows_and_resend_keeps_the_timestamp(app, moodle, platform,
                                                                   services):  # noqa: F811
    client, cid = moodle
    take_quiz(app, client, cid)
    services.not_students.add("learner-1")
    assert drain_at(app, utcnow()).failed == 1
    status, _, error = outbox_rows(app)[0]
    assert status == FAILED and "not a student" in error
    as_instructor(client, platform, services, cid)
    page = client.get(f"/c/{cid}/quizzes/instructor/gradebook").get_data(as_text=True)
    assert "not a student" in page and "Resend everything that has not arrived (1)" in page
    services.not_students.clear()  # the learner is enrolled as a student again
    with app.app_context():
        learner_id = db.session.scalars(select(ScoreOutbox.user_id)).one()
    client.post(f"/c/{cid}/quizzes/instructor/gradebook/resend",
                data={"csrf_token": csrf_from(page), "learner": str(learner_id)})
    assert drain_at(app, utcnow()).sent == 1
    [refused, resent] = services.received
    assert refused["timestamp"] == resent["timestamp"]  # the same score, not a new one
    assert len(services.scores) == 1


def test_resend_cli_lists_queues_and_never_duplicates(app, moodle, services):  # noqa: F811
    client, cid = moodle
    take_quiz(app, client, cid)
    services.timeout_next(1, processed=True, path="/scores")  # the LMS got it; reply lost
    drain_at(app, utcnow())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["scores", "resend", "--dry-run", "--context", str(cid)])
    assert dry.exit_code == 0 and "1 score(s) would be queued" in dry.output
    assert "learner" in dry.output.lower() and "(pending)" in dry.output
    assert outbox_rows(app)[0][1] == 1  # dry run changed nothing
    none = runner.invoke(args=["scores", "resend", "--status", "failed"])
    assert none.exit_code == 0 and "Queued 0 score(s)" in none.output
    done = runner.invoke(args=["scores", "resend", "--status", "waiting"])
    assert done.exit_code == 0 and "Queued 1 score(s)" in done.output
    assert drain_at(app, utcnow()).sent == 1
    assert len(services.received) == 2 and len(services.scores) == 1  # one score in the LMS
    again = runner.invoke(args=["scores", "resend"])
    assert "Queued 0 score(s)" in again.output  # arrived scores are never resent


def test_reconcile_lists_what_the_lms_lacks_and_says_when_it_cannot_look(
        app, moodle, platform, services):  # noqa: F811
    client, cid = moodle
    take_quiz(app, client, cid)
    launch_with_services(client, platform, services, "learner", user="learner-2")
    take_quiz(app, client, cid, right=False)
    services.not_students.add("learner-2")
    drain_at(app, utcnow())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scores", "reconcile", "--context", str(cid)])
    assert result.exit_code == 0, result.exception
    out = result.output
    assert "2 score(s) checked, 1 not in the LMS as sent" in out
    assert "learner-2: tool 0.00, LMS missing (outbox: failed)" in out
    assert "learner-1" not in out
    with app.app_context():
        db.session.execute(update(Context).values(ags_scopes=[]))
        db.session.commit()
    out = runner.invoke(args=["scores", "reconcile"]).output
    assert "did not grant this tool the AGS result.readonly scope" in out
