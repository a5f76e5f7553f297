"""Explain every launch rejection in words an LMS administrator can act on."""
from dataclasses import dataclass

# (fragment of pylti1p3's or PyJWT's message, code, explanation); first match wins.
REASONS: tuple[tuple[str, str, str], ...] = (
    ("State not found", "state_mismatch",
     "The launch state does not match this browser. Start the launch again from your course."),
    ("Missing state", "state_missing", "The launch request has no state parameter."),
    ("Missing id_token", "id_token_missing", "The launch request has no id_token."),
    ("JWT must contain 3 parts", "id_token_malformed", "The id_token is not a signed JWT."),
    ("can't be decoded", "id_token_malformed", "The id_token could not be decoded."),
    ("Invalid Nonce", "replayed",
     "This launch token was already used or has expired. Each launch can be used once."),
    ('"nonce" is empty', "nonce_missing", "The id_token has no nonce."),
    ('"iss" is empty', "issuer_missing", "The id_token has no issuer (iss)."),
    ("Registration not found", "unknown_registration",
     "No platform is registered for this issuer and client id (check iss and aud)."),
    ("Client id not registered", "unknown_registration",
     "The client id in the token is not registered for this issuer."),
    ("Unable to find deployment", "unknown_deployment",
     "The deployment id is not registered for this platform. Ask the administrator to add it."),
    ("JWT KID not found", "kid_missing", "The id_token header has no key id (kid)."),
    ("JWT ALG not found", "alg_missing", "The id_token header has no algorithm."),
    ("Unable to find public key", "unknown_key",
     "The id_token is signed by a key the platform does not publish."),
    ("Signature verification failed", "bad_signature", "The id_token signature is not valid."),
    ("Signature has expired", "expired", "The id_token has expired. Launch again."),
    ("not yet valid", "not_yet_valid",
     "The id_token was issued in the future (check the platform's clock)."),
    ("Invalid audience", "wrong_audience", "The id_token was issued for another tool (aud)."),
    ("Invalid issuer", "wrong_issuer", "The id_token issuer does not match the registration."),
    ("is not allowed", "bad_algorithm", "The id_token uses a signing algorithm that is refused."),
    ("The specified alg value is not allowed", "bad_algorithm",
     "The id_token uses a signing algorithm that is refused."),
    ('Token is missing the "sub" claim', "sub_missing", "The id_token has no user (sub)."),
    ("missing the", "claim_missing", "The id_token is missing a required claim."),
    ("message type", "message_type", "The id_token has a missing or unsupported message type."),
    ("Missing Resource Link Id", "resource_link_missing", "The launch has no resource link id."),
    ("key set unavailable", "jwks_unavailable",
     "The platform's public keys could not be fetched. Try again shortly."),
    ("Could not find issuer", "issuer_missing", "The login request has no issuer (iss)."),
    ("Could not find login hint", "login_hint_missing", "The login request has no login_hint."),
    ("Could not find registration", "unknown_registration",
     "No platform is registered for this issuer and client id."),
)


@dataclass(frozen=True)
class LaunchProblem:
    """A rejected launch: stable code, explanation, HTTP status, and the raw library reason."""

    code: str
    message: str
    status: int
    detail: str
    relaunch_url: str | None = None


def explain(exc: Exception) -> LaunchProblem:
    """Turn a library exception into a LaunchProblem; unknown reasons stay a 400."""
    detail = str(exc) or exc.__class__.__name__
    for fragment, code, message in REASONS:
        if fragment.lower() in detail.lower():
            status = 503 if code == "jwks_unavailable" else 400
            return LaunchProblem(code, message, status, detail)
    return LaunchProblem("invalid_launch", "The launch request is not valid.", 400, detail)


def problem(code: str, message: str, status: int = 400,
            relaunch_url: str | None = None) -> LaunchProblem:
    """A LaunchProblem raised by our own checks rather than the library."""
    return LaunchProblem(code, message, status, message, relaunch_url)


class LaunchRejected(Exception):
    """Raised by the launch service; carries the problem to show."""

    def __init__(self, problem_: LaunchProblem) -> None:
        """Keep the problem for the error page."""
        super().__init__(problem_.detail)
        self.problem = problem_
