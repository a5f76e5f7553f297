"""What a launch finds: its context, user and membership in one read, a new member enrolled in it."""
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, func, insert, literal, null, select
from sqlalchemy import true as sql_true

from course.db import db
from course.lti.enrol import available
from course.models import Context, Membership, User

# What a launch compares and refreshes; other columns stay unloaded (read only if touched).
READ = ((Context, ("id", "title", "label", "lineitems_url", "memberships_url", "groups_url",
                   "ags_scopes")),
        (User, ("id", "name", "email")),
        (Membership, ("id", "role", "lti_roles", "last_launch_at", "removed_at")))


def _bound(model: type[Any], name: str) -> BindParameter[Any]:
    """A bound value typed like the column it fills (lti_roles is JSON)."""
    return bindparam(name, type_=model.__table__.c[name].type)


# One row always comes back: both sides are outer-joined to a one-row select, so a new learner
# in a known course (or a known learner in a new course) costs no second query. Built once with
# bound values (issue 18): building this select took longer than PostgreSQL took to answer it.
_REG, _SUB = _bound(User, "registration_id"), _bound(User, "sub")
_KNOWN = (select(*[getattr(model, name).label(f"{model.__tablename__}_{name}")
                   for model, names in READ for name in names])
          .select_from(select(literal(1).label("one")).subquery())
          .outerjoin(Context, and_(Context.registration_id == _REG,
                                   Context.context_id == bindparam("context_id")))
          .outerjoin(User, and_(User.registration_id == _REG, User.sub == _SUB))
          .outerjoin(Membership, and_(Membership.user_id == User.id,
                                      Membership.context_id == Context.id)))


def _enrolling() -> Select[Any]:
    """The read, and a new member of a known course inserted by the same statement.

    The INSERTs only run when the read finds the course and no membership; for anyone else they
    insert nothing, take no transaction id and so flush nothing at the commit. A new user is
    written with the membership; a new course is left to the session (its launch hooks run on it
    as it is created).
    """
    known = _KNOWN.cte("known")
    joins = known.c.context_id.is_not(None)
    launched = _bound(Membership, "last_launch_at")  # a new user is created at the launch time
    new_user = (insert(User).from_select(
        ["registration_id", "sub", "name", "email", "created_at"],
        select(_REG, _SUB, _bound(User, "name"), _bound(User, "email"), launched)
        .where(joins, known.c.lti_user_id.is_(None)))
        .returning(User.id).cte("new_user"))
    user_id = func.coalesce(known.c.lti_user_id, select(new_user.c.id).scalar_subquery())
    new_member = (insert(Membership).from_select(
        ["user_id", "context_id", "role", "lti_roles", "last_launch_at", "removed_at"],
        select(user_id, known.c.context_id, _bound(Membership, "role"),
               _bound(Membership, "lti_roles"), launched, null())
        .where(joins, known.c.membership_id.is_(None)))
        .returning(Membership.id.label("new_member_id"),
                   Membership.user_id.label("new_member_user_id")).cte("new_member"))
    return (select(known, new_member.c.new_member_id, new_member.c.new_member_user_id)
            .select_from(known.outerjoin(new_member, sql_true())))


_ENROLLING = _enrolling()


def find(reg_id: int, context_id: str, sub: str, joining: dict[str, Any],
         relaunch: bool = False) -> tuple[dict[str, Any], ...]:
    """The context, user and membership as plain values; an id None when absent.

    On PostgreSQL a known course's new member is enrolled by the read itself (issue 18): the
    membership, and the user when new, are inserted with `joining`'s values (name, email, role,
    lti_roles, last_launch_at) and come back as found. One statement is its own transaction:
    the two rows are written together or not at all. A unique-key race (the same person's first
    launch twice at once) raises IntegrityError, as a second INSERT did. A likely `relaunch`
    reads first, and enrols only when the read finds the course without the membership.
    """
    enrolling = available()
    if relaunch and enrolling:
        # The INSERTs' set-up costs PostgreSQL about 30 us even when they insert nothing.
        found = _found(reg_id, context_id, sub, joining, False)
        if found[2]["id"] is not None or found[0]["id"] is None:
            return found
    return _found(reg_id, context_id, sub, joining, enrolling)


def _found(reg_id: int, context_id: str, sub: str, joining: dict[str, Any],
           enrolling: bool) -> tuple[dict[str, Any], ...]:
    """One read, enrolling or not, on its own autocommit connection."""
    # Plain columns on an autocommit connection: no ORM row building and no transaction, so an
    # unchanged returning learner's launch sends this one statement and nothing else (issue 18).
    # On psycopg 3 the autocommit switch and the pool's reset on return are client-side: no
    # SET and no ROLLBACK reach the server (tests/course/test_launch_cost.py counts them).
    values = {"registration_id": reg_id, "context_id": context_id, "sub": sub}
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(_ENROLLING if enrolling else _KNOWN,
                           {**values, **joining} if enrolling else values).one()
    found, at = [], 0
    for _, names in READ:  # the columns come back in READ's order
        found.append(dict(zip(names, row[at:at + len(names)], strict=True)))
        at += len(names)
    ctx, user, member = found
    if enrolling and row.new_member_id is not None:
        if user["id"] is None:
            user.update(id=row.new_member_user_id, name=joining["name"], email=joining["email"])
        member.update({name: joining[name] for name in ("role", "lti_roles", "last_launch_at")},
                      id=row.new_member_id, removed_at=None)
    return ({**ctx, "registration_id": reg_id, "context_id": context_id},
            {**user, "registration_id": reg_id, "sub": sub},
            {**member, "user_id": user["id"], "context_id": ctx["id"]})
