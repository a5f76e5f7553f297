"""Names of the LTI 1.3 claims this tool reads (LTI 1.3 section 5.3, AGS 3.1, NRPS 3.6, GS)."""
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
GROUPS = "https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice"  # LTI Course Groups 1.0
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"


def client_id(body: dict[str, Any]) -> str:
    """The audience client id: `aud` may be a string or a list with `azp` (OIDC Core 2)."""
    aud = body.get("aud")
    if isinstance(aud, list):
        return str(body.get("azp") or (aud[0] if aud else ""))
    return str(aud or "")
