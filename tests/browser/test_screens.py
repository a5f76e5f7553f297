"""Issue 12 §3 in a real browser: words and grades never split, instructor tables sort from the
keyboard with the name column kept in place, and times show in the reader's time zone."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from course.models import User
from modules.views import web_course
from quizzes.models import Quiz
from quizzes.taking import attempts
from tests.browser.conftest import assert_no_axe_violations, demo_login
from tests.browser.test_quiz_a11y import make_quiz

pytestmark = pytest.mark.browser

# Each word of the page's text (split at spaces, hyphens, slashes and dashes, where a line may
# break) whose characters sit on more than one line; "1+" counts as one word.
SPLIT_WORDS = """(selector) => {
  const split = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-\\/\\u2013\\u2014]{2,24}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                             .map(r => Math.round(r.top)));
        if (tops.size > 1) { split.push(m[0]); }
      }
    }
  }
  return split;
}"""


def section_with_grades() -> str:
    """The section that writes Modified Ashworth grades such as 1+ (a table and prose)."""
    for module in web_course().modules:
        for section in module.sections:
            if "1+" in section.html and "<table" in section.html:
                return f"{module.slug}/{section.slug}"
    raise AssertionError("no section writes a 1+ grade in a table")


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_no_word_or_grade_is_split_across_lines(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    cid = demo_login(page, live_server.url)
    for path in (section_with_grades(), "glossary"):
        page.goto(f"{live_server.url}/c/{cid}/modules/{path}")
        split = page.evaluate(SPLIT_WORDS, ".section-body, .item, .glossary")
        assert not split, f"{path} at {width}px splits {split[:10]}"
    context.close()


@pytest.fixture(scope="module")
def instructor(browser: Any, live_server: Any) -> Iterator[tuple[Any, str, int]]:
    """The demo instructor (320 px wide) after two learners took a quiz: (page, course URL, quiz id)."""
    app, base = live_server.app, live_server.url
    for person in ("demo-learner", "demo-learner-2"):
        ctx = browser.new_context()
        cid = demo_login(ctx.new_page(), base, person=person)
        ctx.close()
    quiz_id = make_quiz(app, cid, "screens", with_case=False)
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        for sub in ("demo-learner", "demo-learner-2"):
            user = db.session.scalars(select(User).where(User.sub == sub)).one()
            attempts.submit_attempt(attempts.start_attempt(quiz, user.id).id)
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    demo_login(page, base, person="demo-instructor")
    yield page, f"{base}/c/{cid}", quiz_id
    context.close()


def first_column(page: Any) -> list[str]:
    """The learner names down the table's first column."""
    return [t.split("\n")[0].strip() for t in page.locator("tbody tr > :first-child").all_inner_texts()]


def test_gradebook_sorts_by_keyboard_and_keeps_the_name_column(instructor):
    page, course, _ = instructor
    page.goto(f"{course}/quizzes/instructor/gradebook")
    region = page.locator(".table-scroll")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-labelledby")
    button = page.locator("thead th").first.get_by_role("button")
    header = page.locator("thead th").first
    assert header.get_attribute("aria-sort") is None
    button.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    names = first_column(page)
    assert names == sorted(names, key=str.lower) and len(names) >= 3
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    assert first_column(page) == names[::-1]
    # Scrolled sideways, the name cells stay at the left edge of the scroll container.
    left = region.evaluate("el => { el.scrollLeft = 400; return el.getBoundingClientRect().left; }")
    assert region.evaluate("el => el.scrollLeft") > 0
    cell = page.locator("tbody tr > :first-child").first
    assert abs(cell.evaluate("el => el.getBoundingClientRect().left") - left) < 2
    assert_no_axe_violations(page)


def test_statistics_and_progress_tables_sort_too(instructor):
    page, course, quiz_id = instructor
    for url in (f"{course}/quizzes/instructor/quizzes/{quiz_id}/statistics", f"{course}/modules/progress"):
        page.goto(url)
        table = page.locator("table[data-sortable]")
        assert table.count() == 1, url
        heads = table.locator("thead th")
        assert heads.count() == table.locator("thead th button.sort-button").count()
        heads.nth(1).get_by_role("button").press("Enter")
        assert heads.nth(1).get_attribute("aria-sort") == "ascending"
        assert page.get_by_role("status").filter(has_text="Sorted by").count() == 1
        assert_no_axe_violations(page)


def test_times_show_in_the_readers_zone_with_utc_on_hover(browser, live_server):
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    page = context.new_page()
    cid = demo_login(page, live_server.url, person="demo-learner-2")
    make_quiz(live_server.app, cid, "times", with_case=False)
    page.goto(f"{live_server.url}/c/{cid}/quizzes/times/")
    page.get_by_role("button", name=re.compile("^Start")).click()
    page.goto(f"{live_server.url}/c/{cid}/quizzes/history")
    when = page.locator("time[data-local]").first
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when.get_attribute("datetime"))
    assert when.get_attribute("title").endswith("UTC")  # UTC on hover
    shown = when.inner_text()
    assert "UTC" not in shown and re.search(r"EST|EDT|GMT-[45]", shown), shown
    assert_no_axe_violations(page)
    context.close()


def test_missing_module_page_links_home_without_axe_violations(page, live_server):
    cid = demo_login(page, live_server.url)
    response = page.goto(f"{live_server.url}/c/{cid}/modules/no-such-module/")
    assert response is not None and response.status == 404
    page.get_by_role("link", name="Back to the course home").click()
    assert page.url.endswith(f"/c/{cid}/")
    page.go_back()
    assert_no_axe_violations(page)
