"""The Accommodations pages (list and forms, edit, group, import report, audit trail) and the
learner's quiz page with an accommodation: no axe WCAG 2.1 AA violations, no sideways scroll."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db, utcnow
from course.models import User
from quizzes.accommodations import service
from quizzes.models import Quiz
from quizzes.overrides import Rule
from tests.browser.conftest import assert_no_axe_violations, demo_login

pytestmark = pytest.mark.browser
WIDTHS = (1280, 768, 320)
SCROLL = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(scope="module")
def pages(browser: Any, live_server: Any) -> Iterator[dict[str, Any]]:
    """Logged-in learner and instructor pages, with an override, a group and an audit trail."""
    base = live_server.url
    learner_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    learner = learner_ctx.new_page()
    cid = demo_login(learner, base)
    teacher_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    teacher = teacher_ctx.new_page()
    demo_login(teacher, base, person="demo-instructor")
    with live_server.app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "demo-learner")).one()
        quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == cid)).first()
        quiz.time_limit_minutes = 30
        db.session.commit()
        group = service.save_group(cid, None, "Extended time with a long group name for reflow", [user.id])
        row = service.save_override(cid, None, service.OverrideInput(
            quiz.id, user.id, None, Rule(time_multiplier=1.5, extra_attempts=1,
                                         close_at=utcnow() + timedelta(days=7)),
            note="Letter DS-2025-0042 from the disability-services office, valid this term"))
        service.save_override(cid, None, service.OverrideInput(None, None, group.id,
                                                               Rule(extra_minutes=20)))
        ids = {"row": row.id, "group": group.id, "slug": quiz.slug}
    c = f"{base}/c/{cid}"
    a = f"{c}/quizzes/instructor/accommodations"
    yield {"learner": learner, "teacher": teacher, "quiz": f"{c}/quizzes/{ids['slug']}/",
           "teacher_urls": [a, f"{a}/{ids['row']}/edit", f"{a}/groups/{ids['group']}/edit",
                            f"{c}/quizzes/instructor/audit"], "page": a}
    learner_ctx.close()
    teacher_ctx.close()


def visit(page: Any, url: str) -> None:
    """Open a page at desktop width and make sure it is not an error page."""
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def scrolls(page: Any, url: str) -> list[str]:
    """Every width at which the page scrolls sideways."""
    visit(page, url)
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, client = page.evaluate(SCROLL)
        if scroll > client:
            found.append(f"{url} at {width}px: {scroll} > {client}")
    return found


def test_instructor_pages_pass_axe_and_reflow(pages):
    teacher = pages["teacher"]
    for url in pages["teacher_urls"]:
        visit(teacher, url)
        assert_no_axe_violations(teacher)
        assert scrolls(teacher, url) == []


def test_form_errors_and_import_report_pass_axe(pages):
    teacher = pages["teacher"]
    visit(teacher, pages["page"])
    teacher.select_option("#time_rule", "extra")
    teacher.fill("#extra_minutes", "99999")
    teacher.locator("form[action$='/accommodations'] button[type=submit]").click()
    assert teacher.locator(".field-error").count() >= 1
    assert_no_axe_violations(teacher)
    teacher.set_input_files("#file", files=[{"name": "a.csv", "mimeType": "text/csv", "buffer":
                            b"learner_id,quiz,extra_attempts\r\nnobody,*,1\r\ndemo-learner,*,1\r\n"}])
    teacher.locator("form[action$='/import'] button[type=submit]").click()
    assert "Nothing was saved" in teacher.content()
    assert_no_axe_violations(teacher)
    teacher.set_viewport_size({"width": 320, "height": 900})
    scroll, client = teacher.evaluate(SCROLL)
    assert scroll <= client


def test_learner_quiz_page_with_an_accommodation(pages):
    learner = pages["learner"]
    visit(learner, pages["quiz"])
    assert "with your accommodation" in learner.content()
    assert_no_axe_violations(learner)
    assert scrolls(learner, pages["quiz"]) == []
