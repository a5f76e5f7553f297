"""PostgreSQL connections: a liveness check with no round trip, and a transaction only for writes.

A page that only reads paid three round trips besides its own SELECTs: the pool's pre-ping, the
BEGIN that psycopg sends before the first statement, and the pool's ROLLBACK when the request
hands the connection back (docs/performance.md, "Round trips around the statements"). Under READ
COMMITTED, which the app uses, every statement takes its own snapshot whether or not it runs
inside a transaction, so plain SELECTs lose nothing by running in autocommit. This module:

- checks a pooled connection at checkout by polling its socket: a server that restarted or
  dropped the connection has sent its goodbye (or closed the socket), which makes the socket
  readable, while a healthy idle connection has nothing to read. The pool then reconnects, as
  it did after a failed ping.
- hands the connection out in autocommit, and turns autocommit off just before the first
  statement that is not a plain SELECT (a write, a locking read, anything else). psycopg then
  sends BEGIN before that statement, and the session's commit or rollback ends the transaction
  as before. Reads before it ran outside the transaction, which READ COMMITTED makes the same.
- leaves alone a connection whose isolation level the code chose itself (the launch's
  deliberate AUTOCOMMIT writes in course/lti/enrol.py).

SQLite keeps SQLAlchemy's own pre-ping: it has no round trips to save.
"""
from __future__ import annotations

import functools
import re
import select
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DisconnectionError

# A statement that can run outside a transaction: a SELECT that neither locks rows nor takes an
# advisory lock. Anything else (INSERT, UPDATE, DELETE, WITH, SET, a locking SELECT) opens one.
_PLAIN_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b|pg_advisory",
                    re.IGNORECASE)
_READABLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


@functools.lru_cache(maxsize=4096)  # SQLAlchemy's compiled cache hands out the same strings
def needs_transaction(statement: str) -> bool:
    """Whether a statement must run inside a transaction (anything but a plain SELECT)."""
    return not _PLAIN_READ.match(statement) or bool(_LOCKS.search(statement))


def is_alive(dbapi_connection: Any) -> bool:
    """Whether a psycopg connection that sits idle in the pool is still usable, with no round trip."""
    if dbapi_connection.closed:
        return False
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), _READABLE)
        # An idle connection has nothing to read; anything there is the server's goodbye
        # (a FATAL "terminating connection" and then EOF) or a closed socket.
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


def uses_checkout_check(uri: str | URL) -> bool:
    """Whether a database URL gets this module's checks (PostgreSQL through psycopg 3)."""
    return make_url(uri).drivername == "postgresql+psycopg"


def engine_options(uri: str, options: dict[str, Any]) -> dict[str, Any]:
    """The engine options, with SQLAlchemy's pre-ping only where the checkout check is not used."""
    return {**options, "pool_pre_ping": not uses_checkout_check(uri)}


def install(engine: Engine) -> None:
    """Add the checkout check and the lazy transaction to a PostgreSQL (psycopg) engine."""
    if not uses_checkout_check(engine.url):  # the same test that switched the pre-ping off
        return

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        """Refuse a dead connection (the pool reconnects) and hand the rest out in autocommit."""
        if not is_alive(dbapi_connection):
            raise DisconnectionError("the database closed this pooled connection")
        dbapi_connection.autocommit = True

    @event.listens_for(engine, "before_cursor_execute")
    def before_execute(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                       executemany: bool) -> None:
        """Open the transaction just before the first statement that needs one."""
        dbapi_connection = cursor.connection
        if not dbapi_connection.autocommit or "isolation_level" in conn.get_execution_options():
            return
        if needs_transaction(statement):
            dbapi_connection.autocommit = False
