"""No page scrolls sideways (WCAG 2.1 SC 1.4.10 Reflow): every learner and instructor page and
every question type at 320, 768 and 1280 CSS px, and inside a 960 px LMS iframe.

One Chromium and one live server for the module. Each page is loaded once at 1280 px and then
narrowed (the layout reflows on resize), then loaded again inside a host page that frames the
tool, as an LMS does. Set ``REFLOW_SHOTS=/tmp/shots`` to also save screenshots of the bow-tie
item and the gradebook at every width.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from course.db import db
from course.models import User
from exports.content import get_handouts
from modules import progress
from modules.practice import check_practice
from modules.views import web_course
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.media.service import save_image
from quizzes.models import Quiz
from quizzes.review import service as review
from quizzes.review.models import ReviewItem
from quizzes.review.schedule_store import module_key
from quizzes.taking import attempts
from quizzes.types import REGISTRY
from tests.browser.conftest import demo_login
from tests.browser.test_quiz_a11y import make_quiz
from tests.quizzes.instructor_helpers import sample_item
from tests.quizzes.media.images_data import png

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1280, 768, 320)
FRAME_WIDTH = 960
SHOTS = os.environ.get("REFLOW_SHOTS")

# scrollWidth against clientWidth, and the widest elements that stick out, to name the culprit.
MEASURE = """() => {
  const root = document.documentElement, limit = root.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 1 && r.width > 0) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
               `${el.className && el.className.baseVal === undefined
                  ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : ''}` +
               ` right=${Math.round(r.right)}`);
    }
  }
  return {scroll: root.scrollWidth, client: limit, culprits: out.slice(-4)};
}"""


def host_page(url: str) -> str:
    """The LMS stand-in: a page that frames the tool 960 px wide."""
    return (f"<!doctype html><html lang='en'><head><title>LMS</title></head><body style='margin:0'>"
            f"<iframe title='Course tool' src='{url}' style='width:{FRAME_WIDTH}px;height:800px;"
            "border:0'></iframe></body></html>")


class HostHandler(BaseHTTPRequestHandler):
    """GET /lms?<tool url> answers the host page (a real local server: Chromium's local network
    checks block a routed, network-less page from framing 127.0.0.1)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        """The host page around the tool URL in the query string."""
        body = host_page(self.path.split("?", 1)[1]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    """The LMS stand-in's origin: same site as the tool (cookies flow), another origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: Any, host: str) -> Iterator[Any]:
    """This module's server, which lets the host page frame it (frame-ancestors)."""
    from werkzeug.serving import make_server

    from tests.browser.conftest import LiveServer
    from tests.conftest import build_app
    app = build_app(tmp_path_factory.mktemp("reflow"), DEMO_PLATFORM=True, FRAME_ANCESTORS=[host])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app=app, server=server, url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def pages(browser: Any, live_server: Any, host: str) -> Iterator[dict[str, Any]]:
    """Logged-in learner and instructor pages and every URL each should reflow."""
    base = live_server.url
    learner_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    learner = learner_ctx.new_page()
    cid = demo_login(learner, base)
    teacher_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    teacher = teacher_ctx.new_page()
    demo_login(teacher, base, person="demo-instructor")
    quiz_id = make_quiz(live_server.app, cid, "reflow-all-types")
    app = live_server.app
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == "demo-learner")).one()
        quiz = db.session.get(Quiz, quiz_id)
        done = attempts.start_attempt(quiz, user.id)
        attempts.submit_attempt(done.id)
        open_ = attempts.start_attempt(quiz, user.id)
        bowtie = create_question(cid, None, sample_item("bowtie"), category="Reflow").id
        # A wide image on the images page and in a question's stem must shrink, not scroll.
        wide = save_image(cid, None, png(1600, 200), "wide.png", "A wide strip", False)
        pictured = sample_item("mcq")
        pictured["stem"] += f"\n\n![](image:{wide.id})"
        own_item = create_question(cid, None, pictured, category="Reflow").id
        own = builder.create_quiz(cid, None, builder.Settings(title="Reflow builder", attempts_allowed=0))
        builder.add_fixed(own, bowtie)
        builder.add_fixed(own, own_item)
        ids = {"done": done.id, "open": open_.id, "user": user.id, "own": own.id,
               "slots": len(quiz.slots), "review": module_review(cid, user.id)}
    c = f"{base}/c/{cid}"
    course = web_course()
    learner_urls = [f"{c}/", f"{c}/modules/", f"{c}/modules/glossary", f"{c}/quizzes/",
                    f"{c}/quizzes/reflow-all-types/", f"{c}/quizzes/history",
                    f"{c}/quizzes/attempts/{ids['done']}/review",
                    f"{c}/quizzes/attempts/{ids['open']}/finish", f"{c}/handouts/",
                    f"{c}/quizzes/performance", f"{c}/quizzes/review/{ids['review']}/?q=1",
                    f"{c}/quizzes/review/{ids['review']}/?q=2"]
    for module in course.modules:
        learner_urls += [f"{c}/modules/{module.slug}/", f"{c}/modules/{module.slug}/references"]
        learner_urls += [f"{c}/modules/{module.slug}/{s.slug}" for s in module.sections]
    learner_urls += [f"{c}/handouts/{h.slug}" for h in get_handouts()]
    learner_urls += [f"{c}/handouts/{h.slug}?lang=es" for h in get_handouts("es")]
    total = ids["slots"] + 5  # the case study block holds six questions
    learner_urls += [f"{c}/quizzes/attempts/{ids['open']}/?q={n}" for n in range(1, total + 1)]
    q = f"{c}/quizzes/instructor"
    teacher_urls = [f"{c}/", f"{q}/bank", f"{q}/questions/new", f"{q}/quizzes",
                    f"{q}/quizzes/{quiz_id}", f"{q}/quizzes/{ids['own']}/preview",
                    f"{q}/gradebook", f"{q}/gradebook/learners/{ids['user']}",
                    f"{q}/attempts/{ids['done']}", f"{q}/quizzes/{quiz_id}/statistics",
                    f"{q}/transfer", f"{q}/questions/{bowtie}/edit", f"{c}/modules/progress",
                    f"{q}/performance", f"{q}/images",
                    f"{c}/handouts/clinic", f"{q}/attempts/{ids['done']}/grade",
                    f"{q}/questions/{bowtie}/regrade"]
    teacher_urls += [f"{q}/questions/new/{kind}" for kind in sorted(REGISTRY)]
    yield {"learner": (learner, learner_urls), "teacher": (teacher, teacher_urls), "cid": cid,
           "base": base, "ids": ids, "host": host}
    learner_ctx.close()
    teacher_ctx.close()


