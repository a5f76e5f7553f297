"""Deep linking cannot be forged: no learner, no other course and no replay gets a signed reply.

tests/course/test_deep_link.py covers the round trip, a learner without CSRF, tampering seen by
the platform and double submits. Here the attacker holds a valid CSRF token, a grant for another
course, a captured request or a signed reply, and nothing in the tool changes.
"""
from __future__ import annotations

import re
from typing import Any

import jwt
import pytest
from flask.testing import FlaskClient

from course.lti import deep_link as dl
from course.lti.http import http_session
from tests.conftest import csrf_from, launch_as
from tests.platform import INSTRUCTOR, TestPlatform
from tests.platform_services import deep_link_launch, platform_services
from tests.security.helpers import has_message, snapshot

QUIZ = "quiz:quiz-weakness"


@pytest.fixture(scope="module")
def env(sec_app: Any, sec_register: Any, sec_platforms: list[TestPlatform]) -> dict[str, Any]:
    """Two platforms and the test platform's services (deep-link return) for the module."""
    one = sec_register(issuer="https://one.test", client_id="tool-1", deployment_id="dep-1")
    two = sec_register(issuer="https://two.test", client_id="tool-2", deployment_id="dep-2")
    return {"one": one, "two": two, "svc": platform_services(sec_platforms, sec_app)}


def picker(client: FlaskClient, env: dict[str, Any], platform: str = "one", context: str = "c1",
           role: str = "instructor", user: str = "teacher") -> str:
    """A deep-linking launch; returns the picker URL it redirects to."""
    resp = deep_link_launch(client, env[platform], env["svc"], role=role, context=context,
                            user=user)
    assert resp.status_code == 302 and resp.location.endswith("/deep-link"), resp.location
    return resp.location


def any_token(client: FlaskClient, cid: int) -> str:
    """A valid CSRF token of this browser, from a page every course member can open."""
    return csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))


def cid_of(url: str) -> int:
    """The context id in a /lti/c/<cid>/deep-link or /c/<cid>/ URL."""
    return int(re.search(r"/c/(\d+)/", url).group(1))


def refused(resp: Any, *statuses: int) -> None:
    """A clear refusal that carries no signed reply."""
    body = resp.get_data(as_text=True)
    assert resp.status_code in statuses, (resp.status_code, body[:300])
    assert has_message(resp) and 'name="JWT"' not in body


def reply_token(html: str) -> str:
    """The signed JWT in the tool's auto-post form."""
    match = re.search(r'name="JWT" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_learner_with_a_csrf_token_cannot_sign(sec_app, env):
    learner = sec_app.test_client()
    url = picker(learner, env, role="learner", user="pupil")
    token = any_token(learner, cid_of(url))
    before = snapshot(sec_app)
    refused(learner.get(url), 403)
    refused(learner.post(url, data={"csrf_token": token, "item": [QUIZ], "action": "add"}), 403)
    assert snapshot(sec_app) == before and env["svc"].deep_links == []


def test_instructor_turned_learner_in_the_same_browser_cannot_sign(sec_app, env):
    browser = sec_app.test_client()
    url = picker(browser, env, context="c2", user="both")
    token = csrf_from(browser.get(url).get_data(as_text=True))
    launch_as(browser, env["one"], "learner", user="both", context="c2")  # role is now learner
    refused(browser.post(url, data={"csrf_token": token, "item": [QUIZ], "action": "add"}), 403)


def test_picker_of_a_course_never_launched_is_401(sec_app, env):
    browser = sec_app.test_client()
    url = picker(browser, env, context="c3", user="t3")
    token = csrf_from(browser.get(url).get_data(as_text=True))
    other = launch_as(sec_app.test_client(), env["one"], "instructor", context="c4", user="t4")
    refused(browser.post(f"/lti/c/{other}/deep-link", data={"csrf_token": token, "item": [QUIZ],
                                                            "action": "add"}), 401)


def test_resource_grant_of_another_course_cannot_sign(sec_app, env):
    """Deep-linking in course A, an ordinary launch into course B: B's picker refuses."""
    browser = sec_app.test_client()
    url = picker(browser, env, context="c5", user="t5")
    token = csrf_from(browser.get(url).get_data(as_text=True))
    other = launch_as(browser, env["two"], "instructor", context="c5", user="t5")
    before = snapshot(sec_app)
    refused(browser.post(f"/lti/c/{other}/deep-link", data={"csrf_token": token, "item": [QUIZ],
                                                            "action": "add"}), 400)
    assert snapshot(sec_app) == before


def test_reply_is_bound_to_the_requesting_platform_and_deployment(sec_app, env):
    browser = sec_app.test_client()
    url = picker(browser, env, platform="two", context="c6", user="t6")
    token = csrf_from(browser.get(url).get_data(as_text=True))
    html = browser.post(url, data={"csrf_token": token, "item": [QUIZ], "action": "add"})
    signed = reply_token(html.get_data(as_text=True))
    jwks = {k["kid"]: k for k in browser.get("/lti/jwks").get_json()["keys"]}
    kid = jwt.get_unverified_header(signed)["kid"]
    body = jwt.decode(signed, jwt.PyJWK(jwks[kid]).key, algorithms=["RS256"],
                      audience="https://two.test")
    assert body["iss"] == "tool-2" and body["aud"] == ["https://two.test"]
    assert body["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "dep-2"
    assert body["exp"] - body["iat"] <= dl.RESPONSE_LIFETIME
    # Platform one refuses a reply meant for platform two.
    with sec_app.app_context():
        refused_by_one = http_session().post("https://one.test/deep-link-return",
                                             data={"JWT": signed})
    assert refused_by_one.status_code == 400


def test_captured_deep_linking_request_cannot_be_replayed(sec_app, env):
    victim, attacker = sec_app.test_client(), sec_app.test_client()
    start = victim.get(env["one"].login_url("t7"))
    form = env["one"].authorize(start.location, "t7", [INSTRUCTOR], "c7",
                                extra=env["svc"].claims(env["one"], "c7", deep_link=True))
    data = {"id_token": form["id_token"], "state": form["state"]}
    url = victim.post("/lti/launch", data=data).location
    before = snapshot(sec_app)
    for browser in (victim, attacker):
        resp = browser.post("/lti/launch", data=data)
        assert 400 <= resp.status_code < 500 and has_message(resp)
    assert attacker.get(url).status_code == 401
    assert snapshot(sec_app) == before


def test_signed_reply_posted_back_to_the_tool_is_refused(sec_app, env):
    """The tool's own signed reply is not a launch: a learner cannot log in with it."""
    teacher, learner = sec_app.test_client(), sec_app.test_client()
    url = picker(teacher, env, context="c8", user="t8")
    token = csrf_from(teacher.get(url).get_data(as_text=True))
    signed = reply_token(teacher.post(url, data={"csrf_token": token, "item": [QUIZ],
                                                 "action": "add"}).get_data(as_text=True))
    start = learner.get(env["one"].login_url("t8"))
    state = re.search(r"state=([^&]+)", start.location).group(1)
    before = snapshot(sec_app)
    resp = learner.post("/lti/launch", data={"id_token": signed, "state": state})
    assert 400 <= resp.status_code < 500 and has_message(resp)
    assert snapshot(sec_app) == before

