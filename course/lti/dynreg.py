"""LTI Dynamic Registration 1.0, the pure part: check a platform's configuration, build the tool's
client registration, read the platform's answer. No request, session or database here."""
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from course.lti import claims
from course.lti.tokens import (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_NRPS,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)

PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
# Moodle maps the lineitem scope to full grade sync and NRPS to the member list: ask for all.
SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE, SCOPE_NRPS)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")
# Where each message would like to appear; only placements the platform lists are asked for.
PLACEMENTS = {claims.RESOURCE_LINK_REQUEST: ("course_navigation",),
              claims.DEEP_LINKING_REQUEST: ("ContentArea", "assignment_selection",
                                            "link_selection", "editor_button")}
# Canvas cloud: one issuer, but each school's configuration comes from its own instructure host.
CANVAS_CLOUD_ISSUERS = {"https://canvas.instructure.com", "https://canvas.beta.instructure.com",
                        "https://canvas.test.instructure.com"}
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri",
                      "registration_endpoint")


class RegistrationError(Exception):
    """A registration that cannot go on; `code` for logs, `message` for the administrator."""

    def __init__(self, code: str, message: str, status: int = 400, detail: str = "") -> None:
        """Keep the reason."""
        super().__init__(message)
        self.code, self.message, self.status, self.detail = code, message, status, detail


@dataclass(frozen=True)
class PlatformConfig:
    """What the tool keeps from a platform's OpenID configuration (DR 1.0 section 3.4)."""

    issuer: str
    auth_url: str
    token_url: str
    jwks_url: str
    registration_url: str
    audience: str | None
    product: str
    messages: dict[str, tuple[str, ...] | None]


@dataclass(frozen=True)
class ToolUrls:
    """The tool's own endpoints, as the platform must call them."""

    login: str
    launch: str
    jwks: str
    logo: str | None


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def issuer_matches(issuer: str, config_url: str) -> bool:
    """DR 1.0 section 3.5.1: the issuer must sit on the origin the configuration was read from.

    Canvas cloud's one issuer serves every school from <school>.instructure.com, so for those
    issuers a configuration on any instructure.com host over HTTPS is accepted.
    """
    if origin(issuer) == origin(config_url):  # Moodle's issuer may carry a path (its wwwroot)
        return True
    host = urlparse(config_url).hostname or ""
    return (issuer in CANVAS_CLOUD_ISSUERS and urlparse(config_url).scheme == "https"
            and host.endswith(".instructure.com"))


def _messages(platform: dict[str, Any]) -> dict[str, tuple[str, ...] | None]:
    """Supported message types and their placements; Moodle lists bare strings, Canvas objects."""
    found: dict[str, tuple[str, ...] | None] = {}
    for item in platform.get("messages_supported") or []:
        if isinstance(item, str):
            found[item] = None
        elif isinstance(item, dict) and isinstance(item.get("type"), str):
            places = item.get("placements")
            found[item["type"]] = (tuple(p for p in places if isinstance(p, str))
                                   if isinstance(places, list) else None)
    return found


def check_platform_config(data: Any, config_url: str, https_only: bool) -> PlatformConfig:
    """Validate the platform's OpenID configuration, or raise RegistrationError."""
    if not isinstance(data, dict):
        raise RegistrationError("config_not_json", "The platform's configuration is not a JSON "
                                "object.")
    issuer = data.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise RegistrationError("config_incomplete", "The platform's configuration has no issuer.")
    if not issuer_matches(issuer, config_url):
        raise RegistrationError(
            "issuer_mismatch", "The platform's issuer does not match the address its "
            "configuration came from, so it cannot be trusted.",
            detail=f"issuer {issuer}, configuration at {origin(config_url)}")
    missing = [k for k in REQUIRED_ENDPOINTS if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        raise RegistrationError("config_incomplete", "The platform's configuration is missing "
                                f"{', '.join(missing)}.")
    urls = [issuer, *(data[k] for k in REQUIRED_ENDPOINTS)]
    if https_only and any(urlparse(u).scheme != "https" for u in urls):
        raise RegistrationError("https_required", "Every platform address must use HTTPS.",
                                detail=", ".join(u for u in urls if not u.startswith("https:")))
    found = data.get(PLATFORM_CONFIG)
    platform = found if isinstance(found, dict) else {}
    audience = data.get("authorization_server")
    return PlatformConfig(issuer, data["authorization_endpoint"], data["token_endpoint"],
                          data["jwks_uri"], data["registration_endpoint"],
                          audience if isinstance(audience, str) and audience else None,
                          str(platform.get("product_family_code") or ""), _messages(platform))


def domain_of(url: str) -> str:
    """The domain Moodle compares with target_link_uri: host[:port] without a leading www."""
    netloc = urlparse(url).netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc


def client_registration(tool: ToolUrls, platform: PlatformConfig, name: str,
                        description: str) -> dict[str, Any]:
    """The OpenID client registration the tool POSTs (DR 1.0 section 3.5.2)."""
    messages = []
    for kind, wanted in PLACEMENTS.items():
        message: dict[str, Any] = {"type": kind, "target_link_uri": tool.launch, "label": name}
        offered = platform.messages.get(kind)
        places = [p for p in wanted if offered and p in offered]
        if places:
            message["placements"] = places
        messages.append(message)
    body: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login,
        "redirect_uris": [tool.launch],
        "client_name": name,
        "jwks_uri": tool.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIG: {"domain": domain_of(tool.launch), "target_link_uri": tool.launch,
                      "description": description, "claims": list(CLAIMS),
                      "messages": messages},
    }
    if tool.logo:
        body["logo_uri"] = tool.logo
    return body


@dataclass(frozen=True)
class PlatformAnswer:
    """The client id the platform gave the tool and, when it says, the deployment id."""

    client_id: str
    deployment_id: str | None


def read_answer(data: Any) -> PlatformAnswer:
    """Read the platform's registration response (DR 1.0 section 3.6)."""
    if not isinstance(data, dict):
        raise RegistrationError("answer_not_json", "The platform's answer is not a JSON object.")
    client_id = data.get("client_id")
    if not isinstance(client_id, (str, int)) or client_id == "":
        raise RegistrationError("answer_incomplete", "The platform's answer has no client_id.")
    found = data.get(TOOL_CONFIG)
    tool = found if isinstance(found, dict) else {}
    deployment = tool.get("deployment_id")
    deployment = str(deployment) if isinstance(deployment, (str, int)) and deployment != "" \
        else None
    return PlatformAnswer(str(client_id), deployment)
