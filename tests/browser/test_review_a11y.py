"""Spaced review in a real browser: 0 axe violations and no sideways scroll on every new page."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import update

from course.db import db
from quizzes.review.models import ReviewItem
from quizzes.scores import worker
from tests.browser.conftest import assert_no_axe_violations, demo_login
from tests.browser.test_quiz_a11y import make_quiz, start
from tests.browser.test_reflow import widths_that_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _case_first(app: Any) -> None:
    """Make the case study's items the longest overdue, so the session opens with the whole case."""
    with app.app_context():
        worker.schedule_reviews()  # the worker's pass after the Submit
        db.session.execute(update(ReviewItem).where(ReviewItem.case_id.is_not(None)).values(due_day=0))
        db.session.commit()


def test_review_pages_pass_axe_and_reflow(live_server: Any, page: Any) -> None:
    base = live_server.url
    cid = demo_login(page, base)
    make_quiz(live_server.app, cid, "review-axe", with_case=True)
    url = start(page, base, cid, "review-axe")
    page.goto(url + "finish")  # nothing answered: every item comes back in review
    page.get_by_role("button", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r".*/review$"))
    _case_first(live_server.app)
    urls = []
    page.goto(f"{base}/c/{cid}/")
    assert page.get_by_role("heading", name="Spaced review").count() == 1
    assert_no_axe_violations(page)
    urls.append(page.url)
    page.goto(f"{base}/c/{cid}/quizzes/review/")
    page.get_by_role("button", name="Show it").click()
    page.wait_for_url(re.compile(r".*/quizzes/review/$"))
    assert_no_axe_violations(page)
    urls.append(page.url)
    page.get_by_role("button", name="Review now").click()
    page.wait_for_url(re.compile(r".*/review/\d+/$"))
    assert page.get_by_role("heading", name=re.compile("^Case study")).count() == 1
    assert_no_axe_violations(page)
    urls.append(page.url)
    page.get_by_role("button", name="Check answer").click()
    page.wait_for_selector(".tutor-feedback")
    assert_no_axe_violations(page)
    urls.append(page.url)
    page.goto(f"{base}/c/{cid}/")  # the weekly summary is on now
    assert page.get_by_role("heading", name="Your week").count() == 1
    assert_no_axe_violations(page)
    problems: list[str] = []
    for target in urls:
        problems += widths_that_scroll(page, target)
    assert problems == [], "\n".join(problems)


def test_a_module_item_in_a_review_session_passes_axe_and_reflow(live_server: Any, page: Any) -> None:
    from tests.quizzes.review.test_review_modules import cited_check
    base = live_server.url
    cid = demo_login(page, base, person="demo-learner-2")
    module, section, item = cited_check()
    page.goto(f"{base}/c/{cid}/modules/{module.slug}/{section.slug}")
    box = page.locator(f"#q-{item.id}")
    wrong = next(o.id for o in item.options if not o.correct)
    box.locator(f"#q-{item.id}-{wrong}").check()
    box.get_by_role("button", name="Check answer").click()
    box.get_by_text("Not quite").wait_for()
    page.goto(f"{base}/c/{cid}/quizzes/review/")
    page.get_by_role("button", name="Review now").click()
    page.wait_for_url(re.compile(r".*/review/\d+/$"))
    assert page.get_by_role("link", name="Read the section again").count() == 1
    assert_no_axe_violations(page)
    urls = [page.url]
    page.locator(f"#q-{item.id}-{item.answer}").check()
    page.get_by_role("button", name="Check answer").click()
    page.get_by_text("Correct.").wait_for()
    assert_no_axe_violations(page)
    urls.append(page.url)
    problems: list[str] = []
    for target in urls:
        problems += widths_that_scroll(page, target)
    assert problems == [], "\n".join(problems)
