"""Score outbox: queue AGS scores with the attempt, then deliver them with retries and backoff."""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from course.db import db, utcnow
from course.models import Context, Membership, User
from course.roles import INSTRUCTOR
from quizzes import grading
from quizzes.models import (FAILED, PENDING, SENDING, SENT, SUBMITTED, Attempt, LineItem, Quiz,
                            ScoreOutbox, aware)

log = logging.getLogger(__name__)

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
MAX_TRIES = 12
STALE_AFTER = timedelta(minutes=5)  # a row "sending" this long belonged to a worker that died
SCORE_MAXIMUM = 100.0
CLIENT_KEY = "quizzes.ags_client"  # app.extensions override, used by tests and the demo


def backoff(tries: int) -> timedelta:
    """Delay before the next try after ``tries`` failures: 30 s doubling, capped at 1 hour."""
    return min(BASE_DELAY * (2 ** max(0, tries - 1)), MAX_DELAY)


def score_payload(user_sub: str, grade: float, when: datetime, completed: bool,
                  comment: str) -> dict[str, Any]:
    """An AGS score (AGS 2.0 section 3.4) for a 0..1 quiz grade on a 0-100 scale."""
    return {
        "userId": user_sub,
        "scoreGiven": round(grade * SCORE_MAXIMUM, 2),
        "scoreMaximum": SCORE_MAXIMUM,
        "activityProgress": "Completed" if completed else "Submitted",
        "gradingProgress": "FullyGraded",
        "timestamp": when.astimezone(timezone.utc).isoformat(timespec="milliseconds")
                         .replace("+00:00", "Z"),
        "comment": comment,
    }


# --- queue (inside the submitting transaction) ---------------------------------------------------

def enqueue_grade(attempt: Attempt, now: datetime) -> ScoreOutbox | None:
    """Queue the quiz grade after a submission, in the caller's transaction (no commit).

    Staff trying a quiz get no score row: the LMS gradebook is for learners.
    """
    quiz = db.session.get(Quiz, attempt.quiz_id)
    user = db.session.get(User, attempt.user_id)
    role = db.session.scalar(select(Membership.role).where(
        Membership.user_id == user.id, Membership.context_id == quiz.context_id))
    if role == INSTRUCTOR:
        return None
    scores = [s or 0.0 for s in db.session.scalars(select(Attempt.score).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.state == SUBMITTED)
        .order_by(Attempt.number))]
    grade = grading.quiz_grade(quiz.grading, scores) or 0.0
    used = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)) or 0
    done = grading.attempts_left(quiz.attempts_allowed, used) == 0
    comment = f"{len(scores)} attempt(s); {grading.GRADING_LABELS[quiz.grading]}."
    payload = score_payload(user.sub, grade, now, done, comment)
    # A score still waiting is replaced, not queued behind: the platform needs only the newest.
    waiting = db.session.scalars(select(ScoreOutbox).where(
        ScoreOutbox.context_id == quiz.context_id, ScoreOutbox.quiz_id == quiz.id,
        ScoreOutbox.user_id == user.id, ScoreOutbox.status == PENDING)
        .order_by(ScoreOutbox.id.desc())).first()
    if waiting is not None:
        changed = db.session.execute(
            update(ScoreOutbox).where(ScoreOutbox.id == waiting.id, ScoreOutbox.status == PENDING)
            .values(payload=payload, attempt_id=attempt.id, next_try_at=now, tries=0,
                    last_error=None).execution_options(synchronize_session=False))
        if changed.rowcount == 1:
            db.session.refresh(waiting)
            return waiting
    row = ScoreOutbox(attempt_id=attempt.id, context_id=quiz.context_id, user_id=user.id,
                      quiz_id=quiz.id, payload=payload, status=PENDING, tries=0, next_try_at=now,
                      created_at=now)
    db.session.add(row)
    db.session.flush()
    return row


# --- sender ------------------------------------------------------------------------------------

def ags_client() -> Any:
    """The AGS client: course.lti.ags, unless the app carries an override (tests, demo)."""
    override = current_app.extensions.get(CLIENT_KEY)
    return override if override is not None else importlib.import_module("course.lti.ags")


def stale_after() -> timedelta:
    """How long a row may stay "sending" before another worker takes it (OUTBOX_STALE_SECONDS)."""
    seconds = current_app.config.get("OUTBOX_STALE_SECONDS")
    return timedelta(seconds=float(seconds)) if seconds else STALE_AFTER


def _due(now: datetime) -> Any:
    """Rows ready to send: pending and due, or stuck in sending past the stale timeout."""
    return or_(and_(ScoreOutbox.status == PENDING, ScoreOutbox.next_try_at <= now),
               and_(ScoreOutbox.status == SENDING, ScoreOutbox.claimed_at <= now - stale_after()))


