"""Deep Linking 2.0: the items an instructor can add (offered by the packages), the signed reply.

Pure code: it takes plain values (settings claim, identities, a key) and returns dicts and a JWT;
the views restore the launch and supply them.
"""
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from course.lti import claims

RESOURCE_LINK = "ltiResourceLink"
RESPONSE_TYPE = "LtiDeepLinkingResponse"
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MESSAGE = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
RESPONSE_LIFETIME = 600


class DeepLinkError(ValueError):
    """A deep-linking request this tool cannot answer, or a choice it does not offer."""


@dataclass(frozen=True)
class Choice:
    """Something an instructor can place in the course, such as a teaching module or a quiz."""

    kind: str
    slug: str
    title: str
    description: str = ""
    score_maximum: int | None = None  # set for graded items: the platform makes a grade column

    @property
    def key(self) -> str:
        """The value that names this choice in the picker form and the custom parameter."""
        return f"{self.kind}:{self.slug}"


def pick(choices: Iterable[Choice], keys: Iterable[str], multiple: bool) -> list[Choice]:
    """The choices named by the submitted keys, in catalogue order; unknown keys are refused."""
    wanted = list(dict.fromkeys(k for k in keys if k))
    by_key = {c.key: c for c in choices}
    unknown = [k for k in wanted if k not in by_key]
    if unknown:
        raise DeepLinkError(f"Unknown item: {unknown[0]}. Reload the page and choose again.")
    if len(wanted) > 1 and not multiple:
        raise DeepLinkError("The platform accepts one item at a time: choose only one.")
    return [c for c in by_key.values() if c.key in wanted]


def check_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The deep_linking_settings claim, checked for what this tool needs (DL 2.0 section 4.4.1)."""
    if not isinstance(settings, Mapping) or not settings.get("deep_link_return_url"):
        raise DeepLinkError("This launch is not a deep-linking request: open the tool with the "
                            "platform's 'add content' or 'select content' button.")
    accepted = settings.get("accept_types") or []
    if RESOURCE_LINK not in accepted:
        raise DeepLinkError("The platform does not accept LTI resource links here, which is "
                            "the only kind of content this tool adds.")
    return dict(settings)


def accepts_multiple(settings: Mapping[str, Any]) -> bool:
    """Whether the platform takes several items in one response (default: false, DL 4.4.1)."""
    value = settings.get("accept_multiple", False)
    return value is True or str(value).lower() == "true"


def content_item(choice: Choice, launch_url: str) -> dict[str, Any]:
    """An ltiResourceLink item (DL 2.0 section 3.1); graded items bring their own grade column."""
    item: dict[str, Any] = {"type": RESOURCE_LINK, "title": choice.title, "url": launch_url,
                            "custom": {"resource": choice.key}}
    if choice.description:
        item["text"] = choice.description[:500]
    if choice.score_maximum is not None:
        item["lineItem"] = {"scoreMaximum": choice.score_maximum, "label": choice.title,
                            "resourceId": choice.key, "tag": choice.kind}
    return item


def response_claims(settings: Mapping[str, Any], issuer: str, client_id: str,
                    deployment_id: str, items: list[dict[str, Any]],
                    now: float | None = None, message: str = "") -> dict[str, Any]:
    """The LtiDeepLinkingResponse message (DL 2.0 section 4.5): from the tool to the platform."""
    issued = int(time.time() if now is None else now)
    body: dict[str, Any] = {
        "iss": client_id, "aud": [issuer], "azp": client_id,
        "iat": issued, "exp": issued + RESPONSE_LIFETIME, "nonce": uuid.uuid4().hex,
        claims.DEPLOYMENT_ID: deployment_id, claims.MESSAGE_TYPE: RESPONSE_TYPE,
        claims.VERSION: "1.3.0", CONTENT_ITEMS: items,
    }
    # `data` must come back unchanged when the platform sent it (DL 2.0 section 4.4.1).
    if settings.get("data") is not None:
        body[DL_DATA] = settings["data"]
    if message:
        body[DL_MESSAGE] = message
    return body


def sign(body: Mapping[str, Any], private_key: Any, kid: str) -> str:
    """Sign the response with the tool's key (PEM or parsed); the platform checks it by JWKS."""
    return jwt.encode(dict(body), private_key, algorithm="RS256", headers={"kid": kid})
