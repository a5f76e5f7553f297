"""The storm anchor: a bare Flask + SQLAlchemy app that records a submission the minimum honest way.

Served by the same gunicorn settings as the course tool (`gunicorn bench.storm_anchor_app:app`),
against the same database, in its own tables. Its one POST, at the tool's Submit URL, does what
any app that keeps a submission must do, and nothing more, in one transaction:

- update the attempt row (submitted, its score), only while it is still in progress;
- insert one response row per question of the final quiz (the bench tells it how many), with
  the columns the tool writes: the answer, points, maximum and the scored parts as JSON;
- insert one score row for the gradebook (the outbox row, its AGS payload as JSON);
- commit once.

No scoring, no session, no CSRF, no rate limits, no security headers, no logging: the floor a
submission costs on this machine, database and server. bench/storm.py releases the same storm
at it and prints the tool's p99 as a ratio to it.

Environment: BENCH_BASELINE_DB (the database, as for bench/baseline_app.py).
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, redirect
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    insert,
    update,
)

from bench.baseline_app import sqlalchemy_url

metadata = MetaData()
attempts = Table(
    "bench_storm_attempt", metadata,
    Column("id", Integer, primary_key=True),
    Column("state", String(12), nullable=False),
    Column("score", Float),
    Column("submitted_at", DateTime(timezone=True)))
responses = Table(
    "bench_storm_response", metadata,
    Column("id", Integer, primary_key=True),
    Column("attempt_id", ForeignKey("bench_storm_attempt.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("response", JSON),
    Column("points", Float),
    Column("max_points", Float),
    Column("parts", JSON))
scores = Table(
    "bench_storm_score", metadata,
    Column("id", Integer, primary_key=True),
    Column("attempt_id", ForeignKey("bench_storm_attempt.id"), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False))

IN_PROGRESS, SUBMITTED = "in_progress", "submitted"
# One scored part per question, like a one-part item in the tool's parts column.
PART = [{"key": "answer", "points": 0.0, "max_points": 1.0, "correct": False,
         "given": None, "expected": "a"}]


def prepare(url: str, count: int) -> None:
    """Empty the anchor's tables and open `count` attempts (ids 1..count), before gunicorn starts."""
    engine = create_engine(sqlalchemy_url(url))
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in (scores, responses, attempts):
            conn.execute(delete(table))
        conn.execute(insert(attempts), [{"id": n, "state": IN_PROGRESS}
                                        for n in range(1, count + 1)])
    engine.dispose()


def recorded(url: str) -> tuple[int, int, int]:
    """Submitted attempts, response rows and score rows: what the storm left."""
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as conn:
        done = conn.execute(attempts.select().where(attempts.c.state == SUBMITTED)).all()
        answers = conn.execute(responses.select()).all()
        rows = conn.execute(scores.select()).all()
    engine.dispose()
    return len(done), len(answers), len(rows)


def create_app() -> Flask:
    """The anchor app, configured from BENCH_BASELINE_DB and BENCH_STORM_RESPONSES."""
    app = Flask(__name__)
    url = os.environ.get("BENCH_BASELINE_DB", "sqlite:///:memory:")
    app.config.update(SQLALCHEMY_DATABASE_URI=sqlalchemy_url(url),
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
    per_attempt = int(os.environ.get("BENCH_STORM_RESPONSES", "1"))
    db = SQLAlchemy()
    db.init_app(app)

    @app.post("/c/<int:cid>/quizzes/attempts/<int:aid>/submit")
    def submit(cid: int, aid: int) -> ResponseReturnValue:
        """Record the submission: one conditional UPDATE, two INSERTs, one commit."""
        now = datetime.now(UTC)
        conn = db.session.connection()
        claimed = conn.execute(
            update(attempts).where(attempts.c.id == aid, attempts.c.state == IN_PROGRESS)
            .values(state=SUBMITTED, score=0.0, submitted_at=now))
        if claimed.rowcount == 1:  # a repeat press records nothing twice
            conn.execute(insert(responses), [
                {"attempt_id": aid, "position": n, "response": None, "points": 0.0,
                 "max_points": 1.0, "parts": PART} for n in range(1, per_attempt + 1)])
            conn.execute(insert(scores), {
                "attempt_id": aid, "status": "pending", "created_at": now, "payload": {
                    "userId": f"learner-{aid}", "scoreGiven": 0.0, "scoreMaximum": 100.0,
                    "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                    "timestamp": now.isoformat()}})
        db.session.commit()
        return redirect(f"/c/{cid}/quizzes/attempts/{aid}/review")

    @app.get("/healthz")
    def healthz() -> str:
        """Ready probe for bench/server.py."""
        return "ok"

    del submit, healthz
    return app


app = create_app()
