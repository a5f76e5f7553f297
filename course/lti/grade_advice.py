"""What an instructor or admin must switch on when an LMS refuses the tool's grades (pure).

Real Moodle 4.5 with the tool's grade sync off refuses the token (`400 invalid_scope`); Canvas
does the same when the developer key lacks the AGS scopes. Both are settings, not lost causes.
"""
from __future__ import annotations

from typing import Any

MOODLE, CANVAS = "moodle", "canvas"

ADVICE = {
    MOODLE: ("Moodle refused the grade: switch on 'IMS LTI Assignment and Grade Services' → "
             "'Use this service for grade sync and column management' for this tool in Site "
             "administration → Plugins → Activity modules → External tool → Manage tools "
             "(edit the tool)."),
    CANVAS: ("Canvas refused the grade: in Admin → Developer Keys, edit this tool's LTI key, "
             "enable its LTI Advantage (AGS) scopes for line items, scores and results, save, "
             "and make sure the key is ON."),
    None: ("The LMS refused the grade: allow this tool to use LTI Assignment and Grade Services "
           "(grade sync, the AGS line item, score and result scopes) in the LMS's tool settings."),
}
RETRY_NOTE = ("The tool keeps the score and tries again every few hours, so it arrives once "
              "this is switched on.")


def platform_kind(registration: Any) -> str | None:
    """Moodle or Canvas, told apart by the token URL each always uses (else by the issuer)."""
    token_url = str(getattr(registration, "auth_token_url", "") or "").lower()
    issuer = str(getattr(registration, "issuer", "") or "").lower()
    if token_url.endswith("/mod/lti/token.php") or "moodle" in issuer:
        return MOODLE
    if token_url.endswith("/login/oauth2/token") or "canvas" in issuer or "instructure" in issuer:
        return CANVAS
    return None


def advice(registration: Any) -> str:
    """The sentence that says what to switch on, in this registration's LMS."""
    return ADVICE[platform_kind(registration)]


def refused_message(registration: Any, reason: str) -> str:
    """The stored reason for a score the LMS refused by configuration."""
    return f"{advice(registration)} ({reason}) {RETRY_NOTE}"
