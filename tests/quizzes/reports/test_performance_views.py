"""Performance pages end to end: a learner answers and sees step scores; bands, heat map, at-risk CSV."""
from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.models import Attempt, QuestionVersion, Quiz
from quizzes.taking import attempts
from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form
from tests.sql_counter import statements

SLUG = "quiz-medication-safety"  # standalone items with steps, then a whole unfolding case


def answer_through_the_pages(app: Flask, client, cid: int) -> int:
    """Start the quiz, answer every question right through the form and submit; the attempt id."""
    page = client.get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)
    url = client.post(f"/c/{cid}/quizzes/{SLUG}/start", data={"csrf_token": csrf_from(page)}).location
    aid = int(re.search(r"/attempts/(\d+)/", url).group(1))
    token = csrf_from(client.get(url).get_data(as_text=True))
    with app.app_context():
        layout = db.session.get(Attempt, aid).layout
        items = {e["position"]: db.session.get(QuestionVersion, e["question_version_id"]).data
                 for e in layout}
    for pos, item in items.items():
        resp = client.post(url, data={"csrf_token": token, "positions": str(pos), "go": "save",
                                      **right_form(item, f"q{pos}-")})
        assert resp.status_code == 302
    assert client.post(url + "submit", data={"csrf_token": token}).status_code == 302
    return aid


def submit_empty(app: Flask, cid: int, sub: str) -> None:
    """A learner who launched submits the quiz with nothing answered (0 points everywhere)."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == sub)).one()
        quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == cid, Quiz.slug == SLUG)).one()
        attempts.submit_attempt(attempts.start_attempt(quiz, user.id).id)


def classmates(app: Flask, platform, n: int, start: int = 2) -> list[str]:
    """Launch n more learners into the course and submit an empty attempt for each."""
    subs = []
    for i in range(start, start + n):
        client = app.test_client()
        cid = launch_as(client, platform, "learner", user=f"learner-{i}")
        submit_empty(app, cid, f"learner-{i}")
        subs.append(f"learner-{i}")
    return subs


def test_learner_answers_and_sees_their_step_scores(app, client, platform):
    cid = launch_as(client, platform, "learner")
    assert "no submitted quiz answers" in client.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)
    answer_through_the_pages(app, client, cid)
    html = client.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)
    assert "My performance" in html and 'role="img"' in html
    for step in ("Recognise cues", "Analyse cues", "Prioritise hypotheses", "Generate solutions",
                 "Take action", "Evaluate outcomes"):
        row = re.search(rf'<th scope="row">{step}</th>\s*<td class="num">([^<]+)</td>\s*'
                        r'<td class="num">([^<]+)</td>', html)
        assert row, step
        assert row.group(2) == "100%"
    assert "Shown once 5 or more learners have answered" in html
    assert "No step or topic is below 70%" in html
    assert f'href="/c/{cid}/quizzes/performance"' in html  # the navigation link


def test_band_appears_only_from_five_learners_and_weak_areas_link_to_modules(app, client, platform):
    cid = launch_as(client, platform, "learner")
    classmates(app, platform, 3)
    submit_empty(app, cid, "learner-1")
    html = client.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)
    assert "0% to 0%" not in html
    assert "Shown once 5 or more" in html
    classmates(app, platform, 1, start=5)  # the fifth learner
    html = client.get(f"/c/{cid}/quizzes/performance").get_data(as_text=True)
    assert "0% to 0%" in html and "Shown once 5 or more" not in html
    assert "/modules/medication-safety/" in html  # the weak topic's module and its sections
    assert re.search(r'href="/c/\d+/modules/medication-safety/[a-z0-9-]+"', html)


def test_instructor_sees_the_class_heat_map_and_at_risk_csv(app, client, platform):
    learner = app.test_client()
    lcid = launch_as(learner, platform, "learner")
    answer_through_the_pages(app, learner, lcid)
    classmates(app, platform, 2)
    cid = launch_as(client, platform, "instructor")
    base = f"/c/{cid}/quizzes/instructor/performance"
    html = client.get(base).get_data(as_text=True)
    assert 'data-sortable' in html and "Learners by NCJMM step" in html and 'class="heat-3">100%' in html
    order = re.findall(r'<th scope="row"><a href="[^"]+/learners/\d+">([^<]+)</a>', html)
    assert len(order) == 3 and order[-1] == "User learner-1"  # lowest first by default
    desc = client.get(base + "?sort=overall&order=desc").get_data(as_text=True)
    assert re.findall(r'<th scope="row"><a href="[^"]+/learners/\d+">([^<]+)</a>', desc)[0] == "User learner-1"
    assert "At risk: below 60% overall" in html
    csv = client.get(base + "/at-risk.csv?below=50").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert lines[0].startswith("\ufeffLearner,Overall (%)") and len(lines) == 3
    assert all(line.split(",")[1] == "0.0" for line in lines[1:])
    assert "User learner-1," not in csv
    assert client.get(base + "?below=0").get_data(as_text=True).count("from 0 answers") == 0


def test_bad_parameters_are_400_and_learners_are_kept_out(app, client, platform):
    cid = launch_as(client, platform, "instructor")
    base = f"/c/{cid}/quizzes/instructor/performance"
    for query in ("?below=abc", "?below=101", "?below=nan", "?sort=nobody", "?order=up"):
        assert client.get(base + query).status_code == 400, query
    assert client.get(base + "/at-risk.csv?below=-1").status_code == 400
    learner = app.test_client()
    lcid = launch_as(learner, platform, "learner")
    assert learner.get(f"/c/{lcid}/quizzes/instructor/performance").status_code == 403
    assert learner.get(f"/c/{lcid}/quizzes/instructor/performance/at-risk.csv").status_code == 403


def test_another_course_is_not_in_the_cohort(app, client, platform):
    cid = launch_as(client, platform, "instructor")
    other = app.test_client()
    launch_as(other, platform, "learner", user="elsewhere", context="course-2")
    submit_empty(app, db_cid(app, "elsewhere"), "elsewhere")
    html = client.get(f"/c/{cid}/quizzes/instructor/performance").get_data(as_text=True)
    assert "elsewhere" not in html and "0 of 0 have answered" in html


def db_cid(app: Flask, sub: str) -> int:
    """The context a user's membership is in."""
    from course.models import Membership
    with app.app_context():
        return db.session.scalars(select(Membership.context_id).join(User).where(User.sub == sub)).one()


