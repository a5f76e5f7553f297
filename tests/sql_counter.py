"""Count the SQL statements an app sends: the budgets in the request-cost tests are built on it."""
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from course.db import db


@contextmanager
def statements(app: Flask, skip: re.Pattern[str] | None = None) -> Iterator[list[str]]:
    """Every SQL statement (whitespace collapsed) the app sends while the block runs."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        """Keep the statement text unless the caller leaves this kind out."""
        if skip is None or not skip.search(statement):
            seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
