"""Leaving a course: the platform's roster and an administrator remove members (issue 11 §2)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.models import ScoreOutbox
from quizzes.taking import attempts
from tests.conftest import launch
from tests.platform import INSTRUCTOR, LEARNER
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)
from tests.quizzes.instructor_helpers import BASE, sample_item

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
TEACHER = {"user_id": "teacher-1", "name": "Dr Teach", "roles": [INSTRUCTOR]}
ANA = {"user_id": "learner-1", "name": "Ana Silva", "roles": [LEARNER]}
BEN = {"user_id": "learner-2", "name": "Ben Ode", "roles": [LEARNER]}


def _course(app, platform, services, roster):  # noqa: F811
    """A course with a teacher and two learners who launched; returns (cid, teacher, ana, ben)."""
    services.members["course-1"] = roster
    ana, ben, teacher = app.test_client(), app.test_client(), app.test_client()
    launch_with_services(ana, platform, services, "learner", user="learner-1")
    launch_with_services(ben, platform, services, "learner", user="learner-2")
    cid = launch_with_services(teacher, platform, services, "instructor", user="teacher-1")
    assert ana.get(f"/c/{cid}/").status_code == 200
    return cid, teacher, ana, ben


def _gradebook(teacher, cid: int) -> str:
    """The gradebook read afresh from the platform (the refresh link skips the cached roster)."""
    resp = teacher.get(BASE.format(cid=cid) + "/gradebook?refresh=1")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _row(html: str, name: str) -> str:
    """The gradebook row of one learner (from the link on their name to the row's end)."""
    start = html.index(f">{name}</a>")
    return html[start:html.index("</tr>", start)]


def _submitted_quiz(app, cid: int, sub: str) -> int:
    """A one-question quiz the learner has answered right once; returns the attempt id."""
    item = sample_item("mcq")
    right = next(o["id"] for o in item["options"] if o.get("correct"))
    with app.app_context():
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Leaving quiz", attempts_allowed=0))
        builder.add_fixed(quiz, create_question(cid, None, item).id)
        user = db.session.scalars(select(User).where(User.sub == sub)).one()
        attempt = attempts.start_attempt(quiz, user.id)
        attempts.save_answers(attempt, {"q1-opt": right}, [1])
        attempts.submit_attempt(attempt.id, attempt.started_at + timedelta(seconds=30))
        return attempt.id


def test_learner_dropped_from_the_roster_is_signed_out_and_stays_in_the_gradebook(
        app, platform, services):  # noqa: F811
    cid, teacher, ana, ben = _course(app, platform, services, [TEACHER, ANA, BEN])
    _submitted_quiz(app, cid, "learner-1")
    assert "Left the course" not in _gradebook(teacher, cid)
    services.members["course-1"] = [TEACHER, BEN]  # Ana unenrolled in the LMS
    html = _gradebook(teacher, cid)
    row = _row(html, "User learner-1")
    assert "Left the course" in row and "100%" in row and "1 attempt" in row
    assert "Left the course" not in _row(html, "User learner-2")
    resp = ana.get(f"/c/{cid}/")
    assert resp.status_code == 401 and "no longer a member" in resp.get_data(as_text=True)
    assert ben.get(f"/c/{cid}/").status_code == 200
    assert teacher.get(BASE.format(cid=cid) + "/gradebook").status_code == 200


def test_inactive_or_deleted_status_removes(app, platform, services):  # noqa: F811
    cid, teacher, ana, ben = _course(app, platform, services, [TEACHER, ANA, BEN])
    services.members["course-1"] = [TEACHER, {**ANA, "status": "Inactive"},
                                     {**BEN, "status": "Deleted"}]
    _gradebook(teacher, cid)
    assert ana.get(f"/c/{cid}/").status_code == 401
    assert ben.get(f"/c/{cid}/").status_code == 401


def test_a_roster_not_read_to_its_last_page_removes_nobody(app, platform, services):  # noqa: F811
    cid, teacher, ana, ben = _course(app, platform, services, [TEACHER, ANA, BEN])
    services.page_size = 1
    services.members["course-1"] = [TEACHER, BEN]  # page 1 reads fine; page 2 fails
    services.fail_next(1, status=503, path="/memberships", after=1)
    html = _gradebook(teacher, cid)
    assert "could not be read" in html
    assert len([c for c in services.adapter.calls if "/memberships" in c]) >= 1
    services.fail_next(1, status=403, path="/memberships")  # refused outright
    _gradebook(teacher, cid)
    assert ana.get(f"/c/{cid}/").status_code == 200
    assert ben.get(f"/c/{cid}/").status_code == 200
    _gradebook(teacher, cid)  # the same roster, read to its end this time
    assert ana.get(f"/c/{cid}/").status_code == 401


def test_an_empty_roster_removes_nobody(app, platform, services):  # noqa: F811
    cid, teacher, ana, _ = _course(app, platform, services, [TEACHER, ANA, BEN])
    services.members["course-1"] = []  # a broken or misconfigured platform, not a mass departure
    _gradebook(teacher, cid)
    assert ana.get(f"/c/{cid}/").status_code == 200
    assert teacher.get(BASE.format(cid=cid) + "/gradebook").status_code == 200


def test_a_relaunch_brings_a_removed_learner_back(app, platform, services):  # noqa: F811
    cid, teacher, ana, _ = _course(app, platform, services, [TEACHER, ANA, BEN])
    services.members["course-1"] = [TEACHER, BEN]
    _gradebook(teacher, cid)
    assert ana.get(f"/c/{cid}/").status_code == 401
    launch_with_services(ana, platform, services, "learner", user="learner-1")
    assert ana.get(f"/c/{cid}/").status_code == 200
    services.members["course-1"] = [TEACHER, ANA, BEN]  # re-enrolled in the LMS too
    assert "Left the course" not in _gradebook(teacher, cid)


def test_an_unenrolled_lms_admin_is_not_removed_by_the_roster(app, platform, services):  # noqa: F811
    cid, teacher, ana, _ = _course(app, platform, services, [TEACHER, BEN])  # Ana has left
    admin = app.test_client()
    # NRPS lists enrolments only: an administrator without a course role is never on it.
    resp = launch(admin, platform, user="admin-1", roles=(ADMIN,),
                  extra=services.claims(platform, "course-1"))
    assert resp.status_code == 302
    _gradebook(admin, cid)
    assert admin.get(BASE.format(cid=cid) + "/gradebook").status_code == 200
    assert ana.get(f"/c/{cid}/").status_code == 401  # the same read did remove a learner


def test_cli_removes_a_member(app, platform, services):  # noqa: F811
    cid, teacher, ana, ben = _course(app, platform, services, [TEACHER, ANA, BEN])
    runner = app.test_cli_runner()
    args = ["lti", "remove-member", "--context", str(cid), "--user", "learner-1"]
    out = runner.invoke(args=args)
    assert out.exit_code == 0 and "Removed learner-1" in out.output
    assert ana.get(f"/c/{cid}/").status_code == 401
    assert ben.get(f"/c/{cid}/").status_code == 200
    assert "already removed" in runner.invoke(args=args).output
    assert "Left the course" in _row(_gradebook(teacher, cid), "User learner-1")
    unknown = runner.invoke(args=["lti", "remove-member", "--context", str(cid), "--user", "x"])
    assert unknown.exit_code == 1 and "never opened" in unknown.output
    nowhere = runner.invoke(args=["lti", "remove-member", "--context", "999", "--user", "x"])
    assert nowhere.exit_code == 1 and "No course 999" in nowhere.output


def test_cli_sync_roster_removes_only_after_a_complete_read(app, platform, services):  # noqa: F811
    cid, _, ana, ben = _course(app, platform, services, [TEACHER, ANA, BEN])
    runner = app.test_cli_runner()
    args = ["lti", "sync-roster", "--context", str(cid)]
    services.members["course-1"] = [TEACHER, BEN]
    services.fail_next(1, status=502, path="/memberships")
    failed = runner.invoke(args=args)
    assert failed.exit_code == 1 and "nobody removed" in failed.output
    assert ana.get(f"/c/{cid}/").status_code == 200
    done = runner.invoke(args=args)
    assert done.exit_code == 0 and "Removed 1 member(s)" in done.output and "learner-1" in done.output
    assert ana.get(f"/c/{cid}/").status_code == 401
    assert ben.get(f"/c/{cid}/").status_code == 200


def test_no_new_score_for_a_removed_learner_and_queued_ones_stay(app, platform, services):  # noqa: F811
    cid, _, _, _ = _course(app, platform, services, [TEACHER, ANA, BEN])
    first = _submitted_quiz(app, cid, "learner-1")  # queued while still a member
    app.test_cli_runner().invoke(args=["lti", "remove-member", "--context", str(cid),
                                       "--user", "learner-1"])
    later = _submitted_quiz(app, cid, "learner-1")  # e.g. an expired attempt closed by the server
    with app.app_context():
        queued = {r.attempt_id for r in db.session.scalars(select(ScoreOutbox))}
    assert first in queued and later not in queued
