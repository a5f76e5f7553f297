"""Score sender: claim due outbox rows and post them to the platforms, with retries and backoff."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from course.db import db, utcnow
from course.lti import ags
from course.lti.http import close_session
from course.lti.tokens import CONFIG
from course.models import Context
from quizzes.models import FAILED, PENDING, SENDING, SENT, LineItem, Quiz, ScoreOutbox, aware
from quizzes.scores import grade

log = logging.getLogger("quizzes.outbox")

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
MAX_TRIES = 12
STALE_AFTER = timedelta(minutes=5)  # a row "sending" this long belonged to a worker that died
CLIENT_KEY = "quizzes.ags_client"  # app.extensions override, used by tests and the demo
# A platform setting refusing the tool (Moodle's grade sync off) lasts until an admin acts:
# retry every few hours and give up only after OUTBOX_CONFIG_GIVE_UP_DAYS (at least 14).
CONFIG_DELAY = timedelta(hours=1)
CONFIG_MAX_DELAY = timedelta(hours=4)
CONFIG_GIVE_UP = timedelta(days=30)


def backoff(tries: int) -> timedelta:
    """Delay before the next try after ``tries`` failures: 30 s doubling, capped at 1 hour."""
    return min(BASE_DELAY * (2 ** max(0, tries - 1)), MAX_DELAY)


def config_backoff(tries: int) -> timedelta:
    """Delay after ``tries`` refusals by configuration: 1 hour doubling, capped at 4 hours."""
    return min(CONFIG_DELAY * (2 ** max(0, min(tries, 8) - 1)), CONFIG_MAX_DELAY)


def config_give_up() -> timedelta:
    """How long a score refused by configuration is kept trying (never under 14 days)."""
    days = current_app.config.get("OUTBOX_CONFIG_GIVE_UP_DAYS")
    return max(timedelta(days=float(days)), timedelta(days=14)) if days else CONFIG_GIVE_UP


class AgsClient(Protocol):
    """What the sender needs of the grade service; course.lti.ags is one, tests bring their own."""

    def line_item_for_quiz(self, context: Context, quiz: ags.QuizLike,
                           launch_lineitem: str | None = None) -> str:
        """The quiz's line item URL in this course."""
        ...

    def post_score(self, context: Context, lineitem_url: str, payload: dict[str, Any]) -> None:
        """Post one score; raise an error with retryable/problem/retry_after on failure."""
        ...


def ags_client() -> AgsClient:
    """The AGS client: course.lti.ags, unless the app carries an override (tests, demo)."""
    override: AgsClient | None = current_app.extensions.get(CLIENT_KEY)
    return override if override is not None else ags


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
    ids = list(db.session.scalars(query))
    claimed: set[int] = set()
    if ids:
        # Repeating the due test in the UPDATE makes the claim atomic on SQLite too.
        claimed = set(db.session.scalars(
            update(ScoreOutbox).where(ScoreOutbox.id.in_(ids), _due(now))
            .values(status=SENDING, claimed_at=now).returning(ScoreOutbox.id)
            .execution_options(synchronize_session=False)))
    db.session.commit()
    return [i for i in ids if i in claimed]


class PassCache:
    """What one sender pass reads once: contexts (with registration), quizzes, line item URLs.

    The objects are detached from the session, so the commit after each score does not expire
    them and they are not selected again for every row.
    """

    def __init__(self) -> None:
        """Nothing read yet."""
        self.contexts: dict[int, Context] = {}
        self.quizzes: dict[int, Quiz] = {}
        self.line_items: dict[tuple[int, int], str] = {}
        # Courses whose LMS settings refused a score this pass: the other rows of the course
        # wait with the same reason instead of each asking its token endpoint again.
        self.refused: dict[int, SendResult] = {}  # by context id

    def context(self, context_id: int) -> Context:
        """The course, with its registration loaded."""
        if context_id not in self.contexts:
            ctx = db.session.scalars(select(Context).options(joinedload(Context.registration))
                                     .where(Context.id == context_id)).one()
            db.session.expunge(ctx.registration)
            db.session.expunge(ctx)
            self.contexts[context_id] = ctx
        return self.contexts[context_id]

    def quiz(self, quiz_id: int) -> Quiz:
        """The quiz (its slug and title name the line item)."""
        if quiz_id not in self.quizzes:
            quiz = db.session.get_one(Quiz, quiz_id)
            db.session.expunge(quiz)
            self.quizzes[quiz_id] = quiz
        return self.quizzes[quiz_id]

    def line_item(self, context: Context, quiz: Quiz, client: AgsClient) -> str:
        """The quiz's line item URL in this course, looked up once per pass."""
        key = (context.id, quiz.id)
        if key not in self.line_items:
            self.line_items[key] = line_item_url(context, quiz, client)
        return self.line_items[key]


def line_item_url(context: Context, quiz: Quiz, client: AgsClient) -> str:
    """The quiz's line item in this course: remembered, or found/created by the AGS client."""
    known = db.session.scalar(select(LineItem.url).where(
        LineItem.context_id == context.id, LineItem.quiz_id == quiz.id))
    if known is not None:
        return known
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
    problem: str | None = None  # CONFIG (a platform setting), "learner" (final for this learner)


