"""Build-your-own practice quiz: pure choice, pages, checking with every rationale, no LMS score, isolation."""
from __future__ import annotations

import re
from typing import Any

import pytest

from course.db import db
from quizzes.models import Attempt, ScoreOutbox
from quizzes.tutor.models import PracticeQuiz
from quizzes.tutor.practice import Filters, choose, layout, matches, title
from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form
from tests.quizzes.taking.test_views import rationales, rows, words

ITEMS = [(1, {"topic": "spasticity", "cjmm": "take_action", "type": "mcq"}),
         (2, {"topic": "spasticity", "cjmm": "recognize_cues", "type": "sata"}),
         (3, {"topic": "weakness", "cjmm": "take_action", "type": "mcq"}),
         (4, {"topic": "weakness", "type": "matching"}),
         (5, {"topic": "spasticity", "cjmm": "take_action", "type": "bowtie"})]


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(length=10), [1, 2, 3, 4, 5]),
    (Filters(module="spasticity"), [1, 2, 5]),
    (Filters(step="take_action"), [1, 3, 5]),
    (Filters(kind="mcq"), [1, 3]),
    (Filters(module="spasticity", step="take_action", kind="mcq"), [1]),
    (Filters(module="falls-safety"), []),
])
def test_choose_filters_by_module_step_and_type(filters: Filters, expected: list[int]) -> None:
    assert sorted(choose(ITEMS, filters, "seed")) == expected
    assert [vid for vid, item in ITEMS if matches(item, filters)] == expected


def test_choose_is_seeded_and_bounded() -> None:
    assert choose(ITEMS, Filters(length=3), "a") == choose(ITEMS, Filters(length=3), "a")
    assert len(choose(ITEMS, Filters(length=3), "a")) == 3
    orders = {tuple(choose(ITEMS, Filters(length=5), s)) for s in "abcdefgh"}
    assert len(orders) > 1  # the seed shuffles
    assert choose(ITEMS + [(1, ITEMS[0][1])], Filters(length=9), "a").count(1) == 1
    assert choose(ITEMS, Filters(length=0), "a") == [] and choose(ITEMS, Filters(length=-2), "a") == []


def test_layout_and_title() -> None:
    assert layout([7, 9]) == [
        {"position": 1, "question_version_id": 7, "case_study_id": None, "stage": None},
        {"position": 2, "question_version_id": 9, "case_study_id": None, "stage": None}]
    names = {"spasticity": "Spasticity", "take_action": "Take action"}
    assert title(Filters(module="spasticity", step="take_action"), names) == "Practice: Spasticity, Take action"
    assert title(Filters(kind="mcq"), names) == "Practice: mcq"
    assert title(Filters(), names) == "Practice: the whole bank"


@pytest.fixture
def learner(client: Any, platform: Any) -> tuple[Any, int]:
    """A launched learner: (client, cid)."""
    return client, launch_as(client, platform, "learner")


def build(client: Any, cid: int, **fields: Any) -> Any:
    """Post the build form (with CSRF) and return the response."""
    page = client.get(f"/c/{cid}/quizzes/practice/")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.get_data(as_text=True)), "length": "5", **fields}
    return client.post(f"/c/{cid}/quizzes/practice/", data=data)


