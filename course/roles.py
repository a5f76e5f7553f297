"""Map LTI role URIs to the two roles this tool knows: instructor and learner."""
from typing import Iterable

INSTRUCTOR = "instructor"
LEARNER = "learner"

# LTI 1.3 section A.2: context roles, their sub-roles (after '#') and institution/system
# administrators. Teaching assistants, content developers and administrators author and grade.
STAFF_NAMES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}


def _names(role: str) -> set[str]:
    """Every name a role URI carries: 'membership/Instructor#TeachingAssistant' -> both."""
    tail = role.rstrip("/").rsplit("/", 1)[-1]
    return {part for part in tail.split("#") if part}


def role_for(lti_roles: Iterable[str]) -> str:
    """Instructor when any role is a staff role; everyone else is a learner."""
    for role in lti_roles or ():
        if isinstance(role, str) and _names(role) & STAFF_NAMES:
            return INSTRUCTOR
    return LEARNER
