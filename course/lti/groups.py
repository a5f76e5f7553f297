"""LTI Course Groups client: the platform's groups of a course and who is in each, every page of it.

Names come from the Course Groups service (`context_groups_url` in the launch's groupsservice
claim, scope `contextgroup.readonly`, a `groups` container paged with Link rel="next"). Members come
from the NRPS roster's `group_enrollments`; a platform that names groups but lists no enrolments
there is asked per learner (`?user_id=`), as the Course Groups service allows. Moodle 4.5 sends
neither, so the caller says plainly that the LMS shared no groups.
"""
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from course.lti.nrps import Member, NrpsError, fetch_roster
from course.lti.tokens import ServiceError, get_pages, page_list, retry_after_seconds
from course.models import Context
from course.roles import LEARNER

SCOPE_GROUPS = "https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly"
GROUP_CONTAINER = "application/vnd.ims.lti-gs.v1.contextgroupcontainer+json"
MAX_GROUPS = 500  # a course with more groups than this is not a course's accommodation groups
MAX_ASKED = 300  # learners asked one by one when the roster carries no group_enrollments


class GroupsError(ServiceError):
    """A failed groups read; `offered` is False when the platform shares no groups at all."""

    def __init__(self, message: str, retryable: bool, status: int | None = None,
                 retry_after: float | None = None, offered: bool = True) -> None:
        """Keep ServiceError's fields and whether the platform offers groups."""
        super().__init__(message, retryable, status, retry_after)
        self.offered = offered


@dataclass(frozen=True)
class PlatformGroup:
    """One platform group: its id there, its name, and the LTI user ids (subs) of its learners."""

    id: str
    name: str
    members: tuple[str, ...]


def offers_groups(context: Context) -> bool:
    """Whether the latest launch gave a Course Groups endpoint (NRPS alone may still carry groups)."""
    return bool(context.groups_url)


def _with_user(url: str, sub: str) -> str:
    """The groups URL filtered to one user's groups, its own query kept."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("user_id", sub)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _failure(resp: requests.Response) -> GroupsError:
    """Classify a refused groups request: 5xx and 429 may pass later."""
    code = resp.status_code
    hint = (" The platform may not allow this tool to read course groups: grant it the "
            "'contextgroup.readonly' scope.") if code in (401, 403) else ""
    return GroupsError(f"The platform refused the course groups request (HTTP {code}).{hint}",
                       code >= 500 or code == 429, code, retry_after_seconds(resp))


def _groups_page(resp: requests.Response) -> list[Any]:
    """The `groups` array of one context group container page."""
    if not resp.ok:
        raise _failure(resp)
    return page_list(resp, "course groups", GroupsError, "groups")


def _read_groups(context: Context, url: str) -> dict[str, str]:
    """Group id -> name from every page of a groups container."""
    names: dict[str, str] = {}
    for resp in get_pages(context.registration, [SCOPE_GROUPS], url, GROUP_CONTAINER):
        for raw in _groups_page(resp):
            if isinstance(raw, dict) and raw.get("id") not in (None, ""):
                gid = str(raw["id"])[:255]
                names.setdefault(gid, " ".join(str(raw.get("name") or "").split())[:90])
                if len(names) > MAX_GROUPS:
                    raise GroupsError(f"The platform lists over {MAX_GROUPS} groups in this "
                                      "course; the tool reads at most that many.", False)
    return names


def _members_by_asking(context: Context, url: str, learners: list[Member]) -> dict[str, set[str]]:
    """Group id -> subs, asking the groups service for each learner's own groups."""
    members: dict[str, set[str]] = {}
    for learner in learners[:MAX_ASKED]:
        for gid in _read_groups(context, _with_user(url, learner.sub)):
            members.setdefault(gid, set()).add(learner.sub)
    return members


def fetch_groups(context: Context) -> list[PlatformGroup]:
    """Every platform group of the course with its active learners; raises GroupsError."""
    if not context.memberships_url:
        raise GroupsError("The platform shares no roster for this course (Names and Role "
                          "Provisioning is off), so the tool cannot see who is in its groups.",
                          False, offered=bool(context.groups_url))
    try:
        roster = fetch_roster(context)
        learners = [m for m in roster if m.active and m.role == LEARNER]
        names = _read_groups(context, context.groups_url) if context.groups_url else {}
        members: dict[str, set[str]] = {}
        for member in learners:
            for gid in member.groups:
                members.setdefault(gid, set()).add(member.sub)
        if names and not any(m.groups for m in roster):
            members = _members_by_asking(context, str(context.groups_url), learners)
    except GroupsError:
        raise
    except (NrpsError, ServiceError) as exc:
        raise GroupsError(exc.message, exc.retryable, exc.status, exc.retry_after) from exc
    if not names and not members:
        raise GroupsError("The platform shared no groups for this course.", False, offered=False)
    ids = list(names) + [gid for gid in members if gid not in names]
    if len(ids) > MAX_GROUPS:
        raise GroupsError(f"The platform lists over {MAX_GROUPS} groups in this course; the "
                          "tool reads at most that many.", False)
    return [PlatformGroup(gid, names.get(gid) or f"LMS group {gid}"[:90],
                          tuple(sorted(members.get(gid, ())))) for gid in ids]
