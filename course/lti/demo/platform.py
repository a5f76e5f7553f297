"""The demo platform's side of LTI 1.3, built on the lti1p3platform package."""
import copy
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app, redirect, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration as PlatformRegistration
from lti1p3platform.request import Request as PlatformRequest

from course.lti import keys

ISSUER = "https://demo-platform.ms-muscle-course.invalid"
CLIENT_ID = "demo-client"
DEPLOYMENT_ID = "demo-deployment"
ROLE_URIS = {"learner": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
             "instructor": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"}
HINT_MAX_AGE = 600


@dataclass(frozen=True)
class DemoPerson:
    """A demo account on the demo platform."""

    sub: str
    name: str
    role: str


PEOPLE = {p.sub: p for p in (
    DemoPerson("demo-learner", "Alex Morgan", "learner"),
    DemoPerson("demo-learner-2", "Sam Patel", "learner"),
    DemoPerson("demo-instructor", "Dr Jordan Rivera", "instructor"),
)}
COURSES = {"demo-course-1": "NURS 320: MS and muscles (demo)",
           "demo-course-2": "NURS 410: Neuro rehab (demo)"}


def _key_path() -> Path:
    """Where the demo platform's key lives: the instance folder."""
    return Path(current_app.instance_path) / "demo_platform_key.pem"


def platform_private_key() -> str:
    """The demo platform's signing key in PEM, generated once into the instance folder."""
    return _pem(str(_key_path()))


@lru_cache(maxsize=4)
def _pem(path: str) -> str:
    """Read (or first create) the key file; remembered per process and path."""
    file = Path(path)
    if not file.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        temp = file.with_name(f".{file.name}.{os.getpid()}")
        temp.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        temp.chmod(0o600)
        # Each worker remembers the key it read, so two starting at once must agree on one:
        # link() publishes a complete file and fails if another worker published first.
        try:
            os.link(temp, file)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    return file.read_text()


@lru_cache(maxsize=4)
def _parsed(pem: str) -> rsa.RSAPrivateKey:
    """The parsed key: cryptography checks an RSA key when it loads it (~25 ms), so only once."""
    key = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def platform_signing_key() -> rsa.RSAPrivateKey:
    """The demo platform's private key object, parsed once per process."""
    return _parsed(platform_private_key())


@lru_cache(maxsize=4)
def _public_pem(pem: str) -> str:
    """PEM of the public half of a private key PEM."""
    return _parsed(pem).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def platform_public_key() -> str:
    """PEM of the demo platform's public key."""
    return _public_pem(platform_private_key())


@lru_cache(maxsize=4)
def _jwks(pem: str) -> dict[str, Any]:
    """The public key set of a private key PEM."""
    # get_jwk sets kid to the key's thumbprint, the kid lti1p3platform signs with.
    return {"keys": [PlatformRegistration.get_jwk(_public_pem(pem))]}


def platform_jwks() -> dict[str, Any]:
    """The demo platform's public key set, stored statically on its tool-side registration."""
    return copy.deepcopy(_jwks(platform_private_key()))


def _serializer() -> URLSafeTimedSerializer:
    """Signs the lti_message_hint so the auth step knows who asked to launch."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="demo-message-hint")


def make_hint(data: dict[str, Any]) -> str:
    """A signed, expiring message hint."""
    return _serializer().dumps(data)


def read_hint(hint: str) -> dict[str, Any] | None:
    """The message hint's data, or None when forged or expired."""
    try:
        return _serializer().loads(hint, max_age=HINT_MAX_AGE)
    except BadSignature:
        return None


class DemoPlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform configuration for the one demo registration."""

    def init_platform_config(self, **kwargs: Any) -> None:
        """Remember the tool's base URL."""
        self._root = kwargs["root"]

    def get_registration_by_params(self, **kwargs: Any) -> PlatformRegistration:
        """The demo platform's registration of this tool."""
        reg = DemoRegistration()
        reg.set_iss(ISSUER).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT_ID)
        reg.set_oidc_login_url(self._root + "lti/login")
        reg.set_launch_url(self._root + "lti/launch")
        reg.set_deeplink_launch_url(self._root + "lti/launch")
        reg.set_platform_private_key(platform_private_key())
        reg.set_platform_public_key(platform_public_key())
        return reg


class DemoRegistration(PlatformRegistration):
    """lti1p3platform's registration, signing with the key parsed once per process.

    lti1p3platform hands the PEM to PyJWT and to jwcrypto (for the kid) on every signature,
    and each parse checks the RSA key again; PyJWT signs with a key object just as well.
    """

    def get_platform_private_key(self) -> Any:
        """The parsed private key (PyJWT accepts it wherever it accepts a PEM)."""
        return platform_signing_key()

    def get_kid(self) -> str | None:
        """The key's thumbprint, as published in platform_jwks()."""
        return str(_jwks(platform_private_key())["keys"][0]["kid"])

    def get_tool_key_set(self) -> Any:
        """The tool's published keys, read only when the platform checks a tool's signature."""
        return keys.jwks()


class DemoLogin(OIDCLoginAbstract):
    """Third-party initiated login from the demo platform to the tool."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        """Carry the signed hint."""
        self._lti_message_hint = kwargs["hint"]

    storage_target: str | None = None  # LTI Client Side postMessages: where put_data goes

    def get_redirect(self, url: str) -> Any:
        """Send the browser to the tool's login endpoint (announcing platform storage if any)."""
        if self.storage_target:
            url += ("&" if "?" in url else "?") + urlencode({"lti_storage_target":
                                                             self.storage_target})
        return redirect(url)


class DemoRequest(PlatformRequest):
    """lti1p3platform's view of a Flask request."""

    def build_metadata(self, request: Any) -> Any:
        """Copy what the platform library reads."""
        return {"method": request.method, "form_data": request.form.to_dict(),
                "get_data": request.args.to_dict(), "headers": dict(request.headers),
                "content_type": request.content_type, "path": request.path, "json": None}


class DemoLaunch(LTIAdvantageMessageLaunchAbstract):
    """The demo platform's id_token message, posted to the tool by an auto-submitting form."""

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> str:
        """A form that posts id_token and state to the tool's redirect_uri."""
        return render_template("demo/autopost.html", heading="Launching the course…",
                               action=launch_data["launch_url"],
                               fields={"id_token": launch_data["id_token"],
                                       "state": launch_data["state"]})
