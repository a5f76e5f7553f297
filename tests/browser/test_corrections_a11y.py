"""Grade-correction pages: WCAG 2.1 AA (axe) and no sideways scroll at 320 px, for the regrade
preview, an attempt's grade page (also with a refused score), and the learner's review with the
instructor's comments."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring.questions import update_question
from quizzes.corrections import service
from quizzes.corrections.models import WHOLE_ATTEMPT
from quizzes.models import Question
from tests.browser.conftest import assert_no_axe_violations, demo_login
from tests.quizzes.corrections.helpers import answer, mcq, one_question_quiz, right_and_wrong

pytestmark = pytest.mark.browser

WIDTHS = (320, 768, 1280)


@pytest.fixture(scope="module")
def corrected(browser: Any, live_server: Any) -> Iterator[dict[str, Any]]:
    """A learner's overridden attempt at a question whose key was then fixed (version 2)."""
    learner_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    learner = learner_ctx.new_page()
    cid = demo_login(learner, live_server.url)
    teacher_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    teacher = teacher_ctx.new_page()
    demo_login(teacher, live_server.url, person="demo-instructor")
    item = mcq()
    right, wrong = right_and_wrong(item)
    with live_server.app.app_context():
        uid = db.session.scalars(select(User.id).where(User.sub == "demo-learner")).one()
        quiz, qid = one_question_quiz(cid, item, attempts_allowed=2)
        attempt = answer(quiz, uid, wrong)
        service.set_override(attempt, 1, 1, "Your reasoning about the second option holds.", None)
        service.set_override(attempt, WHOLE_ATTEMPT, 90, "Adjusted after the class discussion.",
                             None)
        fixed = {**item, "options": [{**o, "correct": o["id"] == wrong} for o in item["options"]]}
        update_question(db.session.get(Question, qid), fixed)
        aid = attempt.id
    base = f"{live_server.url}/c/{cid}/quizzes"
    yield {"teacher": teacher, "learner": learner, "aid": aid,
           "teacher_urls": [f"{base}/instructor/questions/{qid}/regrade",
                            f"{base}/instructor/attempts/{aid}/grade",
                            f"{base}/instructor/attempts/{aid}"],
           "learner_urls": [f"{base}/attempts/{aid}/review"]}
    learner_ctx.close()
    teacher_ctx.close()


def _check(page: Any, url: str) -> None:
    """axe at full width, then no sideways scroll at each width."""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.goto(url).status == 200, url
    assert_no_axe_violations(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px at {width}px"


def test_instructor_correction_pages(corrected):
    page = corrected["teacher"]
    for url in corrected["teacher_urls"]:
        _check(page, url)
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
        _check(page, url)
    assert page.get_by_text("Adjusted after the class discussion.").is_visible()