def _deliver(row: Any, payload: dict[str, Any], cache: PassCache) -> SendResult:
    """Post one row's score; classify any failure as retryable or final."""
    context = None
    try:
        context, quiz, client = cache.context(row.context_id), cache.quiz(row.quiz_id), ags_client()
        if context.id in cache.refused:
            return cache.refused[context.id]
        client.post_score(context, cache.line_item(context, quiz, client), payload)
    except Exception as exc:  # the client raises AgsError; anything else is retried too
        db.session.rollback()
        message = getattr(exc, "message", None) or f"{exc.__class__.__name__}: {exc}"
        problem = getattr(exc, "problem", None)
        problem = problem if isinstance(problem, str) else None
        retry = bool(getattr(exc, "retryable", True)) or problem == CONFIG
        log.warning("score delivery failed", extra={"outbox": row.id, "retryable": retry,
                                                    "problem": problem, "error": message})
        wait = getattr(exc, "retry_after", None)
        wait = float(wait) if isinstance(wait, (int, float)) and wait > 0 else None
        outcome = SendResult(PENDING if retry else FAILED, str(message)[:2000], wait, problem)
        if problem == CONFIG and context is not None:
            cache.refused[context.id] = outcome
        return outcome
    return SendResult(SENT)


def _claimed_rows(ids: list[int]) -> dict[int, Any]:
    """The claimed rows as plain tuples (a commit cannot expire them), by id."""
    found = db.session.execute(select(
        ScoreOutbox.id, ScoreOutbox.status, ScoreOutbox.context_id, ScoreOutbox.quiz_id,
        ScoreOutbox.user_id, ScoreOutbox.payload, ScoreOutbox.tries, ScoreOutbox.problem, ScoreOutbox.created_at)
        .where(ScoreOutbox.id.in_(ids))).all()
    return {row.id: row for row in found}


def _after_failure(row: Any, outcome: SendResult, now: datetime) -> dict[str, Any]:
    """Tries, status and next try after a failed delivery."""
    # Count failures of one kind in a row: days of refusals by configuration must not use up
    # the tries of the first short outage after the setting is fixed, nor the other way round.
    same_kind = (row.problem == CONFIG) == (outcome.problem == CONFIG)
    tries = row.tries + 1 if same_kind else 1
    values: dict[str, Any] = {"tries": tries, "last_error": outcome.error, "status": PENDING}
    if outcome.problem == CONFIG:
        if now - (aware(row.created_at) or now) >= config_give_up():
            values["status"] = FAILED
        else:
            values["next_try_at"] = now + config_backoff(tries)
    elif outcome.status == FAILED or tries >= MAX_TRIES:
        values["status"] = FAILED
    else:
        delay = backoff(tries)
        if outcome.retry_after:
            delay = min(max(delay, timedelta(seconds=outcome.retry_after)), MAX_DELAY)
        values["next_try_at"] = now + delay
    return values


def _record(row: Any, outcome: SendResult, now: datetime) -> str:
    """Store a delivery's outcome, only while the row is still ours (status sending)."""
    values: dict[str, Any] = {"claimed_at": None, "problem": outcome.problem}
    if outcome.status == SENT:
        values.update(status=SENT, sent_at=now, last_error=None)
    else:
        values.update(_after_failure(row, outcome, now))
    db.session.execute(update(ScoreOutbox).where(ScoreOutbox.id == row.id,
                                                 ScoreOutbox.status == SENDING)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return str(values["status"])


def send_one(row_id: int, now: datetime | None = None, cache: PassCache | None = None) -> str:
    """Deliver one claimed row and record the outcome; returns the new status."""
    row = _claimed_rows([row_id]).get(row_id)
    return _send(row, now, cache or PassCache())


def _send(row: Any, now: datetime | None, cache: PassCache) -> str:
    """Deliver a claimed row (a tuple from _claimed_rows) and record the outcome."""
    if row is None or row.status != SENDING:
        return row.status if row else FAILED
    payload = row.payload if grade.is_score(row.payload) else grade.work_out(row, now or utcnow())
    if payload is None:
        return FAILED
    outcome = _deliver(row, payload, cache)
    return _record(row, outcome, now or utcnow())



@dataclass
class DrainReport:
    """What one pass of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired_attempts: int = 0
    reviews_scheduled: int = 0  # submitted attempts whose answers entered the review schedule
    statuses: list[str] = field(default_factory=list)


def drain(now: datetime | None = None, batch: int = 20) -> DrainReport:
    """Send every row that is due now; rows rescheduled for later wait for the next pass."""
    report, seen, cache = DrainReport(), set(), PassCache()
    try:
        while True:
            ids = [i for i in claim_due(now or utcnow(), batch) if i not in seen]
            if not ids:
                return report
            rows = _claimed_rows(ids)
            for row_id in ids:
                seen.add(row_id)
                status = _send(rows.get(row_id), now, cache)
                report.statuses.append(status)
                if status == SENT:
                    report.sent += 1
                elif status == FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
    finally:
        # The pass reused one HTTP session (and its connections); do not let them idle stale.
        close_session()
