"""Many rows as one INSERT: on PostgreSQL they travel as one JSON parameter (json_to_recordset)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, bindparam, column, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

# psycopg sends an executemany as one pipeline of single-row INSERTs, and each row costs Python
# time in SQLAlchemy and psycopg and an execution in PostgreSQL; a submission wrote 2 x 18 rows
# that way (issue 18's storm profile). One statement reading one JSON document does the same.
# SQLite runs in process, where executemany is cheap, so it keeps the plain multi-row form.


def insert(model: Any, names: Sequence[str], dialect_name: str) -> Any:
    """A dialect INSERT of a model's columns (add on_conflict_*); execute it with rows(...)."""
    if dialect_name != "postgresql":
        return sqlite.insert(model)
    table = model.__table__
    source = func.json_to_recordset(bindparam(_name(model), type_=JSON)).table_valued(
        *(column(n, table.c[n].type) for n in names)).render_derived("r", with_types=True)
    return postgresql.insert(model).from_select(list(names), select(*(
        _as_bound(source.c[n], table.c[n].type) for n in names)))


def _as_bound(value: Any, kind: Any) -> Any:
    """A column as the executemany would have stored it: None in a JSON column is JSON null."""
    # json_to_recordset turns JSON null into SQL NULL; SQLAlchemy's JSON type binds None as the
    # JSON value null unless the column says none_as_null, so rows read the same either way.
    if isinstance(kind, JSON) and not kind.none_as_null:
        return func.coalesce(value, literal_column("'null'::json"))
    return value


def _name(model: Any) -> str:
    """The JSON parameter's name: one per table, so two tables' rows can share a statement."""
    return f"{model.__tablename__}_rows"


def rows(model: Any, dialect_name: str, values: list[dict[str, Any]]) -> Any:
    """The parameters for insert(model, ...): the rows themselves, or one JSON document of them."""
    if dialect_name != "postgresql":
        return values
    # JSON has no timestamps: ISO 8601 text, which PostgreSQL reads back into timestamptz.
    return {_name(model): [{k: v.isoformat() if isinstance(v, datetime) else v
                      for k, v in row.items()} for row in values]}
