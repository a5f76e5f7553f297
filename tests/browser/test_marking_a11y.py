"""Needs grading pages and the typed-answer items: WCAG 2.1 AA (axe) and no sideways scroll at
320 px, for the queue, the grading form (also with refused points), a quiz page with numeric,
short-answer and essay items, and the learner's review before and after grading."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.marking import service
from quizzes.taking import attempts
from tests.browser.conftest import assert_no_axe_violations, demo_login
from tests.quizzes.instructor_helpers import sample_item

pytestmark = pytest.mark.browser

WIDTHS = (320, 768, 1280)


@pytest.fixture(scope="module")
def marking(browser: Any, live_server: Any) -> Iterator[dict[str, Any]]:
    """A quiz with a numeric, a short-answer and an essay item; one submitted attempt waiting."""
    learner_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    learner = learner_ctx.new_page()
    cid = demo_login(learner, live_server.url)
    teacher_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    teacher = teacher_ctx.new_page()
    demo_login(teacher, live_server.url, person="demo-instructor")
    with live_server.app.app_context():
        uid = db.session.scalars(select(User.id).where(User.sub == "demo-learner")).one()
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Typed answers", attempts_allowed=0))
        for kind in ("numeric", "short_answer", "essay"):
            builder.add_fixed(quiz, create_question(cid, None, sample_item(kind)).id)
        attempt = attempts.start_attempt(quiz, uid)
        form = {f"q{e['position']}-text": "Taper it slowly and call the prescriber." for e in attempt.layout}
        form |= {f"q{e['position']}-value": ".5" for e in attempt.layout}
        attempts.save_answers(attempt, form, [e["position"] for e in attempt.layout])
        attempts.submit_attempt(attempt.id)
        second = attempts.start_attempt(quiz, uid)
        [waiting] = service.waiting(cid)
        gid, aid, open_id = waiting.grade.id, attempt.id, second.id
    base = f"{live_server.url}/c/{cid}/quizzes"
    yield {"teacher": teacher, "learner": learner, "base": base, "gid": gid, "aid": aid, "open": open_id}
    learner_ctx.close()
    teacher_ctx.close()


def _check(page: Any, url: str) -> None:
    """axe at full width, then no sideways scroll at each width."""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.goto(url).status == 200, url
    assert_no_axe_violations(page)
    _no_sideways(page, url)


def _no_sideways(page: Any, url: str) -> None:
    """No horizontal scroll at any of the widths."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px at {width}px"


def test_learner_pages_before_grading(marking):
    page = marking["learner"]
    _check(page, f"{marking['base']}/attempts/{marking['open']}")
    assert page.get_by_label("Number").is_visible() and page.get_by_label("Unit").is_visible()
    _check(page, f"{marking['base']}/attempts/{marking['aid']}/review")
    assert page.get_by_text("Waiting for your instructor").is_visible()


def test_queue_and_grading_form_then_the_graded_review(marking):
    page = marking["teacher"]
    _check(page, f"{marking['base']}/instructor/grading")
    form_url = f"{marking['base']}/instructor/grading/{marking['gid']}"
    _check(page, form_url)
    fields = page.locator("input[name^='points-']")
    for i in range(fields.count()):
        fields.nth(i).fill("99")
    page.get_by_role("button", name="Save the grade").click()
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    _no_sideways(page, form_url)
    for i in range(fields.count()):
        fields.nth(i).fill("1")
    page.get_by_label("Comment for the learner (optional)").fill("Good: you named the withdrawal risk.")
    page.get_by_role("button", name="Save the grade").click()
    assert page.get_by_text("Nothing is waiting").is_visible()
    learner = marking["learner"]
    _check(learner, f"{marking['base']}/attempts/{marking['aid']}/review")
    assert learner.get_by_text("Good: you named the withdrawal risk.").is_visible()
