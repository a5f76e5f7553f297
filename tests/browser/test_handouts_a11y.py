"""axe-core finds no WCAG 2.1 AA violations on the handouts pages (list, web handout in English and
Spanish, clinic form)."""
from __future__ import annotations

import pytest

from exports.content import get_handouts
from tests.browser.conftest import assert_no_axe_violations, demo_login

pytestmark = pytest.mark.browser


def test_handout_list_and_every_web_handout(page, live_server):
    cid = demo_login(page, live_server.url)
    base = f"{live_server.url}/c/{cid}/handouts"
    page.goto(f"{base}/")
    assert_no_axe_violations(page)
    for handout in get_handouts():
        page.goto(f"{base}/{handout.slug}")
        assert page.locator("h1").first.inner_text().strip()
        assert_no_axe_violations(page)


def test_every_spanish_web_handout(page, live_server):
    cid = demo_login(page, live_server.url)
    base = f"{live_server.url}/c/{cid}/handouts"
    for handout in get_handouts("es"):
        page.goto(f"{base}/{handout.slug}?lang=es")
        assert page.locator("article.handout[lang='es'] h1").inner_text().strip() == handout.title
        # The staff line is English page text, outside the Spanish article.
        assert page.locator("main .notice:not(article *)").first.inner_text().startswith(
            "For staff, not printed:")
        assert_no_axe_violations(page)


def test_clinic_profile_form(page, live_server):
    cid = demo_login(page, live_server.url, person="demo-instructor")
    page.goto(f"{live_server.url}/c/{cid}/handouts/clinic")
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/c/{cid}/handouts/")
    assert_no_axe_violations(page)
