"""A platform double for LTI Dynamic Registration that behaves like Moodle 4.5 or like Canvas.

Written from their documented behaviour (see /work/shared/design.md), not from the tool's code:
Moodle requires the OpenID client fields, checks the domain against target_link_uri, spends its
registration token once and creates the tool pending; Canvas signs a one-hour JWT registration
token, lists placements, and answers without a deployment id.
"""
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlparse

import jwt
from flask import Flask, jsonify, request

from tests.platform import TestPlatform, new_private_key

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
KINDS = {
    "moodle": {"config": "/mod/lti/openid-configuration.php",
               "register": "/mod/lti/openid-registration.php",
               "messages": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]},
    "canvas": {"config": "/api/lti/security/openid-configuration",
               "register": "/api/lti/registrations",
               "messages": [{"type": "LtiResourceLinkRequest",
                             "placements": ["course_navigation", "account_navigation"]},
                            {"type": "LtiDeepLinkingRequest",
                             "placements": ["assignment_selection", "link_selection",
                                            "editor_button"]}]},
}


def _domain(url: str) -> str:
    """Moodle's lti_get_domain_from_url: host[:port] without a leading www."""
    netloc = urlparse(url).netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc


class RegistrationPlatform:
    """One LMS that tools can register with; tests set the attributes below to misbehave."""

    def __init__(self, kind: str = "moodle", host: str | None = None) -> None:
        """A platform of the kind at https://<host>."""
        self.kind, self.paths = kind, KINDS[kind]
        self.host = host or f"{kind}.test"
        self.issuer = f"https://{self.host}"
        self.private_key = new_private_key()
        self.secret = secrets.token_hex(16)
        self.tokens: dict[str, bool] = {}  # Moodle's opaque tokens -> used?
        self.tools: list[dict[str, Any]] = []  # registrations received: body, client_id, status
        self.posts = 0
        self.config_override: dict[str, Any] = {}
        self.answer_mutate: Callable[[dict], None] | None = None

    @property
    def config_url(self) -> str:
        """Where the platform serves its OpenID configuration."""
        return self.issuer + self.paths["config"]

    def registration_token(self, age: int = 0) -> str:
        """What the LMS adds to the tool's URL: opaque for Moodle, a 1-hour JWT for Canvas."""
        if self.kind == "canvas":
            now = int(time.time()) - age
            return jwt.encode({"iat": now, "exp": now + 3600, "scope": "reg"}, self.secret,
                              algorithm="HS256")
        token = secrets.token_urlsafe(12)
        self.tokens[token] = False
        return token

    def start_url(self, link: str, token: str | None = None) -> str:
        """The tool URL the LMS opens: the admin's link plus openid_configuration and token."""
        query = {"openid_configuration": self.config_url,
                 "registration_token": token or self.registration_token()}
        return f"{link}&{urlencode(query)}"

    def launcher(self, deployment_id: str | None = None) -> TestPlatform:
        """A TestPlatform that launches through the newest registration, with this key."""
        tool = self.tools[-1]
        return TestPlatform(self.issuer, tool["client_id"],
                            deployment_id or tool["deployment_id"] or "", self.private_key)

    def configuration(self) -> dict[str, Any]:
        """The platform's OpenID configuration (DR 1.0 section 3.4)."""
        data = {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/auth",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "registration_endpoint": self.issuer + self.paths["register"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "scopes_supported": ["openid", LINEITEM, NRPS],
                "response_types_supported": ["id_token"], "id_token_signing_alg_values_supported":
                ["RS256"], "claims_supported": ["sub", "iss", "name", "email"],
                PLATFORM_CONFIG: {"product_family_code": self.kind, "version": "1",
                                  "messages_supported": self.paths["messages"]}}
        data.update(self.config_override)
        return data

    def check_token(self, header: str) -> str | None:
        """None when the bearer registration token is good, else the error code."""
        token = header[7:] if header.startswith("Bearer ") else ""
        if self.kind == "canvas":
            try:
                jwt.decode(token, self.secret, algorithms=["HS256"])
            except jwt.InvalidTokenError:
                return "invalid_token"
            return None
        if token not in self.tokens:
            return "unauthorized"
        if self.tokens[token]:
            return "token_already_used"
        self.tokens[token] = True
        return None

    def check_body(self, body: Any) -> str | None:
        """The fields Moodle's registration_helper and Canvas's controller insist on."""
        if not isinstance(body, dict):
            return "body is not JSON"
        lti = body.get(TOOL_CONFIG)
        required = ["initiate_login_uri", "redirect_uris", "client_name", "jwks_uri"]
        problems = [f"missing {f}" for f in required if not body.get(f)]
        problems += [] if "id_token" in (body.get("response_types") or []) else ["response_types"]
        if body.get("token_endpoint_auth_method") != "private_key_jwt":
            problems.append("token_endpoint_auth_method")
        if not isinstance(body.get("redirect_uris"), list):
            problems.append("redirect_uris must be an array")
        if body.get("application_type", "web") != "web" or (
                self.kind == "canvas" and body.get("application_type") != "web"):
            problems.append("application_type")
        if self.kind == "canvas" and not {"client_credentials", "implicit"} <= set(
                body.get("grant_types") or []):
            problems.append("grant_types")
        if not isinstance(lti, dict):
            problems.append("missing lti-tool-configuration")
        elif lti.get("domain") != _domain(lti.get("target_link_uri") or ""):
            problems.append("domain does not match target_link_uri")
        return "; ".join(problems) or None

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create the tool (pending on Moodle) and answer as the platform does."""
        client_id = secrets.token_hex(6) if self.kind == "moodle" else \
            str(10000000000000 + len(self.tools) + 1)
        deployment = str(len(self.tools) + 1) if self.kind == "moodle" else None
        scopes = (body.get("scope") or "").split()
        self.tools.append({"body": body, "client_id": client_id, "deployment_id": deployment,
                           "status": "pending" if self.kind == "moodle" else "off",
                           "grade_sync": 2 if LINEITEM in scopes else 0,
                           "members": NRPS in scopes})
        tool_config = dict(body[TOOL_CONFIG])
        if deployment:
            tool_config["deployment_id"] = deployment
        out = {**body, "client_id": client_id, TOOL_CONFIG: tool_config}
        if self.answer_mutate:
            self.answer_mutate(out)
        return out

    def app(self) -> Flask:
        """The platform's web side: configuration, registration endpoint and JWKS."""
        app = Flask(f"{self.kind}-registration")

        @app.get(self.paths["config"])
        def config() -> Any:
            """The OpenID configuration."""
            return jsonify(self.configuration())

        @app.post(self.paths["register"])
        def register() -> Any:
            """Register a tool (DR 1.0 section 3.5)."""
            self.posts += 1
            refused = self.check_token(request.headers.get("Authorization", ""))
            if refused:
                return jsonify({"error": refused}), 401 if refused != "token_already_used" else 400
            problem = self.check_body(request.get_json(silent=True))
            if problem:
                return jsonify({"error": "invalid_client_metadata",
                                "error_description": problem}), 400
            return jsonify(self.answer(request.get_json()))

        @app.get("/jwks")
        def jwks() -> Any:
            """The key the launches are signed with."""
            return jsonify(TestPlatform(self.issuer, "x", "x", self.private_key).jwks())

        return app
