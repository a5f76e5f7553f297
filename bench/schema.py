"""Run in the app's environment: is the migrated schema the models' schema? If not, build it.

`python -m bench.schema [--reset-if-behind] [--upgrade-failed]` prints one line saying which
path was taken. Migrations lag the models while features land; the bench then uses
db.create_all() on its own database, and says so.
"""
from __future__ import annotations

import sys

from sqlalchemy import MetaData, inspect

from course import create_app
from course.db import db


def differences() -> list[str]:
    """Tables or columns the models have and the database lacks."""
    inspector = inspect(db.engine)
    present = set(inspector.get_table_names())
    gaps: list[str] = []
    for table in db.metadata.sorted_tables:
        if table.name not in present:
            gaps.append(table.name)
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        gaps += [f"{table.name}.{c.name}" for c in table.columns if c.name not in columns]
    return gaps


def rebuild() -> None:
    """Drop every table (alembic_version too, so it cannot lie) and create the models' schema."""
    existing = MetaData()
    existing.reflect(db.engine)
    existing.drop_all(db.engine)
    db.create_all()


def main(argv: list[str]) -> int:
    """Check, and rebuild when allowed; exit 1 only when the schema cannot be made usable."""
    app = create_app()
    with app.app_context():
        gaps = differences()
        if not gaps and "--upgrade-failed" not in argv:
            print("schema: flask db upgrade (migrations match the models)")
            return 0
        reason = "flask db upgrade failed" if "--upgrade-failed" in argv else \
            f"migrations are behind the models ({len(gaps)} missing, e.g. {', '.join(gaps[:3])})"
        if "--reset-if-behind" in argv:
            rebuild()
        else:
            db.create_all()
        left = differences()
        if left:
            print(f"schema still lacks {', '.join(left[:5])}", file=sys.stderr)
            return 1
        print(f"schema: db.create_all() fallback, because {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
