"""axe-core finds no WCAG 2.1 AA violations on the module pages, and they fit 360 px wide."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modules.views import web_course
from tests.browser.conftest import assert_no_axe_violations, demo_login

pytestmark = pytest.mark.browser

COURSE = web_course()
MODULES = [m.slug for m in COURSE.modules]


def first_section_with(kind: str) -> tuple[str, str]:
    """(module, section) of the first section holding an item of this practice type."""
    for module in COURSE.modules:
        for section in module.sections:
            if any(item.type == kind for item in section.items):
                return module.slug, section.slug
    raise AssertionError(kind)


@pytest.fixture(scope="module")
def learner(browser: Any, live_server: Any) -> Iterator[tuple[Any, str]]:
    """One logged-in demo learner for the whole module: (page, course base URL)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cid = demo_login(page, live_server.url)
    yield page, f"{live_server.url}/c/{cid}"
    context.close()


def visit(page: Any, url: str) -> None:
    """Open a page and make sure it is not an error page."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def test_course_home_and_module_list(learner):
    page, course = learner
    for url in (f"{course}/", f"{course}/modules/", f"{course}/modules/glossary"):
        visit(page, url)
        assert_no_axe_violations(page)


@pytest.mark.parametrize("module", MODULES)
def test_module_overview_references_and_first_section(learner, module):
    page, course = learner
    first = COURSE.module(module).sections[0].slug
    for url in (f"{course}/modules/{module}/", f"{course}/modules/{module}/references",
                f"{course}/modules/{module}/{first}"):
        visit(page, url)
        assert_no_axe_violations(page)


@pytest.mark.parametrize("kind", ["ashworth", "mrc", "emg", "atrophy", "ladder", "choice"])
def test_practice_types_before_and_after_feedback(learner, kind):
    page, course = learner
    module, section = first_section_with(kind)
    visit(page, f"{course}/modules/{module}/{section}")
    assert_no_axe_violations(page)
    form = page.locator("form.practice-form").first
    form.get_by_role("button", name="Check answer").click()  # unanswered: a prompt to choose
    radios = form.locator("input[type=radio]")
    if radios.count():
        radios.first.check()
        form.get_by_role("button", name="Check answer").click()
    # practice.js moves focus to the feedback region (wait_for_function would need eval: CSP).
    page.locator(".feedback:focus .notice").wait_for()
    assert_no_axe_violations(page)


def test_instructor_home_and_progress_table(browser, live_server, learner):
    learner_page, course = learner
    visit(learner_page, f"{course}/modules/{MODULES[0]}/")  # some progress to show
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cid = demo_login(page, live_server.url, person="demo-instructor")
    for url in (f"{live_server.url}/c/{cid}/", f"{live_server.url}/c/{cid}/modules/progress"):
        visit(page, url)
        assert_no_axe_violations(page)
    assert "Alex Morgan" in page.content()
    context.close()


NARROW_PAGES = {
    "module list": "modules/",
    "glossary": "modules/glossary",
    "emg section": "modules/{}/{}".format(*first_section_with("emg")),
    "ladder section": "modules/{}/{}".format(*first_section_with("ladder")),
}


@pytest.mark.parametrize("name", sorted(NARROW_PAGES))
def test_pages_fit_360_px_without_sideways_scrolling(browser, live_server, name):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    cid = demo_login(page, live_server.url)
    url = f"{live_server.url}/c/{cid}/{NARROW_PAGES[name]}"
    visit(page, url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{url} is {width} px wide"
    assert_no_axe_violations(page)
    context.close()
