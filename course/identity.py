"""Who is using a course: per-context grants in the session, and view guards built on them."""
from functools import wraps
from typing import Any, Callable

from flask import abort, g, session
from sqlalchemy import select

from course.db import db
from course.models import Context, User
from course.roles import INSTRUCTOR

MAX_GRANTS = 20  # keeps the cookie small however many courses a person opens


def grant(context_pk: int, user_pk: int, role: str, launch_id: str) -> None:
    """Remember that this browser launched into a context as a user with a role."""
    grants: dict[str, Any] = dict(session.get("grants", {}))
    grants.pop(str(context_pk), None)
    grants[str(context_pk)] = {"u": user_pk, "r": role, "l": launch_id}
    while len(grants) > MAX_GRANTS:
        grants.pop(next(iter(grants)))
    session["grants"] = grants
    session.permanent = False


def current_grant(context_pk: int) -> dict[str, Any] | None:
    """The grant for a context, if this browser has launched into it."""
    return session.get("grants", {}).get(str(context_pk))


def load_identity(context_pk: int) -> None:
    """Put g.context, g.user, g.role and g.launch_id for the request, or abort 401."""
    found = current_grant(context_pk)
    if not found:
        abort(401)
    # One round trip for both rows; the join also requires the user and the context to belong
    # to the same platform registration.
    row = db.session.execute(
        select(Context, User).join(User, User.registration_id == Context.registration_id)
        .where(Context.id == context_pk, User.id == found["u"])).first()
    if row is None:
        abort(401)
    g.context, g.user = row
    g.role, g.launch_id = found["r"], found.get("l")


def course_view(role: str | None = None) -> Callable:
    """Guard a view under /c/<cid>/: the browser must have launched into that context."""
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(cid: int, *args: Any, **kwargs: Any) -> Any:
            load_identity(cid)
            if role == INSTRUCTOR and g.role != INSTRUCTOR:
                abort(403)
            return view(cid, *args, **kwargs)
        return wrapper
    return decorator


def instructor_view(view: Callable) -> Callable:
    """Shorthand for course_view(role=INSTRUCTOR)."""
    return course_view(INSTRUCTOR)(view)


def is_instructor() -> bool:
    """Whether the current course user is staff; for templates."""
    return getattr(g, "role", None) == INSTRUCTOR
