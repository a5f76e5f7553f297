"""Who is using a course: per-context grants in the session, and view guards built on them."""
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from flask import abort, current_app, g, session
from sqlalchemy import and_, select

from course.db import db
from course.models import Context, Membership, User
from course.roles import INSTRUCTOR, OBSERVER
from course.session_lifetime import MESSAGES, Lifetime, needs_touch, session_ended

MAX_GRANTS = 20  # keeps the cookie small however many courses a person opens
GONE = ("You are no longer a member of this course, or your role in it has changed. If you "
        "should still have access, open the activity again from your learning platform.")


def grant(context_pk: int, user_pk: int, role: str, launch_id: str) -> None:
    """Remember that this browser launched into a context as a user with a role."""
    grants: dict[str, Any] = dict(session.get("grants", {}))
    grants.pop(str(context_pk), None)
    now = int(time.time())
    # i: when the launch happened (absolute lifetime); s: last use (idle timeout).
    grants[str(context_pk)] = {"u": user_pk, "r": role, "l": launch_id, "i": now, "s": now}
    while len(grants) > MAX_GRANTS:
        grants.pop(next(iter(grants)))
    session["grants"] = grants
    session.permanent = False


def current_grant(context_pk: int) -> dict[str, Any] | None:
    """The grant for a context, if this browser has launched into it."""
    return session.get("grants", {}).get(str(context_pk))


def sign_out() -> None:
    """Forget every course this browser launched into."""
    session.pop("grants", None)


def lifetime() -> Lifetime:
    """The configured idle timeout and absolute lifetime."""
    cfg = current_app.config
    return Lifetime(int(cfg.get("SESSION_IDLE_MINUTES", 480)) * 60,
                    int(cfg.get("SESSION_MAX_HOURS", 24)) * 3600)


def _end(context_pk: int, message: str) -> NoReturn:
    """Drop one context's grant and answer 401 with a page that says why."""
    grants = dict(session.get("grants", {}))
    grants.pop(str(context_pk), None)
    session["grants"] = grants
    abort(401, message)


def load_identity(context_pk: int) -> None:
    """Put g.context, g.user, g.role and g.launch_id for the request, or abort 401."""
    found = current_grant(context_pk)
    if not found:
        abort(401)
    now = time.time()
    # Grants from before lifetimes existed carry no timestamps: they count as expired.
    ended = session_ended(found.get("i", 0), found.get("s", 0), now, lifetime())
    if ended:
        _end(context_pk, MESSAGES[ended])
    # One round trip for all three rows; the joins also require the user and the context to
    # belong to the same platform registration, and the membership to still exist and not to
    # have been removed (by the platform's roster or an administrator, course/members.py).
    row = db.session.execute(
        select(Context, User, Membership.role)
        .join(User, User.registration_id == Context.registration_id)
        .join(Membership, and_(Membership.user_id == User.id, Membership.context_id == Context.id,
                               Membership.removed_at.is_(None)))
        .where(Context.id == context_pk, User.id == found["u"])).first()
    if row is None or row[2] != found["r"]:
        _end(context_pk, GONE)
    g.context, g.user = row[0], row[1]
    g.role, g.launch_id = found["r"], found.get("l")
    if needs_touch(found.get("s", 0), now):
        grants = dict(session.get("grants", {}))
        grants[str(context_pk)] = {**found, "s": int(now)}
        session["grants"] = grants


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


def is_observer() -> bool:
    """Whether the current course user has the read-only observer view; for templates."""
    return getattr(g, "role", None) == OBSERVER


OBSERVER_NOTE = ("You are viewing this course as an observer (for example a mentor or parent): "
                 "you can read the modules and handouts, but only enrolled learners can take "
                 "quizzes, and no scores are sent for observers.")


def refuse_observer() -> None:
    """Abort 403 with an explanation when the current user is an observer."""
    if is_observer():
        abort(403, OBSERVER_NOTE)
