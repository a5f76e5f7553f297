"""Two gunicorn app servers sharing PostgreSQL and Redis: a launch that starts on one finishes
on the other, and its id_token cannot be replayed on either."""
import re

import pytest

pytestmark = pytest.mark.slow

COURSE_PAGE = re.compile(r"^(?:http://localhost)?/c/(\d+)/$")


def test_login_on_one_server_launch_on_the_other(servers, web, browser):
    a, b = servers
    fetched_before = web.jwks_fetches()
    resp, form = browser.launch(web, login_on=a, launch_on=b, user="ada", context="ward-7")
    assert resp.status_code == 302, resp.text[:500]
    cid = COURSE_PAGE.match(resp.headers["Location"])
    assert cid, resp.headers["Location"]
    for server in (a, b, a):  # the signed session cookie is valid on every server
        page = browser.get(server, f"/c/{cid.group(1)}/")
        assert page.status_code == 200, page.text[:500]
        assert "Course ward-7" in page.text
    # B fetched the platform's keys; A finds them in the shared cache from here on.
    fetched_after_launch = web.jwks_fetches()
    assert fetched_after_launch - fetched_before <= 1

    replay = browser.post(a, form["url"], data={"id_token": form["id_token"],
                                                "state": form["state"]},
                          headers={"Accept": "application/json"})
    assert replay.status_code == 400
    assert replay.json()["error"] == "replayed"  # the nonce B consumed is gone for A too
    assert web.jwks_fetches() == fetched_after_launch


def test_replay_from_another_browser_on_either_server_is_refused(servers, web, browser):
    a, b = servers
    resp, form = browser.launch(web, login_on=b, launch_on=a, user="grace", context="ward-7")
    assert resp.status_code == 302, resp.text[:500]
    course = resp.headers["Location"]
    attacker = type(browser)()
    for server in (a, b):
        stolen = attacker.post(server, form["url"], data={"id_token": form["id_token"],
                                                          "state": form["state"]},
                               headers={"Accept": "application/json"})
        assert stolen.status_code == 400, stolen.text[:500]
        assert stolen.json()["error"] == "state_mismatch"
        assert attacker.get(server, course).status_code == 401


def test_course_pages_need_the_launch_cookie_on_every_server(servers, web, browser):
    a, b = servers
    resp, _ = browser.launch(web, login_on=a, launch_on=b, user="lin", context="ward-8")
    assert resp.status_code == 302, resp.text[:500]
    stranger = type(browser)()
    for server in (a, b):
        assert stranger.get(server, resp.headers["Location"]).status_code == 401
        assert browser.get(server, resp.headers["Location"]).status_code == 200
