"""A learner completes a module with the keyboard only; progress is kept and shown to staff."""
from __future__ import annotations

import re
from typing import Any

import pytest

from modules.views import web_course
from tests.browser.conftest import demo_login

pytestmark = pytest.mark.browser

COURSE = web_course()
MODULE = COURSE.modules[0]


def tab_to(page: Any, target: Any, limit: int = 400) -> None:
    """Press Tab until ``target`` has focus (fail if it never does)."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def choose_with_keyboard(page: Any, form: Any, index: int) -> None:
    """Tab into a radio group, then select option ``index`` with Space or the arrow keys."""
    radios = form.locator("input[type=radio]")
    tab_to(page, radios.first)
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert radios.nth(index).is_checked()


def answer_checks_by_keyboard(page: Any, section: Any) -> None:
    """Answer every knowledge check of the open section without the mouse."""
    for item in section.checks:
        form = page.locator(f"#q-{item.id} form")
        right = next(i for i, o in enumerate(item.options) if o.correct)
        choose_with_keyboard(page, form, right)
        page.keyboard.press("Tab")
        button = form.get_by_role("button", name="Check answer")
        assert page.evaluate("el => document.activeElement === el", button.element_handle())
        page.keyboard.press("Enter")
        # practice.js shows the feedback inline and moves focus to it.
        page.locator(f"#feedback-{item.id}:focus .notice").wait_for()
        assert "Correct." in page.locator(f"#feedback-{item.id}").inner_text()


def follow_with_keyboard(page: Any, link: Any) -> None:
    """Tab to a link and press Enter, waiting for the new page."""
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_module_completed_with_keyboard_only(page, live_server):
    cid = demo_login(page, live_server.url)
    follow_with_keyboard(page, page.get_by_role("link", name=re.compile("^Continue")))
    for index, section in enumerate(MODULE.sections):
        assert page.url.endswith(f"/modules/{MODULE.slug}/{section.slug}")
        answer_checks_by_keyboard(page, section)
        last = index == len(MODULE.sections) - 1
        name = re.compile("^Finish" if last else "^Next:")
        follow_with_keyboard(page, page.locator("nav.pager").get_by_role("link", name=name))
    assert page.url.endswith(f"/modules/{MODULE.slug}/")
    assert "Complete." in page.locator(".module-progress").inner_text()
    assert page.locator("#module-progress").get_attribute("value") == "100"
    page.goto(f"{live_server.url}/c/{cid}/")
    home_bar = page.locator(f"#home-progress-{MODULE.slug}")
    assert home_bar.get_attribute("value") == "100"


def test_ladder_ordered_with_keyboard_only(page, live_server):
    module, section, item = next(
        (m, s, i) for m in COURSE.modules for s in m.sections for i in s.items
        if i.type == "ladder")
    cid = demo_login(page, live_server.url)
    page.goto(f"{live_server.url}/c/{cid}/modules/{module.slug}/{section.slug}")
    form = page.locator(f"#q-{item.id} form")
    for position, step in enumerate(item.steps, start=1):
        select = form.locator(f"select[name='pos-{step.id}']")
        tab_to(page, select)
        current = int(select.input_value())
        key = "ArrowDown" if position > current else "ArrowUp"
        for _ in range(abs(position - current)):
            page.keyboard.press(key)
        assert select.input_value() == str(position)
    tab_to(page, form.get_by_role("button", name="Check answer"))
    page.keyboard.press("Enter")
    page.locator(f"#feedback-{item.id}:focus .notice").wait_for()
    assert "Correct." in page.locator(f"#feedback-{item.id}").inner_text()


def test_learner_leaves_comes_back_and_instructor_sees_progress(browser, live_server):
    module = COURSE.modules[1]
    first, second = module.sections[0], module.sections[1]
    visit = browser.new_context()
    page = visit.new_page()
    cid = demo_login(page, live_server.url, person="demo-learner-2")
    page.goto(f"{live_server.url}/c/{cid}/modules/{module.slug}/{first.slug}")
    for item in first.checks:
        form = page.locator(f"#q-{item.id} form")
        form.locator(f"input[value='{item.answer}']").check()
        form.get_by_role("button", name="Check answer").click()
        page.locator(f"#feedback-{item.id} .notice").wait_for()
    page.goto(f"{live_server.url}/c/{cid}/modules/{module.slug}/{second.slug}")
    visit.close()

    back = browser.new_context()
    page = back.new_page()
    assert demo_login(page, live_server.url, person="demo-learner-2") == cid
    page.get_by_role("link", name=re.compile("^Continue")).click()
    page.wait_for_url(f"**/modules/{module.slug}/{second.slug}")
    back.close()

    staff = browser.new_context()
    page = staff.new_page()
    demo_login(page, live_server.url, person="demo-instructor")
    page.goto(f"{live_server.url}/c/{cid}/modules/progress")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Sam Patel"))
    cells = row.locator("td").all_inner_texts()
    assert cells[0] != "Not started"
    assert cells[1 + COURSE.modules.index(module)].startswith(f"2/{len(module.sections)}")
    staff.close()
