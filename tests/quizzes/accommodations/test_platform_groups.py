"""Groups from the LMS end to end against the test platform's Course Groups service and NRPS:
sync (paged), an override by an LMS group, a re-sync after changes, tenancy, a platform outage."""
from typing import Any

import pytest
from sqlalchemy import select

from course.audit import AuditEvent
from course.db import db
from course.models import User
from quizzes.accommodations.models import LearnerGroup
from quizzes.accommodations.platform_groups import NO_GROUPS
from quizzes.accommodations.queries import limits_for
from quizzes.models import Quiz
from tests.conftest import csrf_from, launch_as
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)

PAGE = "/c/{cid}/quizzes/instructor/accommodations"
SLUG = "quiz-final-cases"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
TEACHER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def person(sub: str, role: str = LEARNER_ROLE, status: str = "Active") -> dict[str, Any]:
    """One NRPS roster entry."""
    return {"user_id": sub, "name": sub.title(), "roles": [role], "status": status}


@pytest.fixture
def canvas(app, platform, services):  # noqa: F811
    """Course-1 on a Canvas-like platform: three groups (paged two a page), two learners launched,
    a third on the roster who never opened the tool, and one group kept in the tool."""
    services.page_size = 2
    services.members["course-1"] = [person("learner-1"), person("learner-2"), person("learner-3"),
                                    person("teacher-1", TEACHER_ROLE)]
    services.groups["course-1"] = [
        {"id": "g-101", "name": "Extended time 1.5x", "members": ["learner-1", "learner-3"]},
        {"id": "g-102", "name": "Section B", "members": ["learner-2"]},
        {"id": "g-103", "name": "Kept here", "members": ["learner-2"]}]
    teacher, one, two = app.test_client(), app.test_client(), app.test_client()
    cid = launch_with_services(one, platform, services, user="learner-1", groups=True)
    launch_with_services(two, platform, services, user="learner-2", groups=True)
    assert launch_with_services(teacher, platform, services, "instructor", user="teacher-1",
                                groups=True) == cid
    assert post(teacher, cid, "/groups", name="Kept here",
                members=str(ids(app)["learner-1"])).status_code == 302
    with app.app_context():
        quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == cid, Quiz.slug == SLUG)).one()
        quiz.time_limit_minutes = 30
        db.session.commit()
    return {"cid": cid, "teacher": teacher, "one": one, "two": two}


def ids(app: Any) -> dict[str, int]:
    """User ids by LTI sub."""
    with app.app_context():
        return {sub: uid for sub, uid in db.session.execute(select(User.sub, User.id))}


def post(client: Any, cid: int, path: str = "", **data: Any) -> Any:
    """POST below the Accommodations page with a CSRF token."""
    token = csrf_from(client.get(PAGE.format(cid=cid)).get_data(as_text=True))
    return client.post(PAGE.format(cid=cid) + path, data={"csrf_token": token, **data})


def sync(client: Any, cid: int) -> str:
    """Press "Sync groups from the LMS"; the page it lands on."""
    resp = post(client, cid, "/groups/sync")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client.get(resp.location).get_data(as_text=True)


def groups(app: Any, cid: int) -> dict[str, tuple[str, str | None, list[str]]]:
    """name -> (source, LMS id, member subs) for a course."""
    with app.app_context():
        found = db.session.scalars(select(LearnerGroup).where(LearnerGroup.context_id == cid))
        return {grp.name: (grp.source, grp.lms_group_id, sorted(
            db.session.get(User, m.user_id).sub for m in grp.members)) for grp in found}


def minutes(app: Any, cid: int, sub: str) -> int | None:
    """A learner's effective time limit on the quiz."""
    with app.app_context():
        quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == cid, Quiz.slug == SLUG)).one()
        return limits_for(quiz, ids(app)[sub]).time_limit_minutes


def test_sync_reads_every_page_and_keeps_tool_groups(app, canvas, services):  # noqa: F811
    cid, teacher = canvas["cid"], canvas["teacher"]
    page = teacher.get(PAGE.format(cid=cid)).get_data(as_text=True)
    assert "Sync groups from the LMS" in page and NO_GROUPS not in page
    page = sync(teacher, cid)
    assert "Groups synced from the LMS: 3 group(s) added" in page
    assert "1 group member(s) have not opened this tool yet" in page
    assert groups(app, cid) == {
        "Extended time 1.5x": ("lms", "g-101", ["learner-1"]),
        "Section B": ("lms", "g-102", ["learner-2"]),
        "Kept here (LMS)": ("lms", "g-103", ["learner-2"]),
        "Kept here": ("tool", None, ["learner-1"])}
    assert "Extended time 1.5x</strong> (from the LMS)" in teacher.get(PAGE.format(cid=cid)).get_data(
        as_text=True)
    assert all("user_id" not in url for url in services.group_requests)  # enrolments came with NRPS
    assert any("cursor=Page2Of2" in url for url in services.group_requests)  # the second page


