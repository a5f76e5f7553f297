"""CSRF on every state-changing route: without a valid token a POST is a 400 and changes nothing.

The routes come from the app's url_map (demo platform switched on, so its forms are swept too);
WTF_CSRF_ENABLED stays at its default (on), as in every test that does not switch it off itself.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import csrf_from
from tests.security.helpers import (
    CSRF_MESSAGE,
    WRITE_METHODS,
    build,
    changed_tables,
    rules,
    snapshot,
)
from tests.security.seed import Tenant, seed_course

APP_CONFIG = {"DEMO_PLATFORM": True}

# The only writes without a CSRF token, and why each is protected otherwise.
EXEMPT = {
    # OIDC login initiation is a cross-site request from the platform (LTI 1.3 section 5.1.1);
    # it only starts a login, and the state cookie and nonce it sets protect the launch.
    "lti.login": "cross-site by design",
    # The platform's auto-posted id_token: signed, bound to the state cookie, one-time nonce.
    "lti.launch": "signed id_token, state cookie, one-time nonce",
    # Demo platform APIs the tool calls server to server (never a browser form):
    "demo.token": "OAuth2 client-credentials grant, authenticated by a signed client assertion",
    "demo.line_items": "AGS API, bearer access token",
    "demo.scores": "AGS API, bearer access token",
    # Dynamic registration: the tool POSTs its client registration server to server.
    "demo.register_client": "bearer registration token signed by the demo platform",
    # The tool's signed LtiDeepLinkingResponse, auto-posted cross-site to the platform.
    "demo.deep_link_return": "signed JWT checked against the tool's JWKS",
}


@pytest.fixture(scope="module")
def tenant(sec_app: Any, sec_register: Any) -> Tenant:
    """A seeded course with a launched instructor and learner."""
    return seed_course(sec_app, sec_register(issuer="https://one.test"), "csrf-course", "CS")


def _token(client: Any, cid: int) -> str:
    """A valid CSRF token of this browser's session."""
    return csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))


def _is_csrf_refusal(resp: Any) -> bool:
    """The app's CSRF error: a 400 whose message says the form did not come from this site."""
    return resp.status_code == 400 and CSRF_MESSAGE in resp.get_data(as_text=True)


def test_csrf_is_on(sec_app):
    assert sec_app.config.get("WTF_CSRF_ENABLED", True) is True


def test_every_exemption_is_a_real_route(sec_app):
    endpoints = {r.endpoint for r in rules(sec_app, WRITE_METHODS)}
    assert set(EXEMPT) <= endpoints, set(EXEMPT) - endpoints


def test_exempt_routes_really_skip_csrf(sec_app, tenant):
    """So the list above is the truth: these answer without the CSRF error."""
    for rule in rules(sec_app, WRITE_METHODS):
        if rule.endpoint in EXEMPT:
            resp = tenant.instructor.post(build(sec_app, rule, tenant.values), data={})
            assert not _is_csrf_refusal(resp), rule.endpoint


def test_every_other_write_needs_a_valid_token(sec_app, tenant):
    stranger = sec_app.test_client()
    foreign = csrf_from(stranger.get("/demo/").get_data(as_text=True))
    problems: list[str] = []
    swept = 0
    for rule in rules(sec_app, WRITE_METHODS):
        if rule.endpoint in EXEMPT:
            continue
        url = build(sec_app, rule, tenant.values)
        for who, client in (("instructor", tenant.instructor), ("learner", tenant.learner)):
            swept += 1
            before = snapshot(sec_app)
            for label, data, headers in (
                    ("no token", {"action": "save"}, {}),
                    ("another session's token", {"csrf_token": foreign, "action": "save"}, {}),
                    ("forged token", {"csrf_token": "IjAwMDAi.Zm9yZ2Vk.Zm9yZ2Vk"}, {}),
                    ("an empty header", {}, {"X-CSRFToken": ""})):
                resp = client.post(url, data=data, headers=headers)
                if not _is_csrf_refusal(resp):
                    problems.append(f"{rule.endpoint} as {who}, {label}: {resp.status_code}")
            diff = changed_tables(before, snapshot(sec_app))
            if diff:
                problems.append(f"{rule.endpoint} as {who}, refused posts changed {diff}")
            # Control: with this browser's own token (form field or header) CSRF lets it through.
            token = _token(client, tenant.cid)
            for data, headers in (({"csrf_token": token}, {}), ({}, {"X-CSRFToken": token})):
                if _is_csrf_refusal(client.post(url, data=data, headers=headers)):
                    problems.append(f"{rule.endpoint} as {who}: refused a valid token")
    assert swept >= 40, swept
    assert not problems, "\n".join(problems)
