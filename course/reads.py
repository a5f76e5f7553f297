"""Several independent reads in one round trip: on PostgreSQL each read's rows come back as JSON.

The course home gathers one read from each panel's package (course/home.py). Each was its own
statement, and on PostgreSQL a statement's round trip and SQLAlchemy's work around it cost
several times what the database spends answering these small indexed reads (docs/performance.md,
"The course home in fewer statements"). Here the reads become scalar subqueries of one SELECT,
each aggregating its rows into a JSON array, and the arrays are turned back into the tuples the
read would have returned, with datetimes parsed by the read's own column types. SQLite has no
round trips to save, so there each read runs as it is.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import _queries as psycopg_queries
from sqlalchemy import JSON, CompoundSelect, DateTime, Select, func, literal_column, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from course.db import db

Query = Select[Any] | CompoundSelect
Rows = list[tuple[Any, ...]]
Decoder = Callable[[Any], Any]



@dataclass
class Gathered:
    """One combination of reads: the SELECT, each read's decoders, and its compiled text."""

    queries: tuple[Query, ...]  # kept alive, so no other query can take their ids
    statement: Select[Any]
    decoders: list[list[Decoder | None]]
    compiled: tuple[Dialect, SQLCompiler | None] | None = None  # None: not compiled yet


# Built once per combination of reads (the panels' queries are built once, so a handful exist).
_GATHERED: dict[tuple[int, ...], Gathered] = {}
MAX_GATHERED = 64
# psycopg remembers how it parsed a statement's placeholders only for statements up to 4096
# bytes (long ones are usually multi-row INSERTs that never repeat). A gathered read is longer
# (the course home's is about 4.7 kB) and repeats on every request, so psycopg re-parsed it each
# time (_split_query, about a twentieth of the home's driver time). 8 kB covers it; the cache
# stays psycopg's own (128 statements).
GATHERED_STATEMENT_BYTES = 8192
psycopg_queries.MAX_CACHED_STATEMENT_LENGTH = max(psycopg_queries.MAX_CACHED_STATEMENT_LENGTH,
                                                  GATHERED_STATEMENT_BYTES)


def read_together(reads: Sequence[tuple[Query, Mapping[str, Any]]]) -> list[Rows]:
    """The rows of each (query, values) read, in order; one statement on PostgreSQL.

    Reads that share a bound name must give it the same value. Row order within a read is the
    order PostgreSQL aggregates it in, so gathered reads must not depend on an ORDER BY.
    """
    if len(reads) < 2 or db.engine.dialect.name != "postgresql":
        return [[tuple(row) for row in db.session.execute(query, values)]
                for query, values in reads]
    gathered = _gathered(tuple(query for query, _ in reads))
    values = merged([values for _, values in reads])
    compiled = _compiled(gathered, db.engine.dialect)
    if compiled is None:
        arrays = db.session.execute(gathered.statement, values).one()
    else:
        # The statement's text, compiled once: SQLAlchemy would otherwise walk the whole
        # gathered statement for its cache key on every request (a tenth of the home's Core time).
        arrays = db.session.connection().exec_driver_sql(
            compiled.string, compiled.construct_params(values)).one()
    return [[_decode(row, columns) for row in array]
            for array, columns in zip(arrays, gathered.decoders, strict=True)]


def merged(all_values: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One parameter dict for every read; a name bound to two different values is a bug."""
    found: dict[str, Any] = {}
    for values in all_values:
        for name, value in values.items():
            if name in found and found[name] != value:
                raise ValueError(f"reads gathered together bind {name!r} to different values")
            found[name] = value
    return found


def _gathered(queries: tuple[Query, ...]) -> Gathered:
    """The one SELECT for these queries, and each query's column decoders (built once)."""
    key = tuple(id(query) for query in queries)
    found = _GATHERED.get(key)
    if found is None:
        for query in queries:
            if query._order_by_clauses:  # noqa: SLF001 - the public accessor copies
                raise ValueError("a gathered read cannot keep its ORDER BY")
        if len(_GATHERED) >= MAX_GATHERED:
            _GATHERED.clear()
        found = Gathered(queries, select(*(_as_json(query, n) for n, query in enumerate(queries))),
                         [_decoders(query) for query in queries])
        _GATHERED[key] = found
    return found


def _compiled(gathered: Gathered, dialect: Dialect) -> SQLCompiler | None:
    """The statement compiled for this dialect, or None when its values need SQLAlchemy's work.

    Values that SQLAlchemy must process (a type with a bind processor) or expand (IN lists,
    literal_execute) go through session.execute as before.
    """
    kept = gathered.compiled
    if kept is None or kept[0] is not dialect:
        compiled: SQLCompiler = gathered.statement.compile(dialect=dialect)
        usable = not (compiled.literal_execute_params or compiled.post_compile_params
                      or any(bind.type.dialect_impl(dialect).bind_processor(dialect) is not None
                             for bind in compiled.binds.values()))
        kept = gathered.compiled = (dialect, compiled if usable else None)
    return kept[1]


def _as_json(query: Query, n: int) -> ColumnElement[Any]:
    """A scalar subquery: the query's rows as a JSON array of arrays ([] when there are none)."""
    rows = query.subquery(f"read_{n}")
    as_array = func.json_agg(func.json_build_array(*rows.c))
    return (select(func.coalesce(as_array, literal_column("'[]'::json"), type_=JSON))
            .select_from(rows).scalar_subquery().label(f"read_{n}"))


def _decoders(query: Query) -> list[Decoder | None]:
    """How to turn each JSON value back into what the column gives (None: JSON has it already)."""
    return [parse_datetime if isinstance(column.type, DateTime) else None
            for column in query.selected_columns]


def parse_datetime(value: str | None) -> datetime | None:
    """PostgreSQL writes a timestamp into JSON in ISO 8601 (with its offset when it has one)."""
    return None if value is None else datetime.fromisoformat(value)


def _decode(row: list[Any], decoders: list[Decoder | None]) -> tuple[Any, ...]:
    """One JSON row as the tuple the read returns."""
    return tuple(value if decode is None else decode(value)
                 for value, decode in zip(row, decoders, strict=True))