def answer(item: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A right answer where the shared helper knows the type, else no answer (still checked, as 0)."""
    try:
        return right_form(item, prefix)
    except AssertionError:
        return {}


def practice_item(app: Any, pid: int, position: int) -> dict[str, Any]:
    """The item at a position of a practice quiz."""
    from quizzes.models import QuestionVersion
    with app.app_context():
        entry = db.session.get(PracticeQuiz, pid).layout[position - 1]
        return db.session.get(QuestionVersion, entry["question_version_id"]).data


def test_build_check_every_rationale_and_nothing_to_the_lms(app: Any, learner: Any) -> None:
    client, cid = learner
    assert "Build a practice quiz" in client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    resp = build(client, cid, module="spasticity")
    assert resp.status_code == 302
    pid = int(re.search(r"/practice/(\d+)/", resp.location).group(1))
    with app.app_context():
        practice = db.session.get(PracticeQuiz, pid)
        assert len(practice.layout) == 5 and practice.title == "Practice: Spasticity"
    for n in range(1, 6):
        item = practice_item(app, pid, n)
        assert item["topic"] == "spasticity"
        page = client.get(f"{resp.location}?q={n}").get_data(as_text=True)
        assert 'class="rationale' not in page and "Check answer" in page
        data = {"csrf_token": csrf_from(page), "position": str(n), **answer(item, f"q{n}-")}
        checked = client.post(resp.location, data=data)
        assert checked.status_code == 302
        html = client.get(f"{resp.location}?q={n}").get_data(as_text=True)
        assert "Your answer, checked" in html and "Check answer" not in html
        for text in rationales(item):
            assert words(text) in words(html), (item["id"], text)
    final = client.get(resp.location).get_data(as_text=True)
    assert "5 of 5 checked" in final
    assert rows(app, ScoreOutbox) == 0 and rows(app, Attempt) == 0  # never graded, never sent
    listing = client.get(f"/c/{cid}/quizzes/practice/").get_data(as_text=True)
    assert "Practice: Spasticity" in listing and "5 of 5 checked" in listing


def test_a_checked_answer_is_locked(app: Any, learner: Any) -> None:
    client, cid = learner
    url = build(client, cid, kind="mcq").location
    item = practice_item(app, int(re.search(r"/practice/(\d+)/", url).group(1)), 1)
    token = csrf_from(client.get(url).get_data(as_text=True))
    client.post(url, data={"csrf_token": token, "position": "1", **right_form(item, "q1-")})
    with app.app_context():
        first = db.session.scalars(db.select(PracticeQuiz)).one().results["1"]
    client.post(url, data={"csrf_token": token, "position": "1"})  # an empty answer after the check
    with app.app_context():
        assert db.session.scalars(db.select(PracticeQuiz)).one().results["1"] == first
    assert first["points"] == first["max_points"] > 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"length": "4"}, "Choose from 5 to 50 questions."),
    ({"length": "51"}, "Choose from 5 to 50 questions."),
    ({"length": "ten"}, ""),
    ({"module": "astrology"}, ""),
    ({"step": "guess"}, ""),
    ({"kind": "essay"}, ""),  # essays need a person to mark them: not offered
    ({"module": "falls-safety", "kind": "bowtie", "step": "evaluate_outcomes"}, "No questions in the bank match"),
])
def test_bad_build_requests_are_400(app: Any, learner: Any, fields: dict[str, str], message: str) -> None:
    client, cid = learner
    resp = build(client, cid, **fields)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert rows(app, PracticeQuiz) == 0


def test_bad_check_requests(app: Any, learner: Any) -> None:
    client, cid = learner
    url = build(client, cid).location
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "position": "99"}).status_code == 400
    assert client.post(url, data={"csrf_token": token, "position": "x"}).status_code == 400
    assert client.post(url, data={"position": "1"}).status_code == 400  # no CSRF token
    assert client.post(f"/c/{cid}/quizzes/practice/", data={"length": "5"}).status_code == 400
    assert client.get(url + "?q=999").status_code == 200  # clamped to the last question
    assert client.get(f"/c/{cid}/quizzes/practice/999999/").status_code == 404


def test_another_learner_cannot_see_or_answer_a_practice_quiz(app: Any, platform: Any) -> None:
    owner, other = app.test_client(), app.test_client()
    cid = launch_as(owner, platform, "learner", user="learner-1")
    url = build(owner, cid).location
    assert launch_as(other, platform, "learner", user="learner-2") == cid
    assert other.get(url).status_code == 404
    token = csrf_from(other.get(f"/c/{cid}/quizzes/practice/").get_data(as_text=True))
    assert other.post(url, data={"csrf_token": token, "position": "1"}).status_code == 404
    assert "Practice:" not in other.get(f"/c/{cid}/quizzes/practice/").get_data(as_text=True)


def test_a_practice_quiz_stays_in_its_course(app: Any, client: Any, platform: Any) -> None:
    cid = launch_as(client, platform, "learner", user="learner-1", context="course-1")
    url = build(client, cid).location
    other_cid = launch_as(client, platform, "learner", user="learner-1", context="course-2")
    assert other_cid != cid
    assert client.get(url.replace(f"/c/{cid}/", f"/c/{other_cid}/")).status_code == 404
