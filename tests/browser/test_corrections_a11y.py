"""Grade-correction pages: WCAG 2.1 AA (axe) and no sideways scroll at 320 px, for the regrade
preview, an attempt's grade page (also with a refused score), and the learner's review with the
instructor's comments."""
from __future__ import annotations

from typing import Any

import pytest

from course.db import db
from quizzes.authoring.questions import update_question
from quizzes.corrections import service
from quizzes.corrections.models import WHOLE_ATTEMPT
from quizzes.models import Question
from tests.browser.conftest import LearnerAndTeacher, assert_no_axe_violations, check_page
from tests.quizzes.corrections.helpers import answer, mcq, one_question_quiz, right_and_wrong

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def corrected(learner_and_teacher: LearnerAndTeacher, live_server: Any) -> dict[str, Any]:
    """A learner's overridden attempt at a question whose key was then fixed (version 2)."""
    cid = learner_and_teacher.cid
    item = mcq()
    right, wrong = right_and_wrong(item)
    with live_server.app.app_context():
        quiz, qid = one_question_quiz(cid, item, attempts_allowed=2)
        attempt = answer(quiz, learner_and_teacher.learner_id, wrong)
        service.set_override(attempt, 1, 1, "Your reasoning about the second option holds.", None)
        service.set_override(attempt, WHOLE_ATTEMPT, 90, "Adjusted after the class discussion.",
                             None)
        fixed = {**item, "options": [{**o, "correct": o["id"] == wrong} for o in item["options"]]}
        update_question(db.session.get(Question, qid), fixed)
        aid = attempt.id
    base = f"{live_server.url}/c/{cid}/quizzes"
    return {"teacher": learner_and_teacher.teacher, "learner": learner_and_teacher.learner,
            "aid": aid,
            "teacher_urls": [f"{base}/instructor/questions/{qid}/regrade",
                             f"{base}/instructor/attempts/{aid}/grade",
                             f"{base}/instructor/attempts/{aid}"],
            "learner_urls": [f"{base}/attempts/{aid}/review"]}


def test_instructor_correction_pages(corrected):
    page = corrected["teacher"]
    for url in corrected["teacher_urls"]:
        check_page(page, url)
    page.goto(corrected["teacher_urls"][0])
    assert page.get_by_role("button", name="Regrade existing attempts with version 2").is_visible()
    assert page.get_by_role("table").is_visible()


def test_refused_score_page_is_accessible(corrected):
    page = corrected["teacher"]
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(corrected["teacher_urls"][1])
    page.fill("#value-0", "150")
    page.evaluate("document.querySelector('#value-0').removeAttribute('max')")  # the server's check
    page.fill("#comment-0", "Too generous.")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Save this score").first.click()
    assert nav.value.status == 400
    assert page.get_by_text("Give a score from 0 to 100%").first.is_visible()
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def test_learner_review_with_comments(corrected):
    page = corrected["learner"]
    for url in corrected["learner_urls"]:
        check_page(page, url)
    assert page.get_by_text("Adjusted after the class discussion.").is_visible()
