"""The dynamic registration pages in Chromium: no WCAG 2.1 AA violations, reflow at 320 px, and
the success page asks the LMS window around it to close the dialog."""
from datetime import timedelta

import pytest

from course.lti.dynreg_service import create_link
from tests.browser.conftest import assert_no_axe_violations
from tests.conftest import csrf_from

pytestmark = pytest.mark.browser


def _fits(page):
    """The page does not scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")


def test_link_and_error_pages_are_accessible_and_reflow(live_server, page):
    with live_server.app.app_context():
        token, _ = create_link(timedelta(hours=1), "Moodle at a school with a long name")
    for url in (f"{live_server.url}/lti/register?rt={token}",
                f"{live_server.url}/lti/register?rt=forged"):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        assert_no_axe_violations(page)
        page.set_viewport_size({"width": 320, "height": 700})
        assert _fits(page), url


def test_success_page_posts_the_close_message_to_its_parent(live_server, page):
    client = live_server.app.test_client()
    csrf = csrf_from(client.get("/demo/").get_data(as_text=True))
    start = client.post("/demo/register-tool", data={"csrf_token": csrf}).location
    url = live_server.url + start.replace("http://localhost", "")
    page.goto(f"{live_server.url}/demo/")
    message = page.evaluate("""(url) => new Promise((resolve) => {
        window.addEventListener("message", (event) => resolve(event.data));
        const frame = document.createElement("iframe");
        frame.src = url;
        document.body.appendChild(frame);
        setTimeout(() => resolve(null), 15000);
    })""", url)
    assert message == {"subject": "org.imsglobal.lti.close"}
    page.goto(url.replace("openid_configuration", "spent"))
    assert "already used" in page.content()
    page.set_viewport_size({"width": 320, "height": 700})
    assert _fits(page)
