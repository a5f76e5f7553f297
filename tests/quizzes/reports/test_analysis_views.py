"""Item analysis page against quizzes.statistics, and authorisation of every instructor route."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.bank_loader import get_bank
from quizzes.reports.analysis import analyse_quiz
from quizzes.reports.statistics import item_analysis
from quizzes.taking import attempts
from tests.conftest import csrf_from
from tests.quizzes.instructor_helpers import (
    BASE,
    as_instructor,
    as_learner,
    post,
    sample_item,
    token,
)

# Rows: learners; columns: questions; 1 = right. A Guttman pattern with a spread of totals.
PATTERN = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]


def _build(app, cid, patterns_by_sub):
    """A three-question quiz and, per learner, attempts answering right (1) or wrong (0)."""
    items = [dict(sample_item("mcq"), stem=f"Question number {n}.") for n in range(3)]
    with app.app_context():
        qids = [create_question(cid, None, item).id for item in items]
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Analysed quiz", attempts_allowed=0))
        for qid in qids:
            builder.add_fixed(quiz, qid)
        for sub, patterns in patterns_by_sub.items():
            user = db.session.scalars(select(User).where(User.sub == sub)).one()
            for pattern in patterns:
                attempt = attempts.start_attempt(quiz, user.id)
                form = {}
                for pos, bit in enumerate(pattern, start=1):
                    opts = items[pos - 1]["options"]
                    form[f"q{pos}-opt"] = next(o["id"] for o in opts if bool(o.get("correct")) == bool(bit))
                attempts.save_answers(attempt, form, [1, 2, 3])
                attempts.submit_attempt(attempt.id)
        return quiz.id


def _learners(app, platform, n):
    """Launch n learners; returns their subs."""
    subs = [f"learner-{i}" for i in range(1, n + 1)]
    for sub in subs:
        as_learner(app.test_client(), platform, user=sub)
    return subs


def test_statistics_page_matches_the_pure_statistics(app, client, platform):
    subs = _learners(app, platform, 4)
    cid = as_instructor(client, platform)
    quiz_id = _build(app, cid, {sub: [row] for sub, row in zip(subs, PATTERN)})
    expected = item_analysis(PATTERN, [1, 1, 1], [1 / 4] * 3)
    with app.app_context():
        report = analyse_quiz(builder.get_quiz(cid, quiz_id), "highest")
        assert report.attempts == 4
        assert [r.stats for r in report.items] == list(expected.items)
        assert report.analysis.test == expected.test
    html = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}/statistics").get_data(as_text=True)
    for stats in expected.items:
        assert f"{stats.facility:.1f}%" in html and f"{stats.discrimination_index:.1f}%" in html
    assert f"{expected.test.cic:.1f}%" in html
    assert "<svg" in html and "Facility against discrimination" in html
    assert "too easy" not in html and "Response frequencies" in html


def test_attempt_choice_changes_what_is_analysed(app, client, platform):
    [sub, other] = _learners(app, platform, 2)
    cid = as_instructor(client, platform)
    quiz_id = _build(app, cid, {sub: [[0, 0, 0], [1, 1, 1]], other: [[1, 0, 0]]})
    with app.app_context():
        quiz = builder.get_quiz(cid, quiz_id)
        first, last, every = (analyse_quiz(quiz, w) for w in ("first", "last", "all"))
    assert first.items[0].stats.facility == pytest.approx(50.0)
    assert last.items[1].stats.facility == pytest.approx(50.0) and last.items[0].stats.facility == 100.0
    assert every.attempts == 3 and any("Every attempt" in n for n in every.notes)
    html = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}/statistics?which=first").get_data(as_text=True)
    assert 'value="first" selected' in html
    assert client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}/statistics?which=best").status_code == 400


def test_blank_statistics_are_dashes_with_an_explanation(app, client, platform):
    [sub] = _learners(app, platform, 1)
    cid = as_instructor(client, platform)
    quiz_id = _build(app, cid, {sub: [[1, 0, 1]]})
    html = client.get(BASE.format(cid=cid) + f"/quizzes/{quiz_id}/statistics").get_data(as_text=True)
    assert "—" in html and "not defined for these attempts" in html
    assert "Only 1 attempt(s)" in html


def _instructor_rules(app):
    """Every URL rule served by the instructor workspace modules."""
    return [r for r in app.url_map.iter_rules()
            if _is_instructor_module(app.view_functions[r.endpoint].__module__)]


def _is_instructor_module(name):
    """quizzes.<wing>.instructor_*: the instructor workspace's controllers."""
    return name.startswith("quizzes.") and name.rsplit(".", 1)[-1].startswith("instructor")


def _url(rule, cid):
    """A concrete URL for a rule: the given cid, 1 for other numbers, 'x' for names."""
    values = {a: (cid if a == "cid" else 1 if isinstance(rule._converters[a], IntegerConverter)
                  else "mcq")
              for a in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_learners_get_403_on_every_instructor_route(app, client, platform):
    cid = as_learner(client, platform)
    rules = _instructor_rules(app)
    assert len(rules) >= 20
    slug = get_bank().quizzes[0].slug  # the learner start page has a form, so a CSRF token
    data = {"csrf_token": csrf_from(client.get(f"/c/{cid}/quizzes/{slug}/").get_data(as_text=True))}
    for rule in rules:
        url = _url(rule, cid)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            resp = client.open(url, method=method, data=data if method == "POST" else None)
            assert resp.status_code == 403, (method, url, resp.status_code)


def test_instructors_cannot_reach_another_course(app, client, platform):
    [sub] = _learners(app, platform, 1)
    own = as_instructor(client, platform, context="course-1")
    other_client = app.test_client()
    as_learner(other_client, platform, context="course-2", user="learner-9")
    other = as_instructor(other_client, platform, context="course-2", user="teacher-9")
    quiz_id = _build(app, own, {sub: [[1, 1, 0]]})
    with app.app_context():
        qid = builder.get_quiz(own, quiz_id).slots[0].question_id
        aid = db.session.scalars(select(attempts.Attempt.id).where(attempts.Attempt.quiz_id == quiz_id)).first()
        uid = db.session.scalars(select(User.id).where(User.sub == sub)).one()
    base = BASE.format(cid=other)
    for path in (f"/questions/{qid}/edit", f"/quizzes/{quiz_id}", f"/quizzes/{quiz_id}/statistics",
                 f"/quizzes/{quiz_id}/preview?seed=abcdef12", f"/attempts/{aid}", f"/gradebook/learners/{uid}"):
        assert other_client.get(base + path).status_code == 404, path
    assert post(other_client, other, f"/questions/{qid}/archive").status_code == 404
    assert post(other_client, other, f"/quizzes/{quiz_id}/slots/question", {"question": f"q:{qid}"}).status_code == 404
    gradebook = other_client.get(base + "/gradebook").get_data(as_text=True)
    assert "learner-9" in gradebook and f"User {sub}" not in gradebook
    bank = other_client.get(base + "/bank").get_data(as_text=True)
    assert "Question number 0" not in bank
    # Using the other course's cid without having launched into it is refused outright.
    assert other_client.get(BASE.format(cid=own) + "/bank").status_code == 401
    assert token(client, own)