def claim_due(now: datetime, limit: int = 20) -> list[int]:
    """Mark up to ``limit`` due rows as sending and commit; each row goes to one worker only."""
    query = select(ScoreOutbox.id).where(_due(now)).order_by(ScoreOutbox.next_try_at,
                                                             ScoreOutbox.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for row_id in list(db.session.scalars(query)):
        # Repeating the due test in the UPDATE makes the claim atomic on SQLite too.
        result = db.session.execute(
            update(ScoreOutbox).where(ScoreOutbox.id == row_id, _due(now))
            .values(status=SENDING, claimed_at=now).execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(row_id)
    db.session.commit()
    return claimed


def line_item_url(context: Context, quiz: Quiz, client: Any) -> str:
    """The quiz's line item in this course: remembered, or found/created by the AGS client."""
    known = db.session.scalars(select(LineItem).where(
        LineItem.context_id == context.id, LineItem.quiz_id == quiz.id)).first()
    if known is not None:
        return known.url
    url = client.line_item_for_quiz(context, quiz)
    db.session.add(LineItem(context_id=context.id, quiz_id=quiz.id, url=url))
    try:
        db.session.commit()
    except IntegrityError:  # another worker stored it first
        db.session.rollback()
    return url


@dataclass
class SendResult:
    """The outcome of one delivery attempt."""

    status: str
    error: str | None = None
    retry_after: float | None = None  # seconds the platform asked us to wait (HTTP 429/503)


def _deliver(row: ScoreOutbox) -> SendResult:
    """Post one row's score; classify any failure as retryable or final."""
    context = db.session.get(Context, row.context_id)
    quiz = db.session.get(Quiz, row.quiz_id)
    try:
        client = ags_client()
        client.post_score(context, line_item_url(context, quiz, client), row.payload)
    except Exception as exc:  # the client raises AgsError; anything else is retried too
        db.session.rollback()
        message = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"
        retry = bool(getattr(exc, "retryable", True))
        log.warning("score delivery failed", extra={"outbox": row.id, "retryable": retry,
                                                    "error": message})
        wait = getattr(exc, "retry_after", None)
        wait = float(wait) if isinstance(wait, (int, float)) and wait > 0 else None
        return SendResult(PENDING if retry else FAILED, str(message)[:2000], wait)
    return SendResult(SENT)


def send_one(row_id: int, now: datetime | None = None) -> str:
    """Deliver one claimed row and record the outcome; returns the new status."""
    row = db.session.get(ScoreOutbox, row_id, populate_existing=True)
    if row is None or row.status != SENDING:
        return row.status if row else FAILED
    outcome = _deliver(row)
    row = db.session.get(ScoreOutbox, row_id, populate_existing=True)
    now = now or utcnow()
    if outcome.status == SENT:
        row.status, row.sent_at, row.last_error = SENT, now, None
    else:
        row.tries += 1
        row.last_error = outcome.error
        if outcome.status == FAILED or row.tries >= MAX_TRIES:
            row.status = FAILED
        else:
            delay = backoff(row.tries)
            if outcome.retry_after:
                delay = min(max(delay, timedelta(seconds=outcome.retry_after)), MAX_DELAY)
            row.status, row.next_try_at = PENDING, now + delay
    row.claimed_at = None
    db.session.commit()
    return row.status


@dataclass
class DrainReport:
    """What one pass of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired_attempts: int = 0
    statuses: list[str] = field(default_factory=list)


def drain(now: datetime | None = None, batch: int = 20) -> DrainReport:
    """Send every row that is due now; rows rescheduled for later wait for the next pass."""
    report = DrainReport()
    seen: set[int] = set()
    while True:
        ids = [i for i in claim_due(now or utcnow(), batch) if i not in seen]
        if not ids:
            return report
        for row_id in ids:
            seen.add(row_id)
            status = send_one(row_id, now)
            report.statuses.append(status)
            if status == SENT:
                report.sent += 1
            elif status == FAILED:
                report.failed += 1
            else:
                report.retrying += 1


# --- sync state for the views -------------------------------------------------------------------

@dataclass(frozen=True)
class SyncState:
    """Where a quiz grade stands on its way to the platform gradebook."""

    status: str
    score_given: float | None
    next_try_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    tries: int

    @property
    def label(self) -> str:
        """A short sentence for learners and instructors."""
        if self.status == SENT:
            return "Sent to the course gradebook"
        if self.status == FAILED:
            return f"Not sent: {self.last_error or 'unknown error'}"
        if self.status == SENDING:
            return "Sending to the course gradebook"
        if self.tries and self.next_try_at:
            return f"Waiting to send; next try at {self.next_try_at:%H:%M} UTC ({self.last_error})"
        return "Waiting to send to the course gradebook"


def sync_states(context_id: int, user_id: int | None = None) -> dict[tuple[int, int], SyncState]:
    """The newest outbox row per (quiz id, user id) in a course, optionally for one user."""
    query = select(ScoreOutbox).where(ScoreOutbox.context_id == context_id)
    if user_id is not None:
        query = query.where(ScoreOutbox.user_id == user_id)
    states: dict[tuple[int, int], SyncState] = {}
    for row in db.session.scalars(query.order_by(ScoreOutbox.id)):
        states[(row.quiz_id, row.user_id)] = SyncState(
            row.status, (row.payload or {}).get("scoreGiven"), aware(row.next_try_at),
            row.last_error, aware(row.sent_at), row.tries)
    return states


def remember_launch_line_item(context_id: int, quiz: Quiz, launch: dict[str, Any]) -> None:
    """Keep the line item of a launch from this quiz's own resource link (AGS 3.2 endpoint claim)."""
    from course.lti import claims
    custom = launch.get(claims.CUSTOM) or {}
    url = (launch.get(claims.AGS) or {}).get("lineitem")
    if not url or str(custom.get("resource", "")) != f"quiz:{quiz.slug}":
        return
    link = str((launch.get(claims.RESOURCE_LINK) or {}).get("id") or "")[:255] or None
    row = db.session.scalars(select(LineItem).where(
        LineItem.context_id == context_id, LineItem.quiz_id == quiz.id)).first()
    if row is not None and row.url == url:
        return
    if row is None:
        db.session.add(LineItem(context_id=context_id, quiz_id=quiz.id, url=url,
                                resource_link_id=link))
    else:
        row.url, row.resource_link_id = url, link
    try:
        db.session.commit()
    except IntegrityError:  # a parallel request stored it
        db.session.rollback()
