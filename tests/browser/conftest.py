"""Browser-test harness shared by every package: a live server, Debian's Chromium through
Playwright, a demo-platform login helper, an axe-core WCAG 2.1 AA check, the demo learner and
instructor signed in side by side (``learner_and_teacher``), and ``check_page`` (200, axe, no
sideways scroll at 320, 768 and 1280 px).

Use it from any test module under tests/browser/:

    pytestmark = pytest.mark.browser

    def test_page(live_server, page):
        cid = demo_login(page, live_server.url)
        page.goto(f"{live_server.url}/c/{cid}/")
        assert_no_axe_violations(page)

Each test module gets its own server and empty database (``live_server`` is module-scoped), so
tests that need untouched progress go in their own module or use another demo person/course.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import BaseWSGIServer, make_server

from course.db import db
from course.models import User
from tests.conftest import build_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Skip browser tests, with the reason, only when Debian's chromium is not installed."""
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium "
                                   "(`make test` does) to run the browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass
class LiveServer:
    """The app served over real HTTP on 127.0.0.1 and an ephemeral port."""

    app: Flask
    server: BaseWSGIServer
    url: str


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: Any) -> Iterator[LiveServer]:
    """A fresh app (demo platform on, its own SQLite or the CI's PostgreSQL) in a thread."""
    app = build_app(tmp_path_factory.mktemp("live"), DEMO_PLATFORM=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app=app, server=server, url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright for the session: a second sync_playwright() inside it would fail."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never `playwright install`)."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new page in a fresh browser context (no cookies), 1280 px wide."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


def demo_login(page: Any, base_url: str, person: str = "demo-learner",
               course: str = "demo-course-1") -> int:
    """Launch through the demo platform at /demo/ as a person into a course; returns the cid."""
    page.goto(f"{base_url}/demo/")
    page.check(f"#person-{person}")
    page.check(f"#course-{course}")
    page.check("#kind-resource")
    page.get_by_role("button", name="Launch").click()
    page.wait_for_url(re.compile(r".*/c/\d+/$"))
    match = re.search(r"/c/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


@dataclass
class LearnerAndTeacher:
    """Two signed-in pages in one demo course: its learner and its instructor."""

    learner: Any
    teacher: Any
    cid: int
    learner_id: int  # the learner's User.id, for set-up through the services


@pytest.fixture(scope="module")
def learner_and_teacher(browser: Any, live_server: LiveServer) -> Iterator[LearnerAndTeacher]:
    """The demo learner and the demo instructor launched into the same course, 1280 px wide."""
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    learner, teacher = (c.new_page() for c in contexts)
    cid = demo_login(learner, live_server.url)
    demo_login(teacher, live_server.url, person="demo-instructor")
    with live_server.app.app_context():
        uid = db.session.scalars(select(User.id).where(User.sub == "demo-learner")).one()
    yield LearnerAndTeacher(learner, teacher, cid, uid)
    for context in contexts:
        context.close()


REFLOW_WIDTHS = (320, 768, 1280)


def assert_no_sideways_scroll(page: Any, url: str) -> None:
    """No horizontal scroll at 320, 768 or 1280 px (the page is narrowed, not reloaded)."""
    for width in REFLOW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px at {width}px"


def check_page(page: Any, url: str) -> None:
    """Open a page at 1280 px: it answers 200, axe finds nothing, and it never scrolls sideways."""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.goto(url).status == 200, url
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page, url)


def axe_violations(page: Any) -> list[dict]:
    """axe-core violations of WCAG 2.0/2.1 A and AA on the current page."""
    from axe_playwright_python.sync_playwright import Axe
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    """One block per violation: rule id, help text and every failing node."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']}  [{v.get('helpUrl', '')}]")
        for node in v["nodes"]:
            lines.append(f"    at {node.get('target')}: {node.get('html', '')[:200]}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


def assert_no_axe_violations(page: Any) -> None:
    """Fail with each violation's id, help and nodes if axe finds any WCAG 2.1 AA problem."""
    violations = axe_violations(page)
    if violations:
        report = format_violations(violations)
        print(f"axe violations on {page.url}:\n{report}")
        pytest.fail(f"{len(violations)} axe violation(s) on {page.url}:\n{report}",
                    pytrace=False)
