"""End-to-end LTI 1.3 launches from the independent platform, good and bad."""
import time

import pytest

from tests.conftest import launch, launch_as
from tests.platform import INSTRUCTOR, LEARNER, new_private_key


def _error_code(resp) -> str:
    """The stable error code the launch error page shows."""
    text = resp.get_data(as_text=True)
    start = text.index("<code>") + len("<code>")
    return text[start:text.index("</code>", start)]


def test_learner_launch_reaches_learner_home(client, platform):
    cid = launch_as(client, platform, "learner")
    page = client.get(f"/c/{cid}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Course course-1" in html and "learner" in html


def test_instructor_launch_reaches_instructor_home(client, platform):
    cid = launch_as(client, platform, "instructor")
    html = client.get(f"/c/{cid}/").get_data(as_text=True)
    assert "Instructor view" in html


def test_same_issuer_two_client_ids_are_separate_tenants(app, register):
    shared_key = new_private_key()
    first = register(issuer="https://canvas.test", client_id="school-a", private_key=shared_key)
    second = register(issuer="https://canvas.test", client_id="school-b", private_key=shared_key)
    browser_a, browser_b = app.test_client(), app.test_client()
    cid_a = launch_as(browser_a, first, "learner", context="c1")
    cid_b = launch_as(browser_b, second, "learner", context="c1")
    assert cid_a != cid_b
    assert browser_a.get(f"/c/{cid_b}/").status_code == 401
    assert browser_b.get(f"/c/{cid_a}/").status_code == 401


def test_replayed_id_token_is_refused(client, platform):
    start = client.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    data = {"id_token": form["id_token"], "state": form["state"]}
    assert client.post(form["url"], data=data).status_code == 302
    replay = client.post(form["url"], data=data)
    assert replay.status_code == 400 and _error_code(replay) == "replayed"


def test_replay_from_another_browser_is_refused(app, platform):
    victim, attacker = app.test_client(), app.test_client()
    start = victim.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    data = {"id_token": form["id_token"], "state": form["state"]}
    assert victim.post(form["url"], data=data).status_code == 302
    stolen = attacker.post(form["url"], data=data)
    assert 400 <= stolen.status_code < 500


@pytest.mark.parametrize("case, mutate, code", [
    ("wrong aud", lambda m: m.update(aud="someone-else", azp="someone-else"),
     "unknown_registration"),
    ("expired", lambda m: m.update(exp=int(time.time()) - 600, iat=int(time.time()) - 900),
     "expired"),
    ("iat far future", lambda m: m.update(iat=int(time.time()) + 600,
                                          exp=int(time.time()) + 900), "not_yet_valid"),
    ("unknown deployment", lambda m: m.update(
        {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "nope"}),
     "unknown_deployment"),
    ("missing sub", lambda m: m.pop("sub"), "sub_missing"),
    ("missing message type", lambda m: m.pop(
        "https://purl.imsglobal.org/spec/lti/claim/message_type"), "message_type"),
    ("wrong issuer", lambda m: m.update(iss="https://evil.test"), "unknown_registration"),
])
def test_bad_tokens_are_refused_with_a_clear_4xx(client, platform, case, mutate, code):
    resp = launch(client, platform, mutate=mutate)
    assert resp.status_code == 400, case
    assert _error_code(resp) == code, case


def test_clock_skew_within_leeway_is_accepted(client, platform):
    ahead = int(time.time()) + 30  # a platform clock 30 s fast
    resp = launch(client, platform, mutate=lambda m: m.update(iat=ahead, exp=ahead + 300))
    assert resp.status_code == 302


def test_signature_by_unknown_key_is_refused(client, platform):
    resp = launch(client, platform, sign_key=new_private_key())
    assert resp.status_code == 400 and _error_code(resp) == "unknown_key"


def test_tampered_signature_is_refused(client, platform):
    start = client.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    head, body, sig = form["id_token"].split(".")
    forged = ".".join([head, body, sig[:-6] + ("AAAAAA" if not sig.endswith("AAAAAA") else "BBBBBB")])
    resp = client.post(form["url"], data={"id_token": forged, "state": form["state"]})
    assert resp.status_code == 400 and _error_code(resp) == "bad_signature"


def test_state_mismatch_is_refused(client, platform):
    start = client.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    resp = client.post(form["url"], data={"id_token": form["id_token"], "state": "state-forged"})
    assert resp.status_code == 400 and _error_code(resp) == "state_mismatch"


def test_blocked_cookie_offers_a_new_window(app, platform):
    browser = app.test_client()
    start = browser.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    browser._cookies.clear()  # the browser refused the third-party cookie
    resp = browser.post(form["url"], data={"id_token": form["id_token"], "state": form["state"]})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and _error_code(resp) == "cookies_blocked"
    assert 'target="_blank"' in html and "/lti/login?" in html and "login_hint=learner-1" in html


def test_get_to_launch_is_refused(client):
    resp = client.get("/lti/launch")
    assert resp.status_code == 405
    assert "POST" in resp.get_data(as_text=True)


def test_launch_without_token_is_a_4xx(client, platform):
    client.get(platform.login_url("learner-1"))
    resp = client.post("/lti/launch", data={"state": "state-x"})
    assert 400 <= resp.status_code < 500


def test_launch_without_context_is_refused(client, platform):
    resp = launch(client, platform, context=None)
    assert resp.status_code == 400 and _error_code(resp) == "context_missing"


def test_login_for_unknown_platform_is_refused(client):
    resp = client.get("/lti/login?iss=https://nobody.test&login_hint=x&client_id=y"
                      "&target_link_uri=http://localhost/lti/launch")
    assert resp.status_code == 400 and _error_code(resp) == "unknown_registration"


def test_error_is_json_for_api_clients(client):
    resp = client.get("/lti/login?iss=https://nobody.test&login_hint=x&client_id=y",
                      headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"] == "unknown_registration"


def test_roles_map_teaching_assistant_to_instructor(client, platform):
    ta = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    resp = launch(client, platform, user="ta-1", roles=(ta,))
    cid = int(resp.location.split("/c/")[1].split("/")[0])
    assert "Instructor view" in client.get(f"/c/{cid}/").get_data(as_text=True)


def test_login_sets_partitioned_cookie_over_https(app, platform):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    browser = app.test_client()
    url = platform.login_url("learner-1").replace("http://localhost", "https://localhost")
    resp = browser.get(url)
    cookie = resp.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie


def test_instructor_role_kept_per_context(app, platform):
    browser = app.test_client()
    teach = launch_as(browser, platform, "instructor", context="teach", user="u1")
    learn = launch(browser, platform, user="u1", roles=(LEARNER,), context="learn")
    learn_cid = int(learn.location.split("/c/")[1].split("/")[0])
    assert "Instructor view" in browser.get(f"/c/{teach}/").get_data(as_text=True)
    assert "Instructor view" not in browser.get(f"/c/{learn_cid}/").get_data(as_text=True)
    assert INSTRUCTOR  # the role URI is the platform's, from tests.platform
