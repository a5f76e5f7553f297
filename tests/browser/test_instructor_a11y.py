"""axe-core finds no WCAG 2.1 AA violations in the instructor workspace: bank, editor with its
preview, quiz builder and preview, gradebook, statistics, import/export; slots reorder by keyboard."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.media.service import save_image
from quizzes.taking import attempts
from tests.browser.conftest import assert_no_axe_violations, demo_login
from tests.quizzes.instructor_helpers import sample_item
from tests.quizzes.media.images_data import png

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workspace(browser: Any, live_server: Any) -> Iterator[tuple[Any, str, dict]]:
    """The demo instructor's page, the workspace URL, and a quiz the demo learner has taken."""
    learner = browser.new_context()
    lpage = learner.new_page()
    demo_login(lpage, live_server.url)
    learner.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cid = demo_login(page, live_server.url, person="demo-instructor")
    with live_server.app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "demo-learner")).one()
        qids = [create_question(cid, None, sample_item(t), category="Week 1").id for t in ("mcq", "sata", "bowtie")]
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Browser check", attempts_allowed=0))
        for qid in qids:
            builder.add_fixed(quiz, qid)
        builder.add_random(quiz, 1, category="Week 1")
        for answer in ("a", "b"):
            attempt = attempts.start_attempt(quiz, user.id)
            attempts.save_answers(attempt, {"q1-opt": answer}, [1])
            attempts.submit_attempt(attempt.id)
        ids = {"quiz": quiz.id, "question": qids[2], "learner": user.id, "attempt": attempt.id}
    yield page, f"{live_server.url}/c/{cid}/quizzes/instructor", ids
    context.close()


def visit(page: Any, url: str) -> None:
    """Open a page and make sure it is not an error page."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def test_bank_and_filters(workspace):
    page, base, _ = workspace
    visit(page, f"{base}/bank")
    assert_no_axe_violations(page)
    visit(page, f"{base}/bank?type=mcq&q=muscle")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("type_name", ["mcq", "matrix_mr", "dropdown_cloze", "highlight", "bowtie"])
def test_editor_with_preview_and_errors(workspace, type_name):
    page, base, _ = workspace
    visit(page, f"{base}/questions/new/{type_name}")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Save question").click()  # empty form: errors next to fields
    assert page.locator(".field-error").count() > 0
    assert_no_axe_violations(page)


def test_edit_existing_question_with_live_preview(workspace):
    page, base, ids = workspace
    visit(page, f"{base}/questions/{ids['question']}/edit")
    from playwright.sync_api import expect
    page.locator(".form-actions").get_by_role("button", name="Preview").click()
    # expect() waits for the POST-and-render; is_visible() would race the navigation.
    expect(page.get_by_text("As a learner sees it")).to_be_visible()
    assert_no_axe_violations(page)
    page.fill("#stem", "A client with MS has stiffer legs after a fever. Complete the diagram.")
    expect(page.locator("#preview-status")).to_have_text("Preview updated.")  # the script refreshed it
    expect(page.locator("#preview-body")).to_contain_text("stiffer legs after a fever")
    assert_no_axe_violations(page)


def test_builder_preview_and_keyboard_reorder(workspace):
    page, base, ids = workspace
    visit(page, f"{base}/quizzes")
    assert_no_axe_violations(page)
    visit(page, f"{base}/quizzes/{ids['quiz']}")
    assert_no_axe_violations(page)
    def titles() -> list[str]:
        """Slot titles without their "N. " numbers."""
        return [t.split(". ", 1)[1] for t in page.locator(".slot-main strong").all_inner_texts()]
    before = titles()
    page.locator(".slot").first.get_by_role("button", name=re.compile("Move down")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert titles() == [before[1], before[0], *before[2:]]
    visit(page, f"{base}/quizzes/{ids['quiz']}/preview")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Check this answer").click()
    assert_no_axe_violations(page)


def test_images_page_and_an_image_in_a_question(workspace, live_server):
    page, base, _ = workspace
    cid = int(base.split("/c/")[1].split("/")[0])
    with live_server.app.app_context():
        image = save_image(cid, None, png(), "knee.png", "Knee bent to 90 degrees", False)
        item = sample_item("mcq")
        item["stem"] += f"\n\n![](image:{image.id})"
        item["options"] = [dict(o) for o in item["options"]]
        item["options"][0]["text"] = f"![Knee, side view](image:{image.id}) " + item["options"][0]["text"]
        qid = create_question(cid, None, item, category="Images").id
    visit(page, f"{base}/images")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Upload image").click()  # no file, no alt text: errors shown
    assert page.locator("#error-summary").count() == 1
    assert_no_axe_violations(page)
    visit(page, f"{base}/questions/{qid}/edit")
    page.locator(".form-actions").get_by_role("button", name="Preview").click()
    from playwright.sync_api import expect
    expect(page.locator("#preview-body img[alt='Knee, side view']").first).to_be_visible()
    assert page.locator("#preview-body img[alt='Knee bent to 90 degrees']").count() >= 1
    assert_no_axe_violations(page)


def test_gradebook_drill_down_and_statistics(workspace):
    page, base, ids = workspace
    for url in (f"{base}/gradebook", f"{base}/gradebook/learners/{ids['learner']}",
                f"{base}/attempts/{ids['attempt']}", f"{base}/quizzes/{ids['quiz']}/statistics",
                f"{base}/quizzes/{ids['quiz']}/statistics?which=all", f"{base}/transfer",
                f"{base}/performance", f"{base}/performance?sort=name&order=desc&below=90"):
        visit(page, url)
        assert_no_axe_violations(page)


def test_performance_heat_map_sorts_from_the_keyboard(workspace):
    page, base, _ids = workspace
    visit(page, f"{base}/performance")
    button = page.locator("table.heat thead th").nth(1).get_by_role("button")
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("table.heat thead th").nth(1).get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert page.locator("table.heat thead th").nth(1).get_attribute("aria-sort") == "descending"
    assert_no_axe_violations(page)
