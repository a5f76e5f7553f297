"""Needs grading pages and the typed-answer items: WCAG 2.1 AA (axe) and no sideways scroll at
320 px, for the queue, the grading form (also with refused points), a quiz page with numeric,
short-answer and essay items, and the learner's review before and after grading."""
from __future__ import annotations

from typing import Any

import pytest

from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.marking import service
from quizzes.taking import attempts
from tests.browser.conftest import (
    LearnerAndTeacher,
    assert_no_axe_violations,
    assert_no_sideways_scroll,
    check_page,
)
from tests.quizzes.instructor_helpers import sample_item

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def marking(learner_and_teacher: LearnerAndTeacher, live_server: Any) -> dict[str, Any]:
    """A quiz with a numeric, a short-answer and an essay item; one submitted attempt waiting."""
    cid, uid = learner_and_teacher.cid, learner_and_teacher.learner_id
    with live_server.app.app_context():
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
    return {"teacher": learner_and_teacher.teacher, "learner": learner_and_teacher.learner,
            "base": base, "gid": gid, "aid": aid, "open": open_id}


def test_learner_pages_before_grading(marking):
    page = marking["learner"]
    check_page(page, f"{marking['base']}/attempts/{marking['open']}")
    assert page.get_by_label("Number").is_visible() and page.get_by_label("Unit").is_visible()
    check_page(page, f"{marking['base']}/attempts/{marking['aid']}/review")
    assert page.get_by_text("Waiting for your instructor").is_visible()


def test_queue_and_grading_form_then_the_graded_review(marking):
    page = marking["teacher"]
    check_page(page, f"{marking['base']}/instructor/grading")
    form_url = f"{marking['base']}/instructor/grading/{marking['gid']}"
    check_page(page, form_url)
    fields = page.locator("input[name^='points-']")
    for i in range(fields.count()):
        fields.nth(i).fill("99")
    page.get_by_role("button", name="Save the grade").click()
    assert page.locator(".error-summary").is_visible()
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page, form_url)
    for i in range(fields.count()):
        fields.nth(i).fill("1")
    page.get_by_label("Comment for the learner (optional)").fill("Good: you named the withdrawal risk.")
    page.get_by_role("button", name="Save the grade").click()
    assert page.get_by_text("Nothing is waiting").is_visible()
    learner = marking["learner"]
    check_page(learner, f"{marking['base']}/attempts/{marking['aid']}/review")
    assert learner.get_by_text("Good: you named the withdrawal risk.").is_visible()
