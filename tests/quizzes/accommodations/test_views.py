"""The Accommodations page over HTTP: roles, CSRF, forms and errors, tenancy, CSV round trip, trail."""
import io
from typing import Any

import pytest
from sqlalchemy import func, select

from course.audit import AuditEvent
from course.db import db
from course.models import User
from quizzes.accommodations.models import LearnerGroup, QuizOverride
from quizzes.models import Quiz
from tests.conftest import csrf_from, launch_as

PAGE = "/c/{cid}/quizzes/instructor/accommodations"
SLUG = "quiz-final-cases"


@pytest.fixture
def course(app, platform):
    """An instructor and two learners who have launched into course-1; returns clients and ids."""
    teacher, learner, other = app.test_client(), app.test_client(), app.test_client()
    cid = launch_as(learner, platform, "learner", user="learner-1")
    launch_as(other, platform, "learner", user="learner-2")
    assert launch_as(teacher, platform, "instructor", user="teacher-1") == cid
    with app.app_context():
        ids = {sub: uid for sub, uid in db.session.execute(select(User.sub, User.id))}
        quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == cid, Quiz.slug == SLUG)).one()
        quiz.time_limit_minutes, quiz.attempts_allowed = 30, 1
        db.session.commit()
        quiz_id = quiz.id
    return {"cid": cid, "teacher": teacher, "learner": learner, "other": other, "ids": ids,
            "quiz": quiz_id}


def post(client: Any, cid: int, path: str = "", **data: Any) -> Any:
    """POST to the Accommodations page (or below it) with a CSRF token."""
    token = csrf_from(client.get(PAGE.format(cid=cid)).get_data(as_text=True))
    return client.post(PAGE.format(cid=cid) + path, data={"csrf_token": token, **data})


