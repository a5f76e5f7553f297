"""`flask worker`: submit overdue attempts, schedule submitted answers for review, send scores."""
from __future__ import annotations

import logging
import signal
import time
from typing import Any

import click
from flask.cli import with_appcontext

from course.db import db
from quizzes.review import schedule_store
from quizzes.scores import sender
from quizzes.taking import attempts

log = logging.getLogger(__name__)


def run_pass() -> sender.DrainReport:
    """One pass: close attempts past their time limit, schedule answers, send every due score."""
    expired = attempts.expire_overdue()
    scheduled = schedule_reviews()
    report = sender.drain()
    report.expired_attempts, report.reviews_scheduled = expired, scheduled
    return report


def schedule_reviews(batch: int = 500) -> int:
    """Enter submitted attempts' answers into their learners' review schedules; one commit each."""
    done = 0
    for context_id, user_id in schedule_store.learners_waiting(batch):
        done += schedule_store.catch_up(context_id, user_id)
        db.session.commit()
    return done


def _echo(report: sender.DrainReport) -> None:
    """Print a pass's counts when it did anything."""
    if (report.sent or report.retrying or report.failed or report.expired_attempts
            or report.reviews_scheduled):
        click.echo(f"scores sent={report.sent} retrying={report.retrying} "
                   f"failed={report.failed}; expired attempts submitted={report.expired_attempts}; "
                   f"attempts scheduled for review={report.reviews_scheduled}")


@click.command("worker")
@click.option("--once", is_flag=True, help="Drain what is due now, then exit.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to sleep between passes.")
@with_appcontext
def worker(once: bool, interval: float) -> None:
    """Deliver the score outbox to the platforms' gradebooks (AGS), retrying with backoff."""
    stopping = {"now": False}

    def stop(signum: int, frame: Any) -> None:
        """Finish the current pass, then exit (SIGTERM from a process manager, or Ctrl-C)."""
        stopping["now"] = True

    if not once:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    while True:
        try:
            _echo(run_pass())
        except Exception:  # a database blip must not kill a long-running worker
            db.session.rollback()
            log.exception("worker pass failed")
            if once:
                raise
        finally:
            db.session.remove()
        if once or stopping["now"]:
            return
        slept = 0.0
        while slept < interval and not stopping["now"]:
            time.sleep(min(0.5, interval - slept))
            slept += 0.5
