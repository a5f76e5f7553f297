"""What a launch writes: the context's, user's and membership's values, compared before writing."""
from datetime import UTC, datetime
from typing import Any

from course.lti import claims

# A returning learner's launch writes nothing when nothing changed but the launch time and the
# last one was this recent: the write would cost a commit (a disk flush) on every launch.
LAUNCH_TIME_GRAIN_SECONDS = 300


def member_values(role: str, roles: list[str], last: datetime | None,
                  now: datetime) -> dict[str, Any]:
    """A launched membership's role, LTI roles, presence and (past the grain) launch time."""
    # removed_at: the platform launched them again, so they are back in the course.
    values: dict[str, Any] = {"role": role, "lti_roles": roles, "removed_at": None}
    if last is None or stale(last, now):
        values["last_launch_at"] = now
    return values


def stale(last: datetime, now: datetime) -> bool:
    """Whether a launch time is older than the grain (naive times from SQLite count as UTC)."""
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return (now - last).total_seconds() >= LAUNCH_TIME_GRAIN_SECONDS


def context_values(claim: dict[str, Any], body: dict[str, Any],
                   current: dict[str, Any]) -> dict[str, Any]:
    """The context's titles and the service endpoints the launch names."""
    values: dict[str, Any] = {
        "title": str(claim.get("title") or current["title"] or "Course")[:255],
        "label": str(claim.get("label") or current["label"] or "")[:255]}
    ags = body.get(claims.AGS) or {}
    if ags.get("lineitems"):
        values.update(lineitems_url=ags["lineitems"], ags_scopes=list(ags.get("scope", [])))
    nrps = body.get(claims.NRPS) or {}
    if nrps.get("context_memberships_url"):
        values["memberships_url"] = nrps["context_memberships_url"]
    groups = body.get(claims.GROUPS) or {}
    if isinstance(groups, dict) and isinstance(groups.get("context_groups_url"), str):
        values["groups_url"] = groups["context_groups_url"][:1024]
    return values


def user_values(body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The user's display name and email from the launch, else as they were."""
    name = body.get("name") or " ".join(
        p for p in (body.get("given_name"), body.get("family_name")) if p)
    return {"name": str(name or current["name"] or "Learner")[:255],
            "email": str(body.get("email") or current["email"] or "")[:255]}
