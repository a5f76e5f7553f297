"""A membership and its new user as one statement on PostgreSQL: a course another launch had just made."""
from typing import Any

from sqlalchemy import BindParameter, bindparam, insert, select

from course.db import db, utcnow
from course.models import Membership, User

_MEMBER_COLUMNS = ("user_id", "context_id", "role", "lti_roles", "last_launch_at", "removed_at")


def _bound(name: str) -> BindParameter[Any]:
    """A bound value typed like the membership column it fills (lti_roles is JSON)."""
    return bindparam(name, type_=Membership.__table__.c[name].type)


# Built once (building a statement costs more than PostgreSQL takes to answer it). A new user
# and their membership in one data-modifying CTE: one statement is its own transaction, so the
# two rows are written together or not at all without a BEGIN and a COMMIT round trip.
_NEW_USER = (insert(User).values(registration_id=bindparam("registration_id"),
                                 sub=bindparam("sub"), name=bindparam("name"),
                                 email=bindparam("email"), created_at=bindparam("created_at"))
             .returning(User.id).cte("new_user"))
_NEW_USER_AND_MEMBER = (insert(Membership)
                        .from_select(list(_MEMBER_COLUMNS),
                                     select(_NEW_USER.c.id, *map(_bound, _MEMBER_COLUMNS[1:])))
                        .returning(Membership.user_id))
_NEW_MEMBER = (insert(Membership).values({name: _bound(name) for name in _MEMBER_COLUMNS})
               .returning(Membership.user_id))


def pending() -> bool:
    """Whether the request's ORM session has anything to write (a launch hook's rows)."""
    if not db.session.registry.has():
        return False
    if db.session.new or db.session.deleted:
        return True
    return any(db.session.is_modified(row) for row in db.session.dirty)


def available() -> bool:
    """Whether this database writes a membership and its new user as one statement."""
    return db.engine.dialect.name == "postgresql"


def write(user: dict[str, Any], member: dict[str, Any], context_pk: int) -> int:
    """Insert the membership (and the user, when its id is None) as one autocommit statement.

    One statement is its own transaction: the two rows are written together or not at all,
    without a BEGIN and a COMMIT round trip. Returns the user's id.
    """
    values = {"context_id": context_pk, "role": member["role"], "lti_roles": member["lti_roles"],
              "last_launch_at": member["last_launch_at"], "removed_at": None}
    if user["id"] is None:
        stmt = _NEW_USER_AND_MEMBER
        values.update(registration_id=user["registration_id"], sub=user["sub"],
                      name=user["name"], email=user["email"], created_at=utcnow())
    else:
        stmt, values["user_id"] = _NEW_MEMBER, user["id"]
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return int(conn.execute(stmt, values).scalar_one())


def at_once(user: User, member: Membership, context_pk: int) -> bool:
    """Write a new membership (and its new user) in one autocommit statement; False if not here.

    Only on PostgreSQL (SQLite has no data-modifying CTE), and only when the launch has nothing
    else to write: otherwise the session writes everything in one transaction, as before.
    """
    if not available() or pending():
        return False
    user.id = write({"id": user.id, "registration_id": user.registration_id, "sub": user.sub,
                     "name": user.name, "email": user.email},
                    {"role": member.role, "lti_roles": member.lti_roles,
                     "last_launch_at": member.last_launch_at}, context_pk)
    for row in list(db.session.dirty):  # touched but unchanged (checked above): nothing to flush
        db.session.expunge(row)
    return True
