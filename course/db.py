"""Database handle shared by every package: typed SQLAlchemy 2 models on one declarative base."""
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, registry

# Named constraints so Alembic can alter them on every backend (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model in the app."""

    # Every Mapped[datetime] is timezone-aware, so PostgreSQL never reinterprets UTC values.
    registry = registry(metadata=MetaData(naming_convention=NAMING),
                        type_annotation_map={datetime: DateTime(timezone=True)})


# Objects stay loaded after a commit. With the default (expire on commit), every view that commits
# made its template select g.context and g.user again (bench finding 3). Code that needs rows
# changed behind the session's back (bulk UPDATEs, other processes) already asks for them with
# populate_existing or refresh, and every request and worker pass starts with a new session.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# The base every model subclasses. At run time it is db.Model (Flask-SQLAlchemy's subclass of Base,
# bound to db). mypy cannot take an instance's attribute as a base class (python/mypy#8603), so
# for the checker it is Base itself: `class X(Model)` with Mapped[...] columns type-checks.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """Timezone-aware now, the default for every timestamp column."""
    return datetime.now(UTC)
