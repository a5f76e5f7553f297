"""The built-in demo platform launches through the real /lti/login -> /lti/launch path."""
import re

import pytest

from tests.conftest import build_app, csrf_from


@pytest.fixture
def demo_app(tmp_path):
    return build_app(tmp_path, DEMO_PLATFORM=True)


def demo_launch(client, person="demo-learner", course="demo-course-1", kind="resource"):
    """Press Launch on /demo and follow the browser's redirects and auto-post."""
    token = csrf_from(client.get("/demo/").get_data(as_text=True))
    resp = client.post("/demo/start", data={"csrf_token": token, "person": person,
                                            "course": course, "kind": kind})
    assert resp.status_code == 302 and "/lti/login?" in resp.location
    resp = client.get(resp.location)  # tool login -> platform auth
    assert resp.status_code == 302 and "/demo/auth?" in resp.location
    page = client.get(resp.location).get_data(as_text=True)  # auto-posting form
    action = re.search(r'action="([^"]+)"', page).group(1)
    fields = dict(re.findall(r'name="(id_token|state)" value="([^"]+)"', page))
    return client.post(action, data=fields)


def test_demo_learner_and_instructor_launch(demo_app):
    learner, teacher = demo_app.test_client(), demo_app.test_client()
    resp = demo_launch(learner)
    assert resp.status_code == 302 and "/c/" in resp.location
    assert "Alex Morgan" in learner.get(resp.location).get_data(as_text=True)
    resp = demo_launch(teacher, person="demo-instructor")
    assert "Instructor view" in teacher.get(resp.location).get_data(as_text=True)


def test_demo_start_needs_csrf(demo_app):
    client = demo_app.test_client()
    resp = client.post("/demo/start", data={"person": "demo-learner", "course": "demo-course-1"})
    assert resp.status_code == 400


def test_demo_auth_checks_login_hint_and_redirect_uri(demo_app):
    client = demo_app.test_client()
    token = csrf_from(client.get("/demo/").get_data(as_text=True))
    resp = client.post("/demo/start", data={"csrf_token": token, "person": "demo-learner",
                                            "course": "demo-course-1", "kind": "resource"})
    auth = client.get(resp.location).location
    assert client.get(auth.replace("login_hint=demo-learner", "login_hint=demo-instructor")
                      ).status_code == 400
    assert client.get(auth.replace("lti%2Flaunch", "evil")).status_code == 400


def test_demo_learner_cannot_deep_link(demo_app):
    client = demo_app.test_client()
    token = csrf_from(client.get("/demo/").get_data(as_text=True))
    resp = client.post("/demo/start", data={"csrf_token": token, "person": "demo-learner",
                                            "course": "demo-course-1", "kind": "deep_link"})
    assert resp.status_code == 400


def test_demo_is_absent_unless_enabled(client):
    assert client.get("/demo/").status_code == 404
