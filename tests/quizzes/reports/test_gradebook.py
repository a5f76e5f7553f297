"""Gradebook: roster from NRPS, grades by method, drill-down, CSV neutralisation, outages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from course.db import db
from course.models import Context, User
from modules.loader import get_course
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.reports.gradebook import build_gradebook, gradebook_csv, neutralise
from quizzes.taking import attempts
from tests.platform import INSTRUCTOR, LEARNER
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)
from tests.quizzes.instructor_helpers import BASE, as_instructor, as_learner, sample_item

PEOPLE = [
    {"user_id": "learner-1", "name": "Ana Silva", "email": "ana@school.test", "roles": [LEARNER]},
    {"user_id": "teacher-1", "name": "Dr Teach", "roles": [INSTRUCTOR]},
    {"user_id": "learner-7", "name": "Never Launched", "email": "nl@school.test", "roles": [LEARNER]},
]


def _quiz_with_attempts(app, cid, scores_by_sub, grading="highest"):
    """A one-question quiz; each learner submits answers giving the listed scores (1 right, 0 wrong)."""
    item = sample_item("mcq")
    right = next(o["id"] for o in item["options"] if o.get("correct"))
    wrong = next(o["id"] for o in item["options"] if not o.get("correct"))
    with app.app_context():
        qid = create_question(cid, None, item).id
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Gradebook quiz", grading=grading,
                                                               attempts_allowed=0))
        builder.add_fixed(quiz, qid)
        for sub, scores in scores_by_sub.items():
            user = db.session.scalars(select(User).where(User.sub == sub)).one()
            for score in scores:
                attempt = attempts.start_attempt(quiz, user.id)
                attempts.save_answers(attempt, {"q1-opt": right if score else wrong}, [1])
                attempts.submit_attempt(attempt.id, attempt.started_at + timedelta(seconds=95))
        return quiz.id


def test_roster_lists_learners_who_never_launched(app, client, platform, services):  # noqa: F811
    services.members["course-1"] = PEOPLE
    learner = app.test_client()
    launch_with_services(learner, platform, services, "learner", user="learner-1")
    cid = launch_with_services(client, platform, services, "instructor", user="teacher-1")
    _quiz_with_attempts(app, cid, {"learner-1": [0, 1]})
    html = client.get(BASE.format(cid=cid) + "/gradebook").get_data(as_text=True)
    assert "Never Launched" in html and "Has not opened the tool" in html
    assert "Dr Teach" not in html  # instructors are not graded
    assert "100%" in html and "2 attempts" in html and "1 min 35 s" in html
    rows = list(csv.reader(io.StringIO(client.get(BASE.format(cid=cid) + "/gradebook.csv")
                                      .get_data(as_text=True).lstrip("\ufeff"))))
    names = [r[0] for r in rows[1:]]
    assert sorted(names) == ["Never Launched", "User learner-1"]
    ana = next(r for r in rows if r[2] == "learner-1")
    header = rows[0]
    assert ana[header.index("Gradebook quiz: grade (%)")] == "100.0"
    assert ana[header.index("Gradebook quiz: attempts")] == "2"
    assert ana[header.index("Opened the tool")] == "yes"
    never = next(r for r in rows if r[2] == "learner-7")
    assert never[header.index("Gradebook quiz: grade (%)")] == "" and never[3] == "no"


def test_roster_outage_shows_known_learners_and_a_notice(app, client, platform, services):  # noqa: F811
    services.members["course-1"] = PEOPLE
    launch_with_services(app.test_client(), platform, services, "learner", user="learner-1")
    cid = launch_with_services(client, platform, services, "instructor", user="teacher-1")
    services.fail_next(5, status=503, path="/memberships")
    html = client.get(BASE.format(cid=cid) + "/gradebook").get_data(as_text=True)
    assert "could not be read from the learning platform" in html
    assert "User learner-1" in html and "Never Launched" not in html


def test_roster_is_cached_briefly(app, client, platform, services):  # noqa: F811
    services.members["course-1"] = PEOPLE
    cid = launch_with_services(client, platform, services, "instructor", user="teacher-1")
    for _ in range(3):
        client.get(BASE.format(cid=cid) + "/gradebook")
    assert len([c for c in services.adapter.calls if "/memberships" in c]) == 1
    client.get(BASE.format(cid=cid) + "/gradebook?refresh=1")
    assert len([c for c in services.adapter.calls if "/memberships" in c]) == 2


def test_grade_follows_the_grading_method(app, client, platform):
    as_learner(app.test_client(), platform, user="learner-1")
    cid = as_instructor(client, platform)
    quiz_id = _quiz_with_attempts(app, cid, {"learner-1": [1, 0]}, grading="last")
    with app.app_context():
        book = build_gradebook(db.session.get(Context, cid), [builder.get_quiz(cid, quiz_id)])
        [line] = book.lines
        assert line.cells[0].grade == 0.0 and line.cells[0].submitted == 2
        assert line.learner.launched and book.notices  # no roster service in this launch: a notice
        assert book.modules_total == len(get_course().modules) and line.modules_done == 0


def test_drill_down_to_attempts_and_their_review(app, client, platform):
    as_learner(app.test_client(), platform, user="learner-1")
    cid = as_instructor(client, platform)
    _quiz_with_attempts(app, cid, {"learner-1": [0]})
    with app.app_context():
        uid = db.session.scalars(select(User.id).where(User.sub == "learner-1")).one()
    page = client.get(BASE.format(cid=cid) + f"/gradebook/learners/{uid}").get_data(as_text=True)
    assert "Gradebook quiz" in page and "Review" in page
    aid = int(page.split("/instructor/attempts/")[1].split('"')[0])
    review = client.get(BASE.format(cid=cid) + f"/attempts/{aid}")
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and "Why:" in html and "Not right" in html
    assert client.get(BASE.format(cid=cid) + "/gradebook/learners/999999").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised(app, client, platform):
    as_learner(app.test_client(), platform, user="learner-1")
    cid = as_instructor(client, platform)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "learner-1")).one()
        user.name, user.email = '=HYPERLINK("http://evil.test","click")', "+cmd@evil.test"
        db.session.commit()
        quiz = builder.create_quiz(cid, None, builder.Settings(title="@SUM(A1:A9)"))
        text = gradebook_csv(build_gradebook(db.session.get(Context, cid), [quiz]))
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for r in rows for c in r]
    assert "'=HYPERLINK(\"http://evil.test\",\"click\")" in cells and "'+cmd@evil.test" in cells
    assert any(c.startswith("'@SUM(A1:A9)") for c in rows[0])
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)
    assert [neutralise(v) for v in ("-2", "\tx", "\rx", "plain", 5)] == ["'-2", "'\tx", "'\rx", "plain", 5]
