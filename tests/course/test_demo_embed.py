"""The demo platform's embedded mode: the tool in an iframe from another site, with a switch
between a platform with LTI Platform Storage and one without (Moodle 4.5)."""
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import build_app, csrf_from


@pytest.fixture
def demo(tmp_path: Any) -> Flask:
    """The demo platform at http://localhost:5000/, framing the tool at http://127.0.0.1:5000/."""
    return build_app(tmp_path, DEMO_PLATFORM=True, DEMO_PLATFORM_URL="http://localhost:5000/",
                     TOOL_URL="http://127.0.0.1:5000/")


def start(client: FlaskClient, storage: str) -> Any:
    """Press Launch on the demo page with the storage switch set."""
    page = client.get("/demo/", base_url="http://localhost:5000")
    return client.post("/demo/start", base_url="http://localhost:5000", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "person": "demo-learner",
        "course": "demo-course-1", "kind": "resource", "storage": storage})


def test_demo_page_frames_the_tool_from_another_site(demo: Flask) -> None:
    """The page has the named iframe, the launch form targets it, and its CSP allows the tool."""
    page = demo.test_client().get("/demo/", base_url="http://localhost:5000")
    html = page.get_data(as_text=True)
    assert 'name="tool-frame"' in html and 'target="tool-frame"' in html
    assert 'data-tool-origin="http://127.0.0.1:5000"' in html
    assert "platform-storage.js" in html and 'id="storage-off"' in html
    policy = page.headers["Content-Security-Policy"]
    assert "frame-src 'self' http://127.0.0.1:5000" in policy
    assert "http://127.0.0.1:5000" in policy.split("form-action")[1]


@pytest.mark.parametrize("storage, target", [("on", ["_parent"]), ("off", None)])
def test_storage_switch(demo: Flask, storage: str, target: list[str] | None) -> None:
    """With storage on, the login announces lti_storage_target; off, it does not (Moodle 4.5)."""
    resp = start(demo.test_client(), storage)
    assert resp.status_code == 302
    login = urlparse(resp.location)
    assert f"{login.scheme}://{login.netloc}{login.path}" == "http://127.0.0.1:5000/lti/login"
    assert parse_qs(login.query).get("lti_storage_target") == target


def test_authorization_endpoint_on_the_platforms_site(demo: Flask) -> None:
    """The tool sends the browser to the platform's own site, whose origin may frame the tool."""
    client = demo.test_client()
    login = start(client, "on")
    framed = client.get(login.location, headers={"Sec-Fetch-Dest": "iframe"})
    assert framed.status_code == 200
    html = framed.get_data(as_text=True)
    assert 'data-origin="http://localhost:5000"' in html
    assert 'data-redirect="http://localhost:5000/demo/auth?' in html
    assert "http://localhost:5000" in framed.headers["Content-Security-Policy"].split(
        "frame-ancestors")[1]


def test_not_embedded_by_default(tmp_path: Any) -> None:
    """Without DEMO_PLATFORM_URL the demo launches in the same window, as before."""
    app = build_app(tmp_path, DEMO_PLATFORM=True)
    html = app.test_client().get("/demo/").get_data(as_text=True)
    assert "tool-frame" not in html and "storage-on" not in html


def test_demo_platform_url_setting(tmp_path: Any) -> None:
    """An origin with or without its slash is taken; anything else stops the app with a reason."""
    from course.config import ConfigError, build_config
    assert build_config(tmp_path, {"DEMO_PLATFORM_URL": "http://localhost:5000"})[
        "DEMO_PLATFORM_URL"] == "http://localhost:5000/"
    assert build_config(tmp_path, {})["DEMO_PLATFORM_URL"] == ""
    with pytest.raises(ConfigError, match="DEMO_PLATFORM_URL"):
        build_config(tmp_path, {"DEMO_PLATFORM_URL": "javascript:alert(1)"})
