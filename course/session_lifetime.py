"""When a course session ends: the idle and absolute lifetime rule, pure and storage-agnostic.

A grant carries two timestamps (seconds since the epoch): when its launch happened and when the
browser last used it. The cookie session and any later cookieless token check the same rule.
"""
from dataclasses import dataclass

IDLE = "idle"
EXPIRED = "expired"
TOUCH_EVERY_SECONDS = 60  # refresh "last seen" at most once a minute, not on every request

MESSAGES = {
    IDLE: "Your session for this course ended because it was not used for a while. Open the "
          "activity again from your course in the learning platform to continue.",
    EXPIRED: "Your session for this course has reached its time limit. Open the activity again "
             "from your course in the learning platform to continue.",
}


@dataclass(frozen=True)
class Lifetime:
    """How long a session may sit unused, and how long it may last in all."""

    idle_seconds: int = 8 * 3600
    max_seconds: int = 24 * 3600


def session_ended(issued_at: float, last_seen: float, now: float, life: Lifetime) -> str | None:
    """Why a session has ended (IDLE or EXPIRED), or None while it is still valid.

    A timestamp from the future (clock skew or tampering cannot happen with a signed cookie, but
    a token store might) counts as the present, never as extra lifetime.
    """
    issued_at, last_seen = min(issued_at, now), min(last_seen, now)
    if now - issued_at >= life.max_seconds:
        return EXPIRED
    if now - max(last_seen, issued_at) >= life.idle_seconds:
        return IDLE
    return None


def needs_touch(last_seen: float, now: float) -> bool:
    """Whether to record this request as the session's last use (bounded cookie rewrites)."""
    return now - last_seen >= TOUCH_EVERY_SECONDS