def test_statements_do_not_grow_with_the_class(app, client, platform):
    cid = launch_as(client, platform, "instructor")
    learner = app.test_client()
    launch_as(learner, platform, "learner")
    answer_through_the_pages(app, learner, cid)
    pages = (f"/c/{cid}/quizzes/instructor/performance", f"/c/{cid}/quizzes/performance")
    for who, path in zip((client, learner), pages):
        who.get(path)  # the identity check and the version meta are kept after a first view
    counts: dict[int, list[int]] = {}
    for more in (1, 5):
        for n, (who, path) in enumerate(zip((client, learner), pages)):
            classmates(app, platform, more, start=10 * more + 100 * n)  # the cohort is rebuilt
            for _ in ("rebuilt", "kept"):
                with statements(app) as seen:
                    assert who.get(path).status_code == 200
                counts.setdefault(more, []).append(len(seen))
    # Per page (instructor, learner), first with the cohort rebuilt after a submission, then
    # kept. Rebuilt: the cohort marker 1, the versions answered 1, the sums per step, topic and
    # type 1 (one statement), the learners' names 1; the learner's page adds their own answers 1.
    # Kept: the marker 1 (+ own answers 1). The identity check is at most 1 more. More learners
    # add no statement (no N+1): the counts are the same with 3 and with 13 learners.
    assert counts[1] == counts[5], counts
    instructor_rebuilt, instructor_kept, learner_rebuilt, learner_kept = counts[5]
    assert instructor_rebuilt <= 5 and learner_rebuilt <= 6, counts
    assert instructor_kept <= 2 and learner_kept <= 3, counts
    assert instructor_kept < instructor_rebuilt and learner_kept < learner_rebuilt, counts
    print("statements (instructor rebuilt, kept; learner rebuilt, kept):", counts[5])
