"""Tutor mode, flags and practice quizzes in a real browser: 0 axe violations, no sideways scroll."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from quizzes.models import Quiz
from tests.browser.conftest import assert_no_axe_violations, demo_login
from tests.browser.test_quiz_a11y import make_quiz, start
from tests.browser.test_reflow import widths_that_scroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _tutor(app: Any, quiz_id: int) -> None:
    """Put a quiz in tutor mode."""
    with app.app_context():
        db.session.scalars(select(Quiz).where(Quiz.id == quiz_id)).one().mode = "tutor"
        db.session.commit()


def _check(page: Any) -> None:
    """Press Check answer and wait for the checked page."""
    page.get_by_role("button", name="Check answer").click()
    page.wait_for_selector(".tutor-feedback")


def test_tutor_flag_and_practice_pages_pass_axe_and_reflow(live_server: Any, page: Any) -> None:
    base = live_server.url
    cid = demo_login(page, base)
    _tutor(live_server.app, make_quiz(live_server.app, cid, "tutor-axe", with_case=False))
    url = start(page, base, cid, "tutor-axe")
    urls = []
    for n in (1, 2, 3):  # choice, bow-tie and a cloze type come first in the sorted registry
        page.goto(f"{url}?q={n}")
        page.get_by_label("Flag this question for review").check()
        _check(page)
        assert page.locator(".tutor-feedback .rationale").count() > 0
        assert page.locator(".nav-flagged").count() == n
        assert_no_axe_violations(page)
        urls.append(f"{url}?q={n}")
    page.goto(url + "finish")
    page.get_by_role("button", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r".*/review$"))
    assert page.get_by_role("heading", name="Questions you flagged").count() == 1
    assert_no_axe_violations(page)
    urls.append(page.url)
    page.goto(f"{base}/c/{cid}/quizzes/practice/")
    assert_no_axe_violations(page)
    urls.append(page.url)
    page.get_by_label("Module").select_option("spasticity")
    page.get_by_role("button", name="Build the practice quiz").click()
    page.wait_for_url(re.compile(r".*/practice/\d+/$"))
    assert_no_axe_violations(page)
    urls.append(page.url)
    _check(page)
    assert_no_axe_violations(page)
    urls.append(page.url)
    problems: list[str] = []
    for target in urls:
        problems += widths_that_scroll(page, target)
    assert problems == [], "\n".join(problems)
