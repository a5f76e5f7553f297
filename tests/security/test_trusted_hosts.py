"""The Host header decides nothing: the demo's URLs come from configuration, production answers
only its TRUSTED_HOSTS, and X-Request-ID is taken only from a configured proxy."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from course.config import ConfigError, build_config
from course.db import db
from course.hosts import public_root
from course.lti.demo import platform as demo
from course.models import Registration
from tests.conftest import build_app, csrf_from
from tests.security.helpers import has_message

EVIL = "evil.example"
START = {"person": "demo-learner", "course": "demo-course-1", "kind": "resource"}


def _registration(app) -> tuple[str, str]:
    """The stored demo registration's login and token URLs."""
    with app.app_context():
        reg = db.session.scalars(select(Registration).where(
            Registration.issuer == demo.ISSUER)).one()
        found = (reg.auth_login_url, reg.auth_token_url)
        db.session.remove()
    return found


def _start(client, host: str | None = None):
    """Open /demo/ and press Launch, both requests sent with this Host header (as an attacker's
    own browser or script would; the session cookie then belongs to that host)."""
    headers = {"Host": host} if host else {}
    token = csrf_from(client.get("/demo/", headers=headers).get_data(as_text=True))
    return client.post("/demo/start", data={"csrf_token": token, **START}, headers=headers)


def test_a_forged_host_does_not_re_point_the_demo(tmp_path):
    app = build_app(tmp_path, DEMO_PLATFORM=True)
    client = app.test_client()
    assert _start(client).status_code == 302
    before = _registration(app)
    assert before == ("http://localhost/demo/auth", "http://localhost/demo/token")
    forged = _start(client, EVIL)
    assert forged.status_code == 302 and EVIL not in forged.location
    assert _registration(app) == before
    csp = client.get("/demo/").headers["Content-Security-Policy"]
    assert EVIL not in csp and "frame-ancestors 'self' http://localhost" in csp


def test_the_demo_uses_tool_url_when_set(tmp_path):
    app = build_app(tmp_path, DEMO_PLATFORM=True, TOOL_URL="https://course.example.edu/")
    resp = _start(app.test_client(), EVIL)
    assert resp.location.startswith("https://course.example.edu/lti/login?")
    assert _registration(app)[0] == "https://course.example.edu/demo/auth"


@pytest.mark.parametrize("config, environ, root", [
    ({"TOOL_URL": "https://a.edu/tool/", "TRUSTED_HOSTS": ["b.edu"]}, {}, "https://a.edu/tool/"),
    ({"TRUSTED_HOSTS": [".any.edu", "b.edu:8443"], "PREFERRED_URL_SCHEME": "https"}, {},
     "https://b.edu:8443/"),
    ({}, {"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "HTTP_HOST": EVIL},
     "http://127.0.0.1:5000/"),
    ({}, {"SERVER_NAME": "localhost", "SERVER_PORT": "80"}, "http://localhost/"),
])
def test_public_root_never_reads_the_host_header(config, environ, root):
    assert public_root(config, environ) == root


def test_production_refuses_to_start_without_trusted_hosts(tmp_path):
    env = {"APP_ENV": "production", "SECRET_KEY": "s" * 32}
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        build_config(Path(tmp_path), env)
    with pytest.raises(ConfigError, match="TRUSTED_HOSTS"):
        build_config(Path(tmp_path), {**env, "TRUSTED_HOSTS": "evil.example/x"})
    assert build_config(Path(tmp_path), {**env, "TRUSTED_HOSTS": "a.edu, .b.edu"})[
        "TRUSTED_HOSTS"] == ["a.edu", ".b.edu"]
    assert build_config(Path(tmp_path), {**env, "TRUSTED_HOSTS": "*"})["TRUSTED_HOSTS"] is None


def test_an_untrusted_host_gets_a_400_in_production_config(tmp_path):
    env = {"APP_ENV": "production", "SECRET_KEY": "s" * 32, "TRUSTED_HOSTS": "course.example.edu"}
    hosts = build_config(Path(tmp_path), env)["TRUSTED_HOSTS"]
    client = build_app(tmp_path, TRUSTED_HOSTS=hosts).test_client()
    refused = client.get("/healthz", headers={"Host": EVIL})
    assert refused.status_code == 400 and has_message(refused)
    assert client.get("/healthz", headers={"Host": "course.example.edu"}).status_code == 200


@pytest.mark.parametrize("proxies, echoed", [(0, False), (1, True)])
def test_x_request_id_is_taken_only_from_a_configured_proxy(tmp_path, proxies, echoed):
    client = build_app(tmp_path, PROXY_FIX=proxies).test_client()
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"}).headers["X-Request-ID"]
    assert (given == "lb-1234.abc") is echoed
    if not echoed:
        assert re.fullmatch(r"[0-9a-f]{32}", given)
    odd = client.get("/healthz", headers={"X-Request-ID": "a b<script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", odd)
