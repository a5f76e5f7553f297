"""The gradebook's "grades are not reaching your LMS" banner and Resend forms: WCAG 2.1 AA, 320 px."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from course.db import db, utcnow
from course.models import User
from quizzes.models import PENDING, ScoreOutbox
from quizzes.sync import ensure_course_quizzes
from quizzes.taking import attempts
from tests.browser.conftest import assert_no_axe_violations, demo_login

pytestmark = pytest.mark.browser


def test_banner_and_resend_forms_are_accessible_and_reflow(browser: Any, live_server: Any):
    learner = browser.new_context()
    demo_login(learner.new_page(), live_server.url)
    learner.close()
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    cid = demo_login(page, live_server.url, person="demo-instructor")
    with live_server.app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "demo-learner")).one()
        quiz = ensure_course_quizzes(cid)[0]
        attempt = attempts.start_attempt(quiz, user.id)
        attempts.submit_attempt(attempt.id)
        db.session.execute(update(ScoreOutbox).values(
            status=PENDING, problem="config", tries=1, next_try_at=utcnow(),
            last_error="The LMS refused the grade: allow this tool to use grade services."))
        db.session.commit()
    page.goto(f"{live_server.url}/c/{cid}/quizzes/instructor/gradebook")
    assert page.get_by_text("Grades are not reaching your LMS").is_visible()
    button = page.get_by_role("button", name="Resend everything that has not arrived (1)")
    assert button.is_visible()
    assert_no_axe_violations(page)
    page.get_by_text("Resend for one quiz or one learner").click()
    assert_no_axe_violations(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    button.click()
    page.wait_for_load_state()
    assert page.get_by_text("queued to be sent again").is_visible()
    context.close()