def test_override_by_lms_group_and_resync_after_changes(app, canvas, services):  # noqa: F811
    cid, teacher = canvas["cid"], canvas["teacher"]
    sync(teacher, cid)
    with app.app_context():
        gid = db.session.scalar(select(LearnerGroup.id).where(LearnerGroup.lms_group_id == "g-101"))
    assert post(teacher, cid, who=f"g{gid}", time_rule="2").status_code == 302
    assert (minutes(app, cid, "learner-1"), minutes(app, cid, "learner-2")) == (60, 30)
    mine = canvas["one"].get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)
    assert "60 minutes" in mine
    services.groups["course-1"][0]["members"] = ["learner-2"]  # moved in the LMS
    page = sync(teacher, cid)
    assert "0 group(s) added, 1 changed, 2 unchanged" in page
    assert (minutes(app, cid, "learner-1"), minutes(app, cid, "learner-2")) == (30, 60)
    assert groups(app, cid)["Kept here"] == ("tool", None, ["learner-1"])  # never touched
    del services.groups["course-1"][1]  # Section B deleted in the LMS: emptied, override kept
    assert "1 no longer in the LMS (emptied)" in sync(teacher, cid)
    assert groups(app, cid)["Section B"] == ("lms", "g-102", [])
    with app.app_context():
        changes = db.session.scalars(select(AuditEvent.target).where(AuditEvent.kind == "group.change"))
        assert "group Extended time 1.5x (from the LMS)" in list(changes)


def test_groups_without_enrolments_in_the_roster_are_asked_per_learner(app, canvas, services):  # noqa: F811
    services.group_enrollments = False
    sync(canvas["teacher"], canvas["cid"])
    assert groups(app, canvas["cid"])["Extended time 1.5x"] == ("lms", "g-101", ["learner-1"])
    assert any("user_id=learner-2" in url for url in services.group_requests)


def test_lms_groups_are_changed_only_in_the_lms(app, canvas):
    cid, teacher = canvas["cid"], canvas["teacher"]
    sync(teacher, cid)
    with app.app_context():
        gid = db.session.scalar(select(LearnerGroup.id).where(LearnerGroup.lms_group_id == "g-102"))
    resp = post(teacher, cid, f"/groups/{gid}/edit", name="Renamed", members=str(ids(app)["learner-1"]))
    assert resp.status_code == 400 and "change it there" in resp.get_data(as_text=True)
    assert groups(app, cid)["Section B"] == ("lms", "g-102", ["learner-2"])


def test_platform_down_changes_nothing_and_says_why(app, canvas, services):  # noqa: F811
    cid, teacher = canvas["cid"], canvas["teacher"]
    sync(teacher, cid)
    before = groups(app, cid)
    services.groups["course-1"][0]["members"] = []
    services.fail_next(1, 503, path="/groups/")
    page = sync(teacher, cid)
    assert "refused the course groups request (HTTP 503)" in page
    services.fail_next(1, 503, path="/nrps/", after=0)
    assert "HTTP 503" in sync(teacher, cid)
    assert groups(app, cid) == before


def test_a_platform_without_groups_says_so(app, platform, services):  # noqa: F811
    services.members["course-1"] = [person("learner-1")]
    teacher = app.test_client()
    cid = launch_with_services(teacher, platform, services, "instructor", user="teacher-1")
    assert NO_GROUPS in sync(teacher, cid)  # NRPS without group_enrollments, no groups claim
    plain = app.test_client()
    cid2 = launch_as(plain, platform, "instructor", user="teacher-2", context="course-9")
    page = plain.get(PAGE.format(cid=cid2)).get_data(as_text=True)
    assert NO_GROUPS in page and "Sync groups from the LMS" not in page  # Moodle 4.5 sends neither


def test_tenants_stay_apart(app, canvas, platform, services):  # noqa: F811
    cid = canvas["cid"]
    services.groups["course-2"] = [{"id": "g-101", "name": "Other course", "members": ["learner-1"]}]
    services.members["course-2"] = [person("learner-1")]
    other = app.test_client()
    launch_with_services(app.test_client(), platform, services, user="learner-1", context="course-2",
                         groups=True)
    cid2 = launch_with_services(other, platform, services, "instructor", user="teacher-2",
                                context="course-2", groups=True)
    sync(canvas["teacher"], cid)
    sync(other, cid2)
    assert set(groups(app, cid2)) == {"Other course"}
    assert "Other course" not in groups(app, cid)
    token = csrf_from(other.get(PAGE.format(cid=cid2)).get_data(as_text=True))
    resp = other.post(PAGE.format(cid=cid) + "/groups/sync", data={"csrf_token": token})
    assert resp.status_code in (401, 403)
    assert canvas["one"].post(PAGE.format(cid=cid) + "/groups/sync",
                              data={"csrf_token": token}).status_code in (400, 403)
