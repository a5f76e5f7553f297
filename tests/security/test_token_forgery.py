"""Forged id_tokens built by hand (PyJWT, raw HMAC) are refused with a 4xx and create no rows.

tests/course/test_lti_launch.py covers launches signed by lti1p3platform with changed claims;
this file builds the tokens lti1p3platform cannot produce (alg none, HS256 keyed with the
public key, a foreign key under the real kid, audience lists, azp) and checks, for each, the
status, the error code, a readable message, and that no user, context or membership appeared.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from flask.testing import FlaskClient
from lti1p3platform.registration import Registration
from sqlalchemy import func, select

from course.db import db
from course.lti import claims as c
from course.models import Context, Membership, User
from tests.platform import LEARNER, TOOL, TestPlatform, new_private_key, public_of
from tests.security.helpers import has_message

ONE, TWO = "https://one.test", "https://two.test"


@pytest.fixture(scope="module")
def plat(sec_register: Callable[..., TestPlatform]) -> dict[str, TestPlatform]:
    """Two registered platforms: the one attacked and another one the tool trusts."""
    return {"one": sec_register(issuer=ONE, client_id="tool-1", deployment_id="dep-1"),
            "two": sec_register(issuer=TWO, client_id="tool-2", deployment_id="dep-2")}


def kid_of(private_pem: str) -> str:
    """The kid a platform publishes for a key (lti1p3platform's thumbprint)."""
    return Registration.get_jwk(public_of(private_pem))["kid"]


def b64(data: bytes) -> str:
    """base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_token(header: dict[str, Any], body: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    """A compact JWS assembled by hand, so any header and any signature can be sent."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()))}"


def begin(client: FlaskClient, platform: TestPlatform, user: str) -> dict[str, str]:
    """OIDC login at the tool: the state (cookie set) and the nonce it expects back."""
    start = client.get(platform.login_url(user))
    assert start.status_code == 302, start.get_data(as_text=True)
    query = parse_qs(urlparse(start.location).query)
    return {"state": query["state"][0], "nonce": query["nonce"][0]}


def good_claims(platform: TestPlatform, nonce: str, user: str) -> dict[str, Any]:
    """A valid resource-link launch for `user` into a context named after them."""
    now = int(time.time())
    return {"iss": platform.issuer, "aud": platform.client_id, "sub": user, "nonce": nonce,
            "iat": now, "exp": now + 300, "name": f"User {user}",
            c.DEPLOYMENT_ID: platform.deployment_id, c.MESSAGE_TYPE: "LtiResourceLinkRequest",
            c.VERSION: "1.3.0", c.ROLES: [LEARNER], c.TARGET_LINK_URI: TOOL + "lti/launch",
            c.CONTEXT: {"id": f"ctx-{user}", "title": f"Course of {user}"},
            c.RESOURCE_LINK: {"id": f"link-{user}"}}


def rs256(platform: TestPlatform, body: dict[str, Any], key: str | None = None,
          kid: str | None = None) -> str:
    """Sign with the platform's key (or another), naming the platform's kid (or another)."""
    key = key or platform.private_key
    return jwt.encode(body, key, algorithm="RS256",
                      headers={"kid": kid or kid_of(platform.private_key)})


def counts(app: Any) -> tuple[int, int, int]:
    """How many users, contexts and memberships exist."""
    with app.app_context():
        found = tuple(db.session.scalar(select(func.count()).select_from(m))
                      for m in (User, Context, Membership))
        db.session.remove()
    return found  # type: ignore[return-value]


def error_code(resp: Any) -> str:
    """The stable code on the launch error page."""
    match = re.search(r"<code>([^<]+)</code>", resp.get_data(as_text=True))
    assert match, resp.get_data(as_text=True)
    return match.group(1)


def post_launch(client: FlaskClient, token: str, state: str) -> Any:
    """The platform's auto-posted form, as the browser sends it."""
    return client.post("/lti/launch", data={"id_token": token, "state": state})


def _alg_none(p: dict[str, TestPlatform], body: dict[str, Any]) -> str:
    """Unsigned, naming the real kid."""
    return raw_token({"alg": "none", "typ": "JWT", "kid": kid_of(p["one"].private_key)}, body,
                     lambda _: b"")


def _hs256_public_key(p: dict[str, TestPlatform], body: dict[str, Any]) -> str:
    """Algorithm confusion: HMAC keyed with the platform's public key PEM, which anyone has."""
    secret = public_of(p["one"].private_key).encode()
    return raw_token({"alg": "HS256", "typ": "JWT", "kid": kid_of(p["one"].private_key)}, body,
                     lambda data: hmac.new(secret, data, hashlib.sha256).digest())


def _rs256_no_signature(p: dict[str, TestPlatform], body: dict[str, Any]) -> str:
    """Claims RS256 but carries an empty signature."""
    return raw_token({"alg": "RS256", "typ": "JWT", "kid": kid_of(p["one"].private_key)}, body,
                     lambda _: b"")


def _now() -> int:
    """The current Unix time."""
    return int(time.time())


# (case, how to build the token from (platforms, good claims), expected error codes)
CASES: list[tuple[str, Callable[[dict[str, TestPlatform], dict[str, Any]], str], set[str]]] = [
    ("alg none", _alg_none, {"bad_algorithm"}),
    ("alg none without kid", lambda p, b: raw_token({"alg": "none"}, b, lambda _: b""),
     {"bad_algorithm"}),
    ("HS256 keyed with the public key", _hs256_public_key, {"bad_algorithm"}),
    ("RS256 with an empty signature", _rs256_no_signature, {"bad_signature"}),
    ("foreign key under the real kid",
     lambda p, b: rs256(p["one"], b, key=new_private_key()), {"bad_signature"}),
    ("other platform's key under its own kid",
     lambda p, b: rs256(p["one"], b, key=p["two"].private_key,
                       kid=kid_of(p["two"].private_key)), {"unknown_key"}),
    ("platform one posing as platform two",
     lambda p, b: rs256(p["one"], dict(b, iss=TWO, aud="tool-2",
                                       **{c.DEPLOYMENT_ID: "dep-2"})), {"unknown_key"}),
    ("wrong issuer", lambda p, b: rs256(p["one"], dict(b, iss="https://evil.test")),
     {"unknown_registration"}),
    ("wrong aud", lambda p, b: rs256(p["one"], dict(b, aud="someone-else")),
     {"unknown_registration"}),
    ("aud list without the client id",
     lambda p, b: rs256(p["one"], dict(b, aud=["someone-else", "another"])),
     {"unknown_registration", "wrong_audience"}),
    ("azp names another client",
     lambda p, b: rs256(p["one"], dict(b, aud=["tool-1", "someone-else"], azp="someone-else")),
     {"unknown_registration", "wrong_audience"}),
    ("expired", lambda p, b: rs256(p["one"], dict(b, iat=_now() - 900, exp=_now() - 600)),
     {"expired"}),
    ("nbf beyond the leeway", lambda p, b: rs256(p["one"], dict(b, nbf=_now() + 600)),
     {"not_yet_valid"}),
    ("iat beyond the leeway",
     lambda p, b: rs256(p["one"], dict(b, iat=_now() + 600, exp=_now() + 900)),
     {"not_yet_valid"}),
    ("no exp", lambda p, b: rs256(p["one"], {k: v for k, v in b.items() if k != "exp"}),
     {"claim_missing"}),
    ("unknown deployment",
     lambda p, b: rs256(p["one"], dict(b, **{c.DEPLOYMENT_ID: "dep-unknown"})),
     {"unknown_deployment"}),
    ("other platform's deployment",
     lambda p, b: rs256(p["one"], dict(b, **{c.DEPLOYMENT_ID: "dep-2"})),
     {"unknown_deployment"}),
    ("unknown message type",
     lambda p, b: rs256(p["one"], dict(b, **{c.MESSAGE_TYPE: "LtiStartProctoring"})),
     {"message_type"}),
    ("a deep-linking response sent as a launch",
     lambda p, b: rs256(p["one"], dict(b, **{c.MESSAGE_TYPE: "LtiDeepLinkingResponse"})),
     {"message_type"}),
    ("wrong LTI version", lambda p, b: rs256(p["one"], dict(b, **{c.VERSION: "1.1.0"})),
     {"invalid_launch"}),
    ("nonce missing", lambda p, b: rs256(p["one"], {k: v for k, v in b.items() if k != "nonce"}),
     {"nonce_missing"}),
    ("nonce the tool never issued", lambda p, b: rs256(p["one"], dict(b, nonce="made-up")),
     {"replayed"}),
    ("not a JWT", lambda p, b: "not-a-jwt", {"id_token_malformed"}),
    ("undecodable parts", lambda p, b: "eyJ!!.@@@.###", {"id_token_malformed"}),
]


def test_hand_built_token_is_accepted(sec_app, plat):
    """The builder itself is right, so every refusal below is for the one thing changed."""
    client = sec_app.test_client()
    start = begin(client, plat["one"], "control-user")
    resp = post_launch(client, rs256(plat["one"], good_claims(plat["one"], start["nonce"],
                                                              "control-user")), start["state"])
    assert resp.status_code == 302 and "/c/" in resp.location, resp.get_data(as_text=True)


@pytest.mark.parametrize("case, build, codes", CASES, ids=[case[0] for case in CASES])
def test_forged_token_is_refused_and_creates_nothing(sec_app, plat, case, build, codes):
    client = sec_app.test_client()
    user = "forged-" + re.sub(r"\W+", "-", case)
    start = begin(client, plat["one"], user)
    before = counts(sec_app)
    resp = post_launch(client, build(plat, good_claims(plat["one"], start["nonce"], user)),
                       start["state"])
    assert 400 <= resp.status_code < 500, (case, resp.status_code)
    assert error_code(resp) in codes, (case, error_code(resp))
    assert has_message(resp), case
    assert counts(sec_app) == before, f"{case}: a refused launch created rows"


def test_refusal_is_json_for_api_clients(sec_app, plat):
    client = sec_app.test_client()
    start = begin(client, plat["one"], "json-user")
    token = _alg_none(plat, good_claims(plat["one"], start["nonce"], "json-user"))
    resp = client.post("/lti/launch", data={"id_token": token, "state": start["state"]},
                       headers={"Accept": "application/json"})
    body = resp.get_json()
    assert resp.status_code == 400 and body["error"] and body["message"]


def test_replayed_token_creates_nothing_more(sec_app, plat):
    client = sec_app.test_client()
    start = begin(client, plat["one"], "replay-user")
    token = rs256(plat["one"], good_claims(plat["one"], start["nonce"], "replay-user"))
    assert post_launch(client, token, start["state"]).status_code == 302
    before = counts(sec_app)
    for browser in (client, sec_app.test_client()):
        resp = post_launch(browser, token, start["state"])
        assert 400 <= resp.status_code < 500 and has_message(resp)
    assert counts(sec_app) == before


def test_captured_unused_token_fails_in_another_browser(sec_app, plat):
    """An id_token stolen before the victim used it, posted with the attacker's own login state."""
    victim, attacker = sec_app.test_client(), sec_app.test_client()
    base = {"base_url": "https://localhost"}  # production runs on HTTPS
    start = begin_https(victim, plat["one"], "victim-user")
    token = rs256(plat["one"], good_claims(plat["one"], start["nonce"], "victim-user"))
    own = begin_https(attacker, plat["one"], "victim-user")
    before = counts(sec_app)
    resp = attacker.post("/lti/launch", data={"id_token": token, "state": own["state"]}, **base)
    assert 400 <= resp.status_code < 500 and has_message(resp)
    assert counts(sec_app) == before
    # The victim, whose browser started this login, still gets in.
    assert victim.post("/lti/launch", data={"id_token": token, "state": start["state"]},
                       **base).status_code == 302


def begin_https(client: FlaskClient, platform: TestPlatform, user: str) -> dict[str, str]:
    """begin() over HTTPS, where cookies are Secure and launch data is bound to the browser."""
    url = platform.login_url(user).replace("http://localhost", "https://localhost")
    start = client.get(url, base_url="https://localhost")
    assert start.status_code == 302, start.get_data(as_text=True)
    query = parse_qs(urlparse(start.location).query)
    return {"state": query["state"][0], "nonce": query["nonce"][0]}


def test_azp_naming_a_sibling_registration_is_refused(sec_app, sec_register):
    """Canvas cloud: one issuer and key, two client ids. A token checked against school A's
    registration must not be recorded under school B because its azp says so (OIDC Core 3.1.3.7)."""
    shared = new_private_key()
    school_a = sec_register(issuer="https://canvas.test", client_id="school-a",
                            deployment_id="dep-a", private_key=shared)
    sec_register(issuer="https://canvas.test", client_id="school-b", deployment_id="dep-b",
                 private_key=shared)
    client = sec_app.test_client()
    start = begin(client, school_a, "azp-user")
    body = dict(good_claims(school_a, start["nonce"], "azp-user"), aud=["school-a", "school-b"],
                azp="school-b")
    before = counts(sec_app)
    resp = post_launch(client, rs256(school_a, body), start["state"])
    assert 400 <= resp.status_code < 500 and has_message(resp), resp.status_code
    assert counts(sec_app) == before
