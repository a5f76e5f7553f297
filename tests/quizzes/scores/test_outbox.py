"""Score outbox sender against a fake AGS client: claims, retries with backoff, stale reclaim."""
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db, utcnow
from quizzes.models import FAILED, PENDING, SENDING, SENT, LineItem, ScoreOutbox, aware
from quizzes.scores import outbox, sender
from quizzes.taking import attempts
from tests.quizzes.taking.test_attempts import add_user, answer_all, course_quiz, make_course


class FakeAgsError(Exception):
    """Shaped like course.lti.ags.AgsError."""

    def __init__(self, message: str, retryable: bool, retry_after: float | None = None) -> None:
        """Keep the fields the outbox reads."""
        super().__init__(message)
        self.message, self.retryable, self.retry_after = message, retryable, retry_after


class FakeAgs:
    """Records posts; fails the next N calls when told to."""

    def __init__(self) -> None:
        """Nothing posted, nothing failing."""
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.line_item_calls = 0
        self.failures: list[Exception] = []
        self.lock = threading.Lock()

    def line_item_for_quiz(self, context: Any, quiz: Any, launch_lineitem: str | None = None) -> str:
        """One line item per quiz slug, counting the look-ups."""
        with self.lock:
            self.line_item_calls += 1
        return f"https://lms.test/lineitems/{quiz.slug}"

    def post_score(self, context: Any, lineitem_url: str, payload: dict[str, Any]) -> None:
        """Record the score, or raise the next planned failure."""
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.posts.append((lineitem_url, payload))


@pytest.fixture
def fake(app):
    """The fake client installed as the app's AGS client, inside an app context with a course."""
    client = FakeAgs()
    app.extensions[sender.CLIENT_KEY] = client
    with app.app_context():
        client.course = make_course()
        yield client


def submitted(fake: FakeAgs, right: bool = True, **settings: Any) -> int:
    """Submit one attempt of the first quiz; returns the attempt id."""
    ctx, user = fake.course
    attempt = attempts.start_attempt(course_quiz(ctx, **settings), user)
    answer_all(attempt, right=right)
    return attempts.submit_attempt(attempt.id)[0].id