def count(app: Any, model: Any) -> int:
    """Rows of a table."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_learners_get_403_everywhere(app, course):
    cid, learner = course["cid"], course["learner"]
    base = PAGE.format(cid=cid)
    for url in (base, base + "/export.csv", f"/c/{cid}/quizzes/instructor/audit"):
        assert learner.get(url).status_code == 403
    token = csrf_from(learner.get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True))
    resp = learner.post(base, data={"csrf_token": token, "who": f"u{course['ids']['learner-1']}",
                                    "time_rule": "2"})
    assert resp.status_code == 403 and count(app, QuizOverride) == 0


def test_add_shows_limits_to_that_learner_only(app, course):
    cid, ids = course["cid"], course["ids"]
    resp = post(course["teacher"], cid, who=f"u{ids['learner-1']}", quiz=str(course["quiz"]),
                time_rule="2", extra_attempts="1", note="DSO letter 42")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = course["teacher"].get(PAGE.format(cid=cid)).get_data(as_text=True)
    assert "DSO letter 42" in page and "2 × time, +1 attempt" in page
    mine = course["learner"].get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)
    assert "60 minutes" in mine and "with your accommodation" in mine and "Attempts allowed: 2" in mine
    theirs = course["other"].get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)
    assert "30 minutes" in theirs and "accommodation" not in theirs and "DSO" not in theirs


def test_csrf_is_required(app, course):
    resp = course["teacher"].post(PAGE.format(cid=course["cid"]), data={
        "who": f"u{course['ids']['learner-1']}", "time_rule": "2"})
    assert resp.status_code == 400 and count(app, QuizOverride) == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"time_rule": "2"}, "Choose a learner or a group."),
    ({"who": "u999999", "time_rule": "2"}, "Not a valid choice"),
    ({"who": "LEARNER", "time_rule": "extra", "extra_minutes": "abc"}, "Give a whole number"),
    ({"who": "LEARNER", "time_rule": "extra", "extra_minutes": "99999"}, "from 1 to 1440"),
    ({"who": "LEARNER"}, "changes nothing"),
    ({"who": "LEARNER", "time_rule": "7"}, "Not a valid choice"),
    ({"who": "LEARNER", "open_at": "2025-05-02T09:00", "close_at": "2025-05-01T09:00"},
     "close date must come after"),
    ({"who": "LEARNER", "close_at": "tomorrow"}, "Not a valid datetime"),
    ({"who": "LEARNER", "quiz": "999999", "time_rule": "2"}, "Not a valid choice"),
])
def test_bad_input_is_400_with_the_error_inline(app, course, data, message):
    if data.get("who") == "LEARNER":
        data = {**data, "who": f"u{course['ids']['learner-1']}"}
    resp = post(course["teacher"], course["cid"], **data)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in body and 'class="field-error"' in body
    assert count(app, QuizOverride) == 0


def test_edit_and_remove_then_the_trail_shows_both(app, course):
    cid, ids, teacher = course["cid"], course["ids"], course["teacher"]
    post(teacher, cid, who=f"u{ids['learner-1']}", time_rule="extra", extra_minutes="10")
    with app.app_context():
        oid = db.session.scalar(select(QuizOverride.id))
    edit = f"/{oid}/edit"
    assert 'value="10"' in teacher.get(PAGE.format(cid=cid) + edit).get_data(as_text=True)
    resp = post(teacher, cid, edit, who=f"u{ids['learner-1']}", time_rule="unlimited")
    assert resp.status_code == 302
    assert post(teacher, cid, f"/{oid}/remove").status_code == 302
    trail = teacher.get(f"/c/{cid}/quizzes/instructor/audit").get_data(as_text=True)
    assert "override.add" in trail and "override.change" in trail and "override.remove" in trail
    assert "unlimited_time: False → True" in trail and "User teacher-1" in trail


def test_another_courses_override_and_group_are_404(app, course, platform):
    teacher2 = app.test_client()
    launch_as(course["learner"], platform, "learner", user="learner-1", context="course-2")
    cid2 = launch_as(teacher2, platform, "instructor", user="teacher-2", context="course-2")
    resp = post(teacher2, cid2, who=f"u{course['ids']['learner-1']}", time_rule="2")
    assert resp.status_code == 302
    post(teacher2, cid2, "/groups", name="Theirs", members=str(course["ids"]["learner-1"]))
    with app.app_context():
        oid = db.session.scalar(select(QuizOverride.id))
        gid = db.session.scalar(select(LearnerGroup.id).where(LearnerGroup.name == "Theirs"))
    assert gid is not None
    cid, teacher = course["cid"], course["teacher"]
    assert teacher.get(PAGE.format(cid=cid) + f"/{oid}/edit").status_code == 404
    assert post(teacher, cid, f"/{oid}/remove").status_code == 404
    assert post(teacher, cid, f"/groups/{gid}/remove").status_code == 404
    assert "Theirs" not in teacher.get(PAGE.format(cid=cid)).get_data(as_text=True)
    assert teacher.get(PAGE.format(cid=cid2)).status_code == 401  # no grant for course-2
    # The learner's limits in course-1 are untouched by course-2's override.
    page = course["learner"].get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)
    assert "accommodation" not in page


def upload(client: Any, cid: int, text: str, dry_run: bool = False) -> Any:
    """Post a CSV file to the import form."""
    token = csrf_from(client.get(PAGE.format(cid=cid)).get_data(as_text=True))
    data: dict[str, Any] = {"csrf_token": token, "file": (io.BytesIO(text.encode()), "a.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return client.post(PAGE.format(cid=cid) + "/import", data=data,
                       content_type="multipart/form-data")


def test_csv_round_trip(app, course):
    cid, ids, teacher = course["cid"], course["ids"], course["teacher"]
    post(teacher, cid, who=f"u{ids['learner-1']}", quiz=str(course["quiz"]), time_rule="1.5",
         close_at="2030-05-01T09:00", note="letter, 2025")
    post(teacher, cid, "/groups", name="Extra attempt", members=str(ids["learner-2"]))
    with app.app_context():
        gid = db.session.scalar(select(LearnerGroup.id))
    post(teacher, cid, who=f"g{gid}", extra_attempts="2")
    exported = teacher.get(PAGE.format(cid=cid) + "/export.csv")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert "learner-1" in text and f"{SLUG}" in text and "2030-05-01T09:00:00Z" in text
    assert "Extra attempt,*" in text
    with app.app_context():
        db.session.query(QuizOverride).delete()
        db.session.commit()
    dry = upload(teacher, cid, text, dry_run=True)
    assert dry.status_code == 200 and "Dry run" in dry.get_data(as_text=True)
    assert count(app, QuizOverride) == 0
    done = upload(teacher, cid, text)
    assert done.status_code == 200 and "Saved: 2 added" in done.get_data(as_text=True)
    assert teacher.get(PAGE.format(cid=cid) + "/export.csv").get_data(as_text=True) == text
    again = upload(teacher, cid, text)
    assert "2 unchanged" in again.get_data(as_text=True)


def test_csv_with_an_error_changes_nothing_and_names_the_line(app, course):
    cid, teacher = course["cid"], course["teacher"]
    text = ("learner_id,quiz,time_multiplier,extra_attempts\r\n"
            "learner-1,*,1.5,\r\n"
            "nobody,*,2,\r\n"
            "learner-2,no-such-quiz,,1\r\n"
            "learner-1,*,,x\r\n")
    resp = upload(teacher, cid, text)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Nothing was saved" in body
    assert "No learner of this course has learner_id &#39;nobody&#39;" in body
    assert "There is no quiz &#39;no-such-quiz&#39;" in body
    assert '<td class="num">3</td>' in body and '<td class="num">5</td>' in body
    assert count(app, QuizOverride) == 0 and count(app, AuditEvent) == 0


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "The file is empty"),
    (b"\xff\xfe\x00a", "binary data"),
    (b"name,colour\r\nx,y\r\n", "The first line must name the columns"),
    (b"\xe9t\xe9,quiz\r\n", "not UTF-8"),
])
def test_unreadable_csv_is_400(app, course, raw, message):
    cid, teacher = course["cid"], course["teacher"]
    token = csrf_from(teacher.get(PAGE.format(cid=cid)).get_data(as_text=True))
    resp = teacher.post(PAGE.format(cid=cid) + "/import", content_type="multipart/form-data",
                        data={"csrf_token": token, "file": (io.BytesIO(raw), "a.csv")})
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)


def test_group_page_edit(app, course):
    cid, ids, teacher = course["cid"], course["ids"], course["teacher"]
    assert post(teacher, cid, "/groups", name="Extended time").status_code == 302
    assert post(teacher, cid, "/groups", name="Extended time").status_code == 400  # name taken
    with app.app_context():
        gid = db.session.scalar(select(LearnerGroup.id))
    page = teacher.get(PAGE.format(cid=cid) + f"/groups/{gid}/edit")
    assert page.status_code == 200 and "learner-2" in page.get_data(as_text=True)
    resp = post(teacher, cid, f"/groups/{gid}/edit", name="Extended time",
                members=[str(ids["learner-1"]), str(ids["learner-2"])])
    assert resp.status_code == 302
    assert "2 learner(s)" in teacher.get(PAGE.format(cid=cid)).get_data(as_text=True)
