"""LTI Names and Role Provisioning Services 2.0 client: the course roster, every page of it."""
from dataclasses import dataclass
from typing import Any

import requests

from course.lti.tokens import SCOPE_NRPS, ServiceError, get_pages, page_list, retry_after_seconds
from course.models import Context
from course.roles import role_for

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ACTIVE = "Active"
MAX_GROUPS_PER_MEMBER = 100  # a member in more groups than this is a platform fault, not a course


class NrpsError(ServiceError):
    """A roster-service failure; `.retryable` says whether trying again later may help."""


@dataclass(frozen=True)
class Member:
    """One person on the platform's roster (NRPS 2.2): platform user id, name, roles, status."""

    user_id: str
    name: str
    email: str
    roles: tuple[str, ...]
    status: str = ACTIVE
    groups: tuple[str, ...] = ()  # platform group ids from `group_enrollments` (LTI Course Groups)

    @property
    def sub(self) -> str:
        """The LTI `sub` of this person: NRPS user_id is the same identifier (NRPS 2.2)."""
        return self.user_id

    @property
    def role(self) -> str:
        """This tool's role for the person: "instructor", "learner" or "observer"."""
        return role_for(self.roles)

    @property
    def active(self) -> bool:
        """Whether the platform lists the person as an active member."""
        return self.status == ACTIVE


def _member(raw: dict[str, Any]) -> Member | None:
    """A Member from one NRPS entry; entries without a user_id are skipped."""
    user_id = raw.get("user_id")
    if not user_id:
        return None
    name = raw.get("name") or " ".join(
        str(p) for p in (raw.get("given_name"), raw.get("family_name")) if p)
    roles = tuple(str(r) for r in raw.get("roles") or () if isinstance(r, str))
    return Member(str(user_id), str(name or ""), str(raw.get("email") or ""), roles,
                  str(raw.get("status") or ACTIVE), _group_ids(raw.get("group_enrollments")))


def _group_ids(raw: Any) -> tuple[str, ...]:
    """The `group_id`s of a member's `group_enrollments` list; anything malformed is ignored."""
    if not isinstance(raw, list):
        return ()
    found = (str(e.get("group_id")) for e in raw[:MAX_GROUPS_PER_MEMBER] if isinstance(e, dict))
    return tuple(dict.fromkeys(g for g in found if g and g != "None" and len(g) <= 255))


def _failure(resp: requests.Response) -> NrpsError:
    """Classify a refused roster request: 5xx and 429 may pass later."""
    code = resp.status_code
    retryable = code >= 500 or code == 429
    hint = (" The platform may not allow this tool to read the roster: enable Names and Role "
            "Provisioning for it.") if code in (401, 403) else ""
    return NrpsError(f"The platform refused the roster request (HTTP {code}).{hint}",
                     retryable, code, retry_after_seconds(resp))


def fetch_roster(context: Context) -> list[Member]:
    """Every member of the course, in platform order, following Link rel="next" (NRPS 2.4.2)."""
    if not context.memberships_url:
        raise NrpsError("The platform sent no roster endpoint for this course (Names and Role "
                        "Provisioning is not enabled for the tool).", False)
    roster: dict[str, Member] = {}
    try:
        for resp in get_pages(context.registration, [SCOPE_NRPS], context.memberships_url,
                              MEMBERSHIP_TYPE):
            if not resp.ok:
                raise _failure(resp)
            for raw in page_list(resp, "roster", NrpsError, "members"):
                member = _member(raw) if isinstance(raw, dict) else None
                if member is not None:
                    roster.setdefault(member.user_id, member)
    except NrpsError:
        raise
    except ServiceError as exc:
        raise NrpsError(exc.message, exc.retryable, exc.status, exc.retry_after) from exc
    return list(roster.values())
