"""Map LTI role URIs to this tool's three course roles: instructor, learner and observer.

Only context (membership) roles decide course rights. Institution roles describe the person
elsewhere in the institution (Canvas sends `institution/person#Instructor` to anyone who teaches
any course), so they never grant anything here. System administrators, and on request
institution administrators, may be mapped to instructor by settings (see
docs/roles-and-sessions.md).
"""
from collections.abc import Iterable

INSTRUCTOR = "instructor"
LEARNER = "learner"
OBSERVER = "observer"  # read-only learner view: no attempts, no scores

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership"
SYSTEM = LIS + "system/person#"
INSTITUTION = LIS + "institution/person#"
# LTI 1.1 URNs, still valid in 1.3 launches from older platforms or converters (LTI 1.3 A.2).
URN_CONTEXT, URN_INSTITUTION, URN_SYSTEM = ("urn:lti:role:ims/lis/", "urn:lti:instrole:ims/lis/",
                                            "urn:lti:sysrole:ims/lis/")

# Principal context roles (LTI 1.3 A.2.3); a sub-role counts as its principal.
STAFF = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
LEARNERS = {"Learner", "Member"}
# The short forms LTI 1.3 A.2.3.1 allows for context roles, and nothing else.
SHORT_FORMS = {"Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager",
               "Member", "Officer"}
SYSTEM_ADMINS = {"Administrator", "SysAdmin"}


def context_role(role: str) -> str | None:
    """The principal context role a role string names, or None when it is not a context role.

    'membership#Learner' -> 'Learner'; 'membership/Instructor#TeachingAssistant' -> 'Instructor';
    'Instructor' -> 'Instructor'; 'institution/person#Instructor' -> None.
    """
    if role.startswith(MEMBERSHIP + "#"):
        return role[len(MEMBERSHIP) + 1:] or None
    if role.startswith(MEMBERSHIP + "/"):
        return role[len(MEMBERSHIP) + 1:].split("#", 1)[0] or None
    if role.startswith(URN_CONTEXT):
        return role[len(URN_CONTEXT):].split("/", 1)[0] or None
    return role if role in SHORT_FORMS else None


def is_system_admin(role: str) -> bool:
    """A system administrator: `system/person#Administrator`, or Canvas's `#SysAdmin`."""
    return any(role.startswith(p) and role[len(p):] in SYSTEM_ADMINS for p in (SYSTEM, URN_SYSTEM))


def is_institution_admin(role: str) -> bool:
    """An institution administrator (Canvas sends it to every account and sub-account admin)."""
    return role in (INSTITUTION + "Administrator", URN_INSTITUTION + "Administrator")


def role_for(lti_roles: Iterable[str], system_admin_is_instructor: bool = True,
             institution_admin_is_instructor: bool = False) -> str:
    """The course role for a launch's roles claim: context roles decide, admins by setting.

    Staff context roles make an instructor; a Learner (or Member) context role a learner; a
    Mentor, any other context role, or no context role at all gets the read-only observer view.
    """
    roles = [r for r in lti_roles or () if isinstance(r, str)]
    principals = {context_role(r) for r in roles}
    if principals & STAFF:
        return INSTRUCTOR
    if system_admin_is_instructor and any(map(is_system_admin, roles)):
        return INSTRUCTOR
    if institution_admin_is_instructor and any(map(is_institution_admin, roles)):
        return INSTRUCTOR
    if principals & LEARNERS:
        return LEARNER
    return OBSERVER
