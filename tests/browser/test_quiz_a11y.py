"""Learner quiz pages in a real browser: 0 axe violations on the list, every item type and the
review; an attempt completed with the keyboard only; answers survive the tab closing."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from quizzes.bank_loader import get_bank
from quizzes.models import COURSE, SHIPPED, Attempt, Question, Quiz, QuizSlot
from quizzes.sync import ensure_course_quizzes
from quizzes.taking.attempt_layout import saved_responses
from quizzes.taking.pages import answered
from quizzes.types import REGISTRY
from tests.browser.conftest import assert_no_axe_violations, demo_login

pytestmark = pytest.mark.browser
CASE = next(iter(get_bank().case_studies))


def make_quiz(app: Any, cid: int, slug: str, with_case: bool = True) -> int:
    """A course quiz with one shipped question of every type, then a case study block."""
    with app.app_context():
        ensure_course_quizzes(cid)
        quiz = Quiz(context_id=cid, slug=slug, title=f"Every item type ({slug})", source=COURSE,
                    attempts_allowed=0, grading="highest", review="rationales",
                    review_when="after_each", pass_mark=70, published=True, time_limit_minutes=60)
        for n, kind in enumerate(sorted(REGISTRY), 1):
            question = db.session.scalars(select(Question).where(
                Question.source == SHIPPED, Question.type == kind).order_by(Question.id)).first()
            quiz.slots.append(QuizSlot(position=n, question_id=question.id))
        if with_case:
            quiz.slots.append(QuizSlot(position=len(REGISTRY) + 1, case_study_id=CASE))
        db.session.add(quiz)
        db.session.commit()
        return quiz.id


def start(page: Any, base: str, cid: int, slug: str) -> str:
    """Open the quiz and press Start; returns the attempt URL."""
    page.goto(f"{base}/c/{cid}/quizzes/{slug}/")
    page.get_by_role("button", name=re.compile("^(Start|Resume)")).click()
    page.wait_for_url(re.compile(r".*/attempts/\d+/$"))
    return page.url


def tab_to(page: Any, target: Any, limit: int = 300) -> None:
    """Press Tab until ``target`` has focus."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def answer_by_keyboard(page: Any) -> None:
    """Answer the question on the page with Tab, Space and arrow keys only."""
    question = page.locator("section.question")
    limit_box = question.locator("fieldset[data-select-limit]")
    limit = int(limit_box.get_attribute("data-select-limit")) if limit_box.count() else None
    controls = question.locator("input, select, textarea")
    groups: set[str] = set()
    ticked = selects = 0
    for i in range(controls.count()):
        control = controls.nth(i)
        kind = control.evaluate("el => el.tagName === 'SELECT' ? 'select' : el.type")
        if kind == "radio":
            name = control.get_attribute("name")
            if name in groups:
                continue
            groups.add(name)
            tab_to(page, control)
            page.keyboard.press("Space")
        elif kind == "checkbox" and (limit is None or ticked < limit):
            tab_to(page, control)
            page.keyboard.press("Space")
            ticked += 1
        elif kind == "select":
            # Neighbouring lists get different options, so "use each word once" rules hold.
            real = control.locator("option").count() - 1
            selects += 1
            tab_to(page, control)
            for _ in range((selects - 1) % real + 1):
                page.keyboard.press("ArrowDown")
        elif kind in ("text", "number", "textarea"):  # numeric, short answer and essay items
            tab_to(page, control)
            page.keyboard.type("5 mL" if kind == "text" else "5")


def press(page: Any, name: str) -> None:
    """Tab to a button and press Enter, waiting for the next page."""
    tab_to(page, page.get_by_role("button", name=name, exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_quiz_list_attempt_pages_and_review_have_no_axe_violations(live_server, page):
    base = live_server.url
    cid = demo_login(page, base)
    make_quiz(live_server.app, cid, "axe-all-types")
    page.goto(f"{base}/c/{cid}/quizzes/")
    assert_no_axe_violations(page)
    page.goto(f"{base}/c/{cid}/quizzes/axe-all-types/")
    assert_no_axe_violations(page)
    url = start(page, base, cid, "axe-all-types")
    total = len(REGISTRY) + 6
    seen_types = set()
    for n in range(1, total + 1):
        page.goto(f"{url}?q={n}")
        seen_types.add(page.locator("section.question .q-type").inner_text())
        if page.locator("[role=tablist]").count():
            page.get_by_role("tab").nth(1).click()  # the chart as JS tabs
        assert_no_axe_violations(page)
    assert len(seen_types) == len(REGISTRY)
    page.goto(url + "finish")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r".*/review$"))
    assert page.locator(".rationale").count() > 0  # rationales shown at review
    assert_no_axe_violations(page)
    page.goto(f"{base}/c/{cid}/quizzes/history")
    assert_no_axe_violations(page)
    page.goto(f"{base}/c/{cid}/quizzes/performance")  # step scores, charts and trend
    assert page.locator("svg[role=img]").count() >= 4
    assert_no_axe_violations(page)


def test_keyboard_only_completion_of_every_item_type(live_server, page):
    base = live_server.url
    cid = demo_login(page, base, person="demo-learner-2")
    make_quiz(live_server.app, cid, "keyboard-all-types")
    url = start(page, base, cid, "keyboard-all-types")
    total = len(REGISTRY) + 6
    for n in range(1, total + 1):
        assert page.url.endswith(f"?q={n}") or n == 1
        tabs = page.get_by_role("tab")
        if tabs.count() > 1:  # arrow keys move between the chart's tabs
            tab_to(page, tabs.first)
            page.keyboard.press("ArrowRight")
            assert tabs.nth(1).get_attribute("aria-selected") == "true"
        answer_by_keyboard(page)
        press(page, "Save and next" if n < total else "Save and finish")
    assert page.url.endswith("/finish")
    assert "have answered all" in page.content()
    press(page, "Submit attempt 1")
    assert page.url.endswith("/review") and "Score:" in page.content()
    aid = int(re.search(r"/attempts/(\d+)/", url).group(1))
    with live_server.app.app_context():
        attempt = db.session.get(Attempt, aid)
        rows = saved_responses(attempt)
        assert attempt.state == "submitted"
        assert all(p in rows and answered(rows[p].response) for p in range(1, total + 1))


def test_answer_saved_when_the_tab_closes(live_server, browser):
    base = live_server.url
    context = browser.new_context()
    page = context.new_page()
    cid = demo_login(page, base)
    make_quiz(live_server.app, cid, "close-tab", with_case=False)
    url = start(page, base, cid, "close-tab")
    first_radio = page.locator("section.question input[type=radio]").first
    if not first_radio.count():
        first_radio = page.locator("section.question input, section.question select").first
    first_radio.check() if first_radio.evaluate("el => el.type") in ("radio", "checkbox") \
        else first_radio.select_option(index=1)
    page.goto("about:blank")  # leave at once, before the debounced autosave would run
    page.wait_for_timeout(1500)
    context.close()
    aid = int(re.search(r"/attempts/(\d+)/", url).group(1))
    with live_server.app.app_context():
        rows = saved_responses(db.session.get(Attempt, aid))
        assert 1 in rows and answered(rows[1].response)
