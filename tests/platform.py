"""An independent LTI 1.3 platform for tests: lti1p3platform's core with a small Flask adapter.

The tool is only ever reached through HTTP (the Flask test client); the platform signs with
lti1p3platform's own code and keys, never with the tool's.
"""
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TOOL = "http://localhost/"


def new_private_key() -> str:
    """A fresh RSA private key in PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@lru_cache(maxsize=64)
def private_of(private_pem: str) -> Any:
    """The parsed private key; parsing checks the key (about 0.1 s), so once per key."""
    return serialization.load_pem_private_key(private_pem.encode(), None)


@lru_cache(maxsize=64)
def public_of(private_pem: str) -> str:
    """PEM of the public half of a private key."""
    key = private_of(private_pem)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


class PlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform configuration holding one registration of the tool."""

    def init_platform_config(self, **kwargs: Any) -> None:
        """Keep the registration to hand out."""
        self._reg = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        """The one registration."""
        return self._reg


class Login(OIDCLoginAbstract):
    """Third-party initiated login; returns the URL instead of a framework redirect."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        """Carry the hint."""
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        """The login initiation URL."""
        return url


class DictRequest(Request):
    """lti1p3platform request built from the tool's OIDC auth redirect parameters."""

    def build_metadata(self, request: Any) -> Any:
        """Expose the query parameters as GET data."""
        return {"method": "GET", "form_data": {}, "get_data": request, "headers": {},
                "content_type": None, "path": "/auth", "json": None}


class Launch(LTIAdvantageMessageLaunchAbstract):
    """Message launch that can tamper with claims after the platform sets them (for attacks)."""

    mutate: Callable[[dict], None] | None = None
    sign_key: str | None = None

    def render_launch_form(self, launch_data: dict, **kwargs: Any) -> dict:
        """Return the form fields instead of HTML."""
        return launch_data

    def generate_launch_request(self) -> Any:
        """Sign with lti1p3platform's encoder, letting a test change claims first."""
        message, state = self.get_launch_data()
        now = int(time.time())
        message.update({"iat": now, "exp": now + 300})
        if self.mutate:
            self.mutate(message)
        key = self.sign_key or self._registration.get_platform_private_key()
        kid = Registration.get_jwk(public_of(key))["kid"]
        token = Registration.encode_and_sign(message, private_of(key), headers={"kid": kid})
        return {"state": state, "id_token": token}


class TestPlatform:
    """A platform the tests register with the tool and launch from."""

    __test__ = False  # not a pytest class

    def __init__(self, issuer: str = "https://platform.test", client_id: str = "tool-1",
                 deployment_id: str = "dep-1", private_key: str | None = None) -> None:
        """Make (or share, as Canvas does across client ids) the platform's key pair."""
        self.issuer, self.client_id, self.deployment_id = issuer, client_id, deployment_id
        self.private_key = private_key or new_private_key()
        self.host = urlparse(issuer).netloc
        self.jwks_url = f"{issuer}/jwks"

    def registration(self) -> Registration:
        """lti1p3platform's registration of the tool at http://localhost/."""
        reg = Registration()
        reg.set_iss(self.issuer).set_client_id(self.client_id)
        reg.set_deployment_id(self.deployment_id).set_oidc_login_url(TOOL + "lti/login")
        reg.set_launch_url(TOOL + "lti/launch").set_deeplink_launch_url(TOOL + "lti/launch")
        reg.set_platform_private_key(self.private_key)
        reg.set_platform_public_key(public_of(self.private_key))
        reg.set_tool_key_set_url(TOOL + "lti/jwks")
        return reg

    def jwks(self) -> dict:
        """The platform's published keys."""
        return {"keys": self.registration().get_jwks()}

    def cli_args(self) -> list[str]:
        """Arguments for `flask lti add-platform` registering this platform."""
        return ["lti", "add-platform", "--issuer", self.issuer, "--client-id", self.client_id,
                "--auth-url", f"{self.issuer}/auth", "--token-url", f"{self.issuer}/token",
                "--jwks-url", self.jwks_url, "--deployment-id", self.deployment_id]

    def login_url(self, user: str, hint: str = "resource") -> str:
        """The OIDC login initiation URL the platform sends the browser to."""
        conf = PlatformConf(registration=self.registration())
        login = Login(None, conf)
        login.set_lti_message_hint(hint=hint)
        return login.initiate_login(user)

    def authorize(self, auth_url: str, user: str, roles: list[str], context: str | None,
                  mutate: Callable[[dict], None] | None = None, sign_key: str | None = None,
                  extra: Callable[[Launch], None] | None = None) -> dict:
        """The platform's auth endpoint: check the request, then sign an id_token."""
        params = {k: v[0] for k, v in parse_qs(urlparse(auth_url).query).items()}
        # lti1p3platform checks neither login_hint nor redirect_uri; a real platform must.
        assert params["login_hint"] == user, "tool changed the login_hint"
        assert params["redirect_uri"] == TOOL + "lti/launch", "unregistered redirect_uri"
        assert urlparse(auth_url).netloc == self.host, "tool redirected to the wrong platform"
        launch = Launch(DictRequest(params), PlatformConf(registration=self.registration()))
        launch.mutate, launch.sign_key = mutate, sign_key
        launch.set_user_data(user, roles, full_name=f"User {user}")
        if context:
            launch.set_launch_context_claim(context, context_title=f"Course {context}")
        launch.set_resource_link_claim(f"link-{context}")
        if extra:
            extra(launch)
        data = launch.lti_launch()
        return {"id_token": data["id_token"], "state": data["state"], "url": data["launch_url"]}


def platform_app(platforms: list[TestPlatform]) -> Flask:
    """The platforms' web side: each JWKS URL publishes the keys of every platform behind it."""
    app = Flask("test-platforms")

    @app.get("/jwks")
    def jwks() -> Any:
        """Keys of the platforms on the requested host (the list grows as tests register)."""
        from flask import request
        found = [p for p in platforms if p.host == request.host]
        keys = {k["kid"]: k for p in found for k in p.jwks()["keys"]}
        return jsonify({"keys": list(keys.values())})

    return app


class FlaskAdapter(requests.adapters.BaseAdapter):
    """Route requests calls to a Flask app in the same process (no sockets)."""

    def __init__(self, app: Flask) -> None:
        """Wrap the app's test client."""
        super().__init__()
        self.app = app
        self.calls: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Perform the request against the app and build a requests Response."""
        self.calls.append(f"{request.method} {request.url}")
        parsed = urlparse(request.url)
        client = self.app.test_client()
        resp = client.open(parsed.path, method=request.method, query_string=parsed.query,
                           data=request.body, headers=dict(request.headers),
                           base_url=f"{parsed.scheme}://{parsed.netloc}")
        out = requests.Response()
        out.status_code, out._content = resp.status_code, resp.get_data()
        out.headers.update(dict(resp.headers))
        out.url, out.request = request.url, request
        return out

    def close(self) -> None:
        """Nothing to release."""
