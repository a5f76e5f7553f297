"""LTI Dynamic Registration: one-time links, the exchange with Moodle- and Canvas-like platforms,
every failure, and a real launch through the registration it made."""
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from course.db import db, utcnow
from course.lti import http
from course.lti.dynreg_service import create_link
from course.models import Deployment, Registration, RegistrationLink
from tests.conftest import launch, launch_as
from tests.platform import FlaskAdapter
from tests.registration_platform import NRPS, TOOL_CONFIG, RegistrationPlatform


@pytest.fixture
def lms(platforms):
    """Make a registration platform reachable over (in-process) HTTPS."""
    def _make(kind="moodle", host=None):
        lms = RegistrationPlatform(kind, host)
        adapter = FlaskAdapter(lms.app())
        lms.adapter = adapter
        http.mount(f"https://{lms.host}/", adapter)
        return lms
    return _make


def new_link(app, *extra):
    """Run the CLI as an administrator would; return the printed one-time URL."""
    result = app.test_cli_runner().invoke(args=["lti", "registration-link", "--tool-url",
                                                "http://localhost", *extra])
    assert result.exit_code == 0, result.output
    match = re.search(r"http://localhost/lti/register\?rt=[\w-]+", result.output)
    assert match, result.output
    return match.group(0)


def count(model):
    """How many rows a table holds."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_cli_link_is_stored_only_as_a_hash_and_shows_the_admin_page(app, client):
    url = new_link(app, "--expires", "2h", "--label", "Moodle at school")
    token = url.split("rt=")[1]
    with app.app_context():
        link = db.session.scalars(select(RegistrationLink)).one()
        assert token not in link.token_hash and len(link.token_hash) == 64
        left = link.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
        assert timedelta(minutes=119) < left <= timedelta(hours=2)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and url.replace("&", "&amp;") in html
    assert "Add LTI Advantage" in html and "LTI Registration" in html and "Moodle at school" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_cli_refuses_a_bad_lifetime(app):
    result = app.test_cli_runner().invoke(args=["lti", "registration-link", "--expires", "0h"])
    assert result.exit_code == 2 and "--expires" in result.output
    assert "--expires" in app.test_cli_runner().invoke(
        args=["lti", "registration-link", "--expires", "soon"]).output


def test_unknown_token_gets_403_and_nothing_is_fetched(client, lms):
    moodle = lms("moodle")
    resp = client.get(moodle.start_url("/lti/register?rt=forged"))
    assert resp.status_code == 403 and "not valid" in resp.get_data(as_text=True)
    assert moodle.adapter.calls == []
    assert client.get("/lti/register").status_code == 403


def test_moodle_registration_then_launch(app, client, lms, caplog):
    moodle = lms("moodle")
    link = new_link(app)
    with caplog.at_level(logging.INFO):
        resp = client.get(moodle.start_url(link))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "press <em>Activate</em>" in html and "lti-close.js" in html
    assert any(r.getMessage() == "lti dynamic registration stored" for r in caplog.records)
    tool = moodle.tools[0]
    assert tool["status"] == "pending" and tool["grade_sync"] == 2 and tool["members"]
    body = tool["body"]
    assert body["redirect_uris"] == ["http://localhost/lti/launch"]
    assert body["initiate_login_uri"] == "http://localhost/lti/login"
    assert body["jwks_uri"] == "http://localhost/lti/jwks" and body["logo_uri"].endswith(".svg")
    assert body["grant_types"] == ["implicit", "client_credentials"]
    lti = body[TOOL_CONFIG]
    assert lti["domain"] == "localhost" and {"name", "email", "sub", "iss"} <= set(lti["claims"])
    assert [m["type"] for m in lti["messages"]] == ["LtiResourceLinkRequest",
                                                    "LtiDeepLinkingRequest"]
    # Moodle lists bare message types, so no placements are asked for.
    assert all("placements" not in m for m in lti["messages"])
    with app.app_context():
        reg = db.session.scalars(select(Registration)).one()
        assert (reg.issuer, reg.client_id) == (moodle.issuer, tool["client_id"])
        assert reg.auth_login_url == "https://moodle.test/auth"
        assert reg.key_set_url == "https://moodle.test/jwks" and not reg.learn_deployment
        assert [d.deployment_id for d in reg.deployments] == ["1"]
    assert launch_as(client, moodle.launcher(), "learner") > 0


def test_the_link_cannot_be_reused(app, client, lms):
    moodle = lms("moodle")
    link = new_link(app)
    assert client.get(moodle.start_url(link)).status_code == 200
    again = client.get(moodle.start_url(link))
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410
    assert moodle.posts == 1
    with app.app_context():
        assert count(Registration) == 1


def test_expired_link_is_refused(app, client, lms):
    moodle = lms("moodle")
    with app.app_context():
        token, _ = create_link(timedelta(hours=1), now=utcnow() - timedelta(hours=2))
    resp = client.get(moodle.start_url(f"/lti/register?rt={token}"))
    assert resp.status_code == 410 and "expired" in resp.get_data(as_text=True)
    assert moodle.adapter.calls == []


def test_canvas_registration_learns_the_deployment_from_the_first_launch_only(app, client, lms):
    canvas = lms("canvas")
    resp = client.get(canvas.start_url(new_link(app)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "learned from the first launch" in html and "Developer" not in html.split("Canvas:")[0]
    lti = canvas.tools[0]["body"][TOOL_CONFIG]
    placements = {m["type"]: m.get("placements") for m in lti["messages"]}
    assert placements == {"LtiResourceLinkRequest": ["course_navigation"],
                          "LtiDeepLinkingRequest": ["assignment_selection", "link_selection",
                                                    "editor_button"]}
    with app.app_context():
        reg = db.session.scalars(select(Registration)).one()
        assert reg.learn_deployment and reg.deployments == []
    assert launch_as(client, canvas.launcher("7:abc"), "learner") > 0
    other = launch(client, canvas.launcher("8:other"), user="learner-2")
    assert other.status_code == 400 and "unknown_deployment" in other.get_data(as_text=True)
    with app.app_context():
        reg = db.session.scalars(select(Registration)).one()
        assert not reg.learn_deployment
        assert [d.deployment_id for d in reg.deployments] == ["7:abc"]


def test_a_manual_registration_never_learns_a_deployment(app, client, register):
    platform = register()
    platform.deployment_id = "not-registered"
    resp = launch(client, platform)
    assert resp.status_code == 400 and "unknown_deployment" in resp.get_data(as_text=True)
    with app.app_context():
        assert count(Deployment) == 1


def test_expired_canvas_registration_token_is_a_refused_post(app, client, lms):
    canvas = lms("canvas")
    link = new_link(app)
    resp = client.get(canvas.start_url(link, canvas.registration_token(age=3700)))
    assert resp.status_code == 400
    assert "refused the registration request (HTTP 401)" in resp.get_data(as_text=True)
    with app.app_context():
        assert count(Registration) == 0
    # Nothing was spent: the same link works with a fresh token.
    assert client.get(canvas.start_url(link)).status_code == 200


def test_moodle_refuses_a_reused_registration_token(app, client, lms):
    moodle = lms("moodle")
    token = moodle.registration_token()
    assert client.get(moodle.start_url(new_link(app), token)).status_code == 200
    resp = client.get(moodle.start_url(new_link(app), token))
    assert resp.status_code == 400 and "token_already_used" in resp.get_data(as_text=True)
    with app.app_context():
        assert count(Registration) == 1


@pytest.mark.parametrize("override, code", [
    ({"issuer": "https://evil.test"}, "issuer_mismatch"),
    ({"registration_endpoint": None}, "config_incomplete"),
    ({"issuer": None}, "config_incomplete"),
])
def test_bad_configuration_is_refused_before_anything_is_posted(app, client, lms, caplog,
                                                                override, code):
    moodle = lms("moodle")
    moodle.config_override = override
    with caplog.at_level(logging.WARNING):
        resp = client.get(moodle.start_url(new_link(app)))
    assert resp.status_code == 400 and code in resp.get_data(as_text=True)
    assert moodle.posts == 0
    assert any(getattr(r, "code", "") == code for r in caplog.records)
    with app.app_context():
        assert count(Registration) == 0
        assert db.session.scalars(select(RegistrationLink)).one().used_at is None


def test_unreachable_configuration(app, client, lms):
    link = new_link(app)
    resp = client.get(link + "&openid_configuration=https%3A%2F%2Fnowhere.test%2Fconfig")
    # The `platforms` app answers 404 for any unknown host: the platform is not there.
    assert resp.status_code == 400 and "configuration_refused" in resp.get_data(as_text=True)

    class Down(FlaskAdapter):
        def send(self, request, **kwargs):
            raise http.requests.ConnectionError("connection refused")

    http.mount("https://down.test/", Down(None))
    resp = client.get(link + "&openid_configuration=https%3A%2F%2Fdown.test%2Fconfig")
    assert resp.status_code == 400 and "configuration_unreachable" in resp.get_data(as_text=True)


def test_answer_without_client_id_leaves_nothing_behind(app, client, lms):
    moodle = lms("moodle")
    moodle.answer_mutate = lambda out: out.pop("client_id")
    link = new_link(app)
    resp = client.get(moodle.start_url(link))
    assert resp.status_code == 400 and "answer_incomplete" in resp.get_data(as_text=True)
    with app.app_context():
        assert count(Registration) == 0 and count(Deployment) == 0
        assert db.session.scalars(select(RegistrationLink)).one().used_at is None


def test_production_requires_https(app, client, lms):
    first, second = new_link(app), new_link(app)
    app.config["APP_ENV"] = "production"
    refused = app.test_cli_runner().invoke(args=["lti", "registration-link", "--tool-url",
                                                 "http://course.example.edu"])
    assert refused.exit_code == 2 and "HTTPS" in refused.output
    moodle = lms("moodle")
    moodle.config_override = {"jwks_uri": "http://moodle.test/jwks"}
    resp = client.get(moodle.start_url(first))
    assert resp.status_code == 400 and "https_required" in resp.get_data(as_text=True)
    plain = client.get(second + "&openid_configuration=http%3A%2F%2Fmoodle.test%2Fc")
    assert plain.status_code == 400 and "config_url_invalid" in plain.get_data(as_text=True)


def test_canvas_cloud_configuration_on_a_school_host_is_trusted(app, client, lms):
    canvas = lms("canvas", host="school.instructure.com")
    canvas.config_override = {"issuer": "https://canvas.instructure.com"}
    resp = client.get(canvas.start_url(new_link(app)))
    assert resp.status_code == 200, resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Registration.issuer)).one() == \
            "https://canvas.instructure.com"


def test_scopes_ask_for_everything_moodle_maps(app, client, lms):
    moodle = lms("moodle")
    client.get(moodle.start_url(new_link(app)))
    ags = "https://purl.imsglobal.org/spec/lti-ags/scope/"
    assert set(moodle.tools[0]["body"]["scope"].split()) == {
        ags + "lineitem", ags + "lineitem.readonly", ags + "result.readonly", ags + "score", NRPS}


def test_demo_platform_registers_the_tool_by_dynamic_registration(tmp_path):
    from tests.conftest import build_app, csrf_from
    from tests.course.test_demo_platform import demo_launch
    app = build_app(tmp_path, DEMO_PLATFORM=True)
    client = app.test_client()
    try:
        token = csrf_from(client.get("/demo/").get_data(as_text=True))
        start = client.post("/demo/register-tool", data={"csrf_token": token})
        assert start.status_code == 302 and "openid_configuration=" in start.location
        done = client.get(start.location)
        html = done.get_data(as_text=True)
        assert done.status_code == 200, html
        assert "demo-deployment" in html and "Back to the demo platform" in html
        with app.app_context():
            reg = db.session.scalars(select(Registration)).one()
            assert reg.key_set_url == "https://demo-platform.ms-muscle-course.invalid/demo/jwks"
            assert reg.auth_login_url == "http://localhost/demo/auth"
        # The one-time link the demo made is spent.
        assert client.get(start.location).status_code == 410
        # A forged registration token is refused by the demo platform.
        forged = client.post("/demo/register-client", json={},
                             headers={"Authorization": "Bearer forged"})
        assert forged.status_code == 401
        resp = demo_launch(client)
        assert resp.status_code == 302 and "/c/" in resp.location
    finally:
        http.unmount_all()
