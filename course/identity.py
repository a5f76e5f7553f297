"""Who is using a course: per-context grants in the session, and view guards built on them."""
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from time import monotonic
from typing import Any, NoReturn

from flask import abort, current_app, g, session
from sqlalchemy import and_, bindparam, select

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


@dataclass(frozen=True)
class CourseRef:
    """g.context: the columns pages read; any other attribute loads the full row (one PK read)."""

    id: int
    context_id: str
    title: str
    registration_id: int

    def row(self) -> Context:
        """The Context row itself, for code that needs more than these columns."""
        return db.session.get_one(Context, self.id)

    def __getattr__(self, name: str) -> Any:
        """Only reached for attributes not above (registration, service URLs)."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.row(), name)


@dataclass(frozen=True)
class UserRef:
    """g.user: the columns pages read; any other attribute loads the full row (one PK read)."""

    id: int
    name: str

    def row(self) -> User:
        """The User row itself."""
        return db.session.get_one(User, self.id)

    def __getattr__(self, name: str) -> Any:
        """Only reached for attributes not above (sub, email)."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.row(), name)


# A grant checked against the database within the last GRANT_TTL seconds is trusted without
# another read, so a revoked membership (course/members.py) ends within a minute in every
# process, and at once in the process that revoked it (forget). Keyed by the whole grant, so a
# new launch (a new launch id, perhaps a new role) is always checked afresh.
GRANT_TTL = 60.0
MAX_CHECKED = 4096
GrantKey = tuple[int, int, str, str | None]
_checked: dict[GrantKey, tuple[float, CourseRef, UserRef]] = {}
_checked_lock = threading.Lock()  # gthread workers: no iteration while another thread inserts

# Built once: constructing a select() costs more than running this one on SQLite. The joins
# require the user and the context to belong to the same platform registration, and the
# membership to still exist and not to have been removed (by the roster or an administrator).
_CHECK = (select(Context.context_id, Context.title, Context.registration_id, User.name,
                 Membership.role)
          .join(User, User.registration_id == Context.registration_id)
          .join(Membership, and_(Membership.user_id == User.id,
                                 Membership.context_id == Context.id,
                                 Membership.removed_at.is_(None)))
          .where(Context.id == bindparam("cid"), User.id == bindparam("uid")))


def forget(context_pk: int) -> None:
    """Check every grant for this context against the database on its next request."""
    with _checked_lock:
        for key in [k for k in _checked if k[0] == context_pk]:
            _checked.pop(key, None)


def _checked_grant(context_pk: int, found: dict[str, Any]) -> tuple[CourseRef, UserRef] | None:
    """The course and user for a live grant: from the recent-check memo, or one joined read."""
    key: GrantKey = (context_pk, found["u"], found["r"], found.get("l"))
    now = monotonic()
    hit = _checked.get(key)
    if hit is not None and now - hit[0] < GRANT_TTL:
        return hit[1], hit[2]
    row = db.session.execute(_CHECK, {"cid": context_pk, "uid": found["u"]}).first()
    if row is None or row.role != found["r"]:
        _checked.pop(key, None)
        return None
    refs = (CourseRef(context_pk, row.context_id, row.title, row.registration_id),
            UserRef(found["u"], row.name))
    with _checked_lock:
        _checked.pop(key, None)  # re-inserted at the end: the dict stays ordered by check time
        if len(_checked) >= MAX_CHECKED:
            _checked.pop(next(iter(_checked)), None)  # the oldest check goes first
        _checked[key] = (now, *refs)
    return refs


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
    refs = _checked_grant(context_pk, found)
    if refs is None:
        _end(context_pk, GONE)
    g.context, g.user = refs
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
