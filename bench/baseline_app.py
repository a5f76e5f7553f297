"""The baseline: a bare Flask app rendering a ~10 KB Jinja page from one SQLAlchemy query.

Served by the same gunicorn settings as the course tool (`gunicorn bench.baseline_app:app`),
against the same database. `/hello` is the bare hello-world route launches are compared with.
"""
from __future__ import annotations

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, Text, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROWS = 45


class Base(DeclarativeBase):
    """Declarative base for the baseline's one table."""


class Topic(Base):
    """A row of the baseline page: a title, a summary and a count."""

    __tablename__ = "bench_baseline_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    views: Mapped[int] = mapped_column(default=0)


def sqlalchemy_url(url: str) -> str:
    """The same driver the course tool uses (psycopg 3 for PostgreSQL)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def prepare(url: str) -> None:
    """Create and fill the table once, before gunicorn's workers start."""
    engine = create_engine(sqlalchemy_url(url))
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        if not session.scalar(select(func.count(Topic.id))):
            session.add_all(Topic(title=f"Topic {n}: muscle tone and strength",
                                  summary=("A short summary of what this topic covers, long "
                                           f"enough to look like real text (row {n})."),
                                  views=n * 7) for n in range(1, ROWS + 1))
            session.commit()
    engine.dispose()


def create_app() -> Flask:
    """The baseline app, configured from BENCH_BASELINE_DB."""
    app = Flask(__name__)
    url = os.environ.get("BENCH_BASELINE_DB", "sqlite:///:memory:")
    app.config.update(SQLALCHEMY_DATABASE_URI=sqlalchemy_url(url),
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    db = SQLAlchemy(model_class=Base)
    db.init_app(app)

    @app.get("/")
    def page() -> str:
        """One query, one template."""
        topics = db.session.scalars(select(Topic).order_by(Topic.id).limit(ROWS)).all()
        return render_template("baseline.html", topics=topics)

    @app.get("/hello")
    def hello() -> str:
        """The smallest possible response."""
        return "Hello, world!"

    del page, hello
    return app


app = create_app()