def module_review(cid: int, user_id: int) -> int:
    """A review session that opens with a teaching-module check answered wrong, then a question."""
    module = web_course().modules[0]
    section = next(s for s in module.sections if s.checks)
    item = section.checks[0]
    wrong = next(o.id for o in item.options if not o.correct)
    progress.record_answer(cid, user_id, module, section, item, check_practice(item, {"answer": wrong}))
    db.session.execute(update(ReviewItem).where(  # the most overdue, so it comes first
        ReviewItem.item_key == module_key(module.slug, item.id)).values(due_day=0))
    db.session.commit()
    return review.build(cid, user_id).id


def widths_that_scroll(page: Any, url: str) -> list[str]:
    """Open the page at 1280 px, narrow it to each width, and report every sideways scroll."""
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        m = page.evaluate(MEASURE)
        if m["scroll"] > m["client"]:
            problems.append(f"{url} at {width}px: {m['scroll']} > {m['client']} {m['culprits']}")
    return problems


def scrolls_in_frame(page: Any, host: str, url: str) -> list[str]:
    """Open the page in the host's 960 px iframe and report a sideways scroll inside it."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{host}/lms?{url}")
    frame = page.locator("iframe").element_handle().content_frame()
    frame.wait_for_load_state()
    assert frame.url.startswith(url), f"the iframe did not open {url} (framing refused?): {frame.url}"
    m = frame.evaluate(MEASURE)
    if m["scroll"] > m["client"]:
        return [f"{url} in a {FRAME_WIDTH}px iframe: {m['scroll']} > {m['client']} {m['culprits']}"]
    return []


@pytest.mark.parametrize("role", ["learner", "teacher"])
def test_no_page_scrolls_sideways_at_any_width_or_in_an_iframe(pages, role):
    page, urls = pages[role]
    problems: list[str] = []
    for url in urls:
        problems += widths_that_scroll(page, url)
        problems += scrolls_in_frame(page, pages["host"], url)
    assert not problems, f"{len(problems)} page/width(s) scroll sideways:\n" + "\n".join(problems)


def test_every_item_type_is_walked(pages):
    """The learner walk reaches every registry type (so the reflow test covers them all)."""
    page, urls = pages["learner"]
    seen = set()
    for url in [u for u in urls if "/attempts/" in u and "?q=" in u]:
        page.goto(url)
        seen.add(page.locator("section.question .q-type").inner_text())
    assert len(seen) == len(REGISTRY)


def shoot(page: Any, host: str, url: str, name: str, locator: str) -> None:
    """Screenshots of one element at every width and in the iframe, into REFLOW_SHOTS."""
    out = Path(SHOTS or ".")
    out.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{host}/lms?{url}")
    page.frame_locator("iframe").locator(locator).first.wait_for()
    page.screenshot(path=str(out / f"{name}-iframe-{FRAME_WIDTH}.png"))


@pytest.mark.skipif(not SHOTS, reason="set REFLOW_SHOTS=/dir to save screenshots")
def test_screenshots_of_the_bowtie_review_and_gradebook(pages):
    learner, urls = pages["learner"]
    bowtie = next(u for u in urls if "?q=" in u and _is_bowtie(learner, u))
    shoot(learner, pages["host"], bowtie, "bowtie", ".bowtie-grid")
    review = next(u for u in urls if u.endswith("/review"))
    shoot(learner, pages["host"], review, "review", ".review-list")
    teacher, _ = pages["teacher"]
    shoot(teacher, pages["host"], f"{pages['base']}/c/{pages['cid']}/quizzes/instructor/gradebook",
          "gradebook", "table")


@pytest.mark.skipif(not SHOTS, reason="set REFLOW_SHOTS=/dir to save screenshots")
def test_screenshots_of_the_pages_added_for_issues_15_to_17(pages):
    """Accommodations, grade corrections, needs grading, performance, practice, review, clinic."""
    c = f"{pages['base']}/c/{pages['cid']}"
    q = f"{c}/quizzes/instructor"
    learner, _ = pages["learner"]
    for name, url in (("performance", f"{c}/quizzes/performance"),
                      ("practice", f"{c}/quizzes/practice/"), ("review-now", f"{c}/quizzes/review/"),
                      ("handout-es", f"{c}/handouts/living-with-a-baclofen-pump?lang=es"),
                      ("review-module-item", f"{c}/quizzes/review/{pages['ids']['review']}/?q=1")):
        shoot(learner, pages["host"], url, name, "main")
    teacher, _ = pages["teacher"]
    done = pages["ids"]["done"]
    for name, url in (("accommodations", f"{q}/accommodations"), ("grading", f"{q}/grading"),
                      ("grade-attempt", f"{q}/attempts/{done}/grade"),
                      ("class-performance", f"{q}/performance"), ("images", f"{q}/images"),
                      ("clinic", f"{c}/handouts/clinic")):
        shoot(teacher, pages["host"], url, name, "main")


def _is_bowtie(page: Any, url: str) -> bool:
    """Whether the attempt page at url shows the bow-tie item."""
    page.goto(url)
    return page.locator(".bowtie-grid").count() > 0
