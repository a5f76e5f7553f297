"""Independent writes in one round trip: on PostgreSQL they run as data-modifying CTEs of one SELECT.

A submission ends with four writes to four tables that do not depend on each other (issue 18's
storm: the scored responses, the attempt's score, the outbox row, the review schedule). Each was
its own statement, and each statement's round trip and SQLAlchemy's work around it cost about
what PostgreSQL spends on it. Here each package still builds its own statement and values; on
PostgreSQL they go as `WITH w_0 AS (INSERT ...), w_1 AS (UPDATE ...) ... SELECT 1`, which runs
every part once and to completion. SQLite has no DML in a WITH, so there they run one by one, in
order. Every part of one statement sees the snapshot taken before it, not the others' rows, so
the parts must write different tables and none may read a table another writes.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Select, bindparam, literal_column, select
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import replacement_traverse

from course.db import db

# A statement and its values (a list of rows is an executemany; only SQLite takes one).
Write = tuple[UpdateBase, Any]

# Built once per combination of statements (each part is built once by its package). Each entry
# keeps its statements alive, so no other statement can take their ids while it is cached.
_TOGETHER: dict[tuple[int, ...], tuple[tuple[UpdateBase, ...], Select[Any]]] = {}
MAX_TOGETHER = 32


def write_together(writes: Sequence[Write]) -> None:
    """Run the writes in the session's transaction, in order; one statement on PostgreSQL.

    No commit. Each part keeps its own bound names (they are renamed per part on PostgreSQL).
    """
    connection = db.session.connection()
    # Built (and its tables checked) on SQLite too, so a misuse fails there as well.
    together = _together(tuple(statement for statement, _ in writes)) if len(writes) > 1 else None
    if together is None or connection.dialect.name != "postgresql":
        for statement, values in writes:
            connection.execute(statement, values)
        return
    connection.execute(together, {f"w{n}_{name}": value for n, (_, values) in enumerate(writes)
                                  for name, value in values.items()})


def _together(statements: tuple[UpdateBase, ...]) -> Select[Any]:
    """The one SELECT whose WITH holds every write (built once)."""
    key = tuple(id(statement) for statement in statements)
    found = _TOGETHER.get(key)
    if found is None:
        names = [str(statement.table) for statement in statements]
        # Two parts changing one table would meet rows the other cannot see (same snapshot).
        if len(set(names)) != len(names):
            raise ValueError(f"writes sent together must change different tables: {names}")
        if len(_TOGETHER) >= MAX_TOGETHER:
            _TOGETHER.clear()
        found = (statements, select(literal_column("1")).add_cte(
            *(_renamed(statement, f"w{n}_").cte(f"w_{n}") for n, statement in enumerate(statements))))
        _TOGETHER[key] = found
    return found[1]


def _renamed(statement: UpdateBase, prefix: str) -> UpdateBase:
    """The statement with each named bound value prefixed, so no two parts share a name.

    A shared name would be one value for both, and an UPDATE part would also take any value
    named like one of its table's columns as a column to SET (Core's execute-time SET).
    """
    def rename(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and not element.unique:  # not a literal's
            return bindparam(prefix + element.key, element.value, type_=element.type,
                             expanding=element.expanding, required=element.required,
                             callable_=element.callable)
        return None
    return cast(UpdateBase, replacement_traverse(statement, {}, rename))