def rows() -> list[ScoreOutbox]:
    """Every outbox row, fresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id)))


def test_drain_sends_each_row_once(fake):
    submitted(fake)
    report = sender.drain()
    assert report.sent == 1 and len(fake.posts) == 1
    url, payload = fake.posts[0]
    assert url == f"https://lms.test/lineitems/{course_quiz(fake.course[0]).slug}"
    assert payload["scoreGiven"] == 100.0 and payload["userId"] == "learner-1"
    assert payload["activityProgress"] in ("Submitted", "Completed")
    assert payload["gradingProgress"] == "FullyGraded" and payload["timestamp"].endswith("Z")
    assert [r.status for r in rows()] == [SENT] and rows()[0].sent_at is not None
    assert sender.drain().sent == 0 and len(fake.posts) == 1


def test_retry_with_exponential_backoff_then_success(fake):
    submitted(fake)
    fake.failures = [FakeAgsError("HTTP 503", True) for _ in range(3)]
    now = utcnow()
    delays = []
    for _ in range(3):
        assert sender.drain(now=now).retrying == 1
        row = rows()[0]
        assert row.status == PENDING and row.last_error == "HTTP 503"
        delays.append(aware(row.next_try_at) - now)
        assert sender.drain(now=now + delays[-1] - timedelta(seconds=1)).statuses == []
        now = now + delays[-1]
    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert sender.drain(now=now).sent == 1
    assert len(fake.posts) == 1 and rows()[0].status == SENT and rows()[0].tries == 3


def test_backoff_is_capped_and_gives_up_after_max_tries(fake):
    assert sender.backoff(20) == sender.MAX_DELAY
    submitted(fake)
    fake.failures = [FakeAgsError("HTTP 502", True) for _ in range(sender.MAX_TRIES)]
    now = utcnow()
    for _ in range(sender.MAX_TRIES):
        sender.drain(now=now)
        now += sender.MAX_DELAY
    row = rows()[0]
    assert row.status == FAILED and row.tries == sender.MAX_TRIES and "502" in row.last_error
    assert fake.posts == []


def test_retry_after_from_the_platform_is_honoured(fake):
    submitted(fake)
    fake.failures = [FakeAgsError("HTTP 429", True, retry_after=600)]
    now = utcnow()
    sender.drain(now=now)
    assert aware(rows()[0].next_try_at) - now == timedelta(seconds=600)


def test_non_retryable_error_fails_at_once_with_the_reason(fake):
    submitted(fake)
    fake.failures = [FakeAgsError("The platform refused the score (HTTP 400).", False)]
    assert sender.drain().failed == 1
    row = rows()[0]
    assert row.status == FAILED and "HTTP 400" in row.last_error
    state = outbox.sync_states(row.context_id)[(row.quiz_id, row.user_id)]
    assert state.status == FAILED and "HTTP 400" in state.label


def refused(message: str = "Moodle refused the grade (invalid_scope)") -> FakeAgsError:
    """A refusal by an LMS setting, shaped like AgsError(problem="config")."""
    err = FakeAgsError(message, False)
    err.problem = "config"
    return err


def test_a_setting_refusal_waits_hours_and_does_not_use_up_outage_tries(fake):
    from quizzes.scores import sender
    assert [sender.config_backoff(n).total_seconds() / 3600 for n in (1, 2, 3, 9, 50)] == \
        [1, 2, 4, 4, 4]
    submitted(fake)
    fake.failures = [refused() for _ in range(3 * sender.MAX_TRIES)] + \
        [FakeAgsError("HTTP 502", True)]
    now = utcnow()
    for _ in range(3 * sender.MAX_TRIES):  # 36 refusals over six days: still waiting
        assert sender.drain(now=now).retrying == 1
        row = rows()[0]
        assert row.status == PENDING and row.problem == "config"
        assert aware(row.next_try_at) - now >= timedelta(hours=1)
        now = aware(row.next_try_at)
    sender.drain(now=now)  # the setting is fixed; a short outage follows
    row = rows()[0]
    assert (row.status, row.tries, row.problem) == (PENDING, 1, None)
    assert aware(row.next_try_at) - now == sender.BASE_DELAY
    sender.drain(now=aware(row.next_try_at))
    assert rows()[0].status == SENT and len(fake.posts) == 1


def test_a_setting_refusal_gives_up_after_the_configured_days_not_before_14(app, fake):
    app.config["OUTBOX_CONFIG_GIVE_UP_DAYS"] = 3  # too short: 14 days still hold
    submitted(fake)
    fake.failures = [refused(), refused()]
    start = utcnow()
    sender.drain(now=start)
    sender.drain(now=start + timedelta(days=13, hours=23))
    assert rows()[0].status == PENDING
    app.config["OUTBOX_CONFIG_GIVE_UP_DAYS"] = 20
    fake.failures = [refused()]
    sender.drain(now=start + timedelta(days=20, minutes=1))
    row = rows()[0]
    assert row.status == FAILED and "invalid_scope" in row.last_error


def test_unexpected_exception_is_retried(fake):
    submitted(fake)
    fake.failures = [RuntimeError("socket closed")]
    assert sender.drain().retrying == 1
    assert "socket closed" in rows()[0].last_error


def test_stale_sending_row_is_reclaimed_but_fresh_one_is_not(fake):
    submitted(fake)
    now = utcnow()
    assert sender.claim_due(now) == [rows()[0].id]  # a worker took it, then died
    assert sender.claim_due(now + timedelta(minutes=1)) == []
    assert rows()[0].status == SENDING
    later = now + sender.STALE_AFTER + timedelta(seconds=1)
    assert sender.drain(now=later).sent == 1 and len(fake.posts) == 1


def test_new_submission_replaces_a_waiting_score(fake):
    submitted(fake, right=False, attempts_allowed=0, grading="last")
    submitted(fake, right=True, attempts_allowed=0, grading="last")
    assert [r.status for r in rows()] == [PENDING]
    sender.drain()
    assert [p["scoreGiven"] for _, p in fake.posts] == [100.0]


def test_line_item_is_looked_up_once_and_remembered(fake):
    submitted(fake, attempts_allowed=0)
    sender.drain()
    submitted(fake, attempts_allowed=0)
    sender.drain()
    assert fake.line_item_calls == 1 and len(fake.posts) == 2
    assert len(list(db.session.scalars(select(LineItem)))) == 1


def test_sync_state_labels(fake):
    submitted(fake)
    row = rows()[0]
    key = (row.quiz_id, row.user_id)
    assert outbox.sync_states(row.context_id)[key].status == PENDING
    fake.failures = [FakeAgsError("HTTP 503", True)]
    sender.drain()
    waiting = outbox.sync_states(row.context_id, row.user_id)[key]
    assert "next try" in waiting.label and "HTTP 503" in waiting.label
    sender.drain(now=utcnow() + timedelta(minutes=2))
    assert outbox.sync_states(row.context_id)[key].label.startswith("Sent")


def test_parallel_workers_never_send_a_row_twice(app, fake):
    ctx, _ = fake.course
    for n in range(6):
        user = add_user(f"u{n}")
        attempt = attempts.start_attempt(course_quiz(ctx), user)
        attempts.submit_attempt(attempt.id)
    barrier = threading.Barrier(3)

    def work() -> None:
        """One worker process."""
        with app.app_context():
            barrier.wait()
            sender.drain(batch=2)
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    users = sorted(p["userId"] for _, p in fake.posts)
    assert users == sorted(f"u{n}" for n in range(6))
    assert all(r.status == SENT for r in rows())


def test_worker_command_once(app, fake):
    submitted(fake)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output and len(fake.posts) == 1


def test_worker_command_submits_overdue_attempts(app, fake):
    ctx, user = fake.course
    attempt_id = attempts.start_attempt(course_quiz(ctx, time_limit_minutes=1), user,
                                        now=utcnow() - timedelta(minutes=5)).id
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "expired attempts submitted=1" in result.output
    assert len(fake.posts) == 1 and rows()[0].attempt_id == attempt_id
