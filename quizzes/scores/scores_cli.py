"""`flask scores resend` and `flask scores reconcile`: put lost scores back on their way."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from course.db import db, utcnow
from course.models import Context
from quizzes.models import FAILED, ScoreOutbox
from quizzes.scores import reconcile as reconciling
from quizzes.scores import resend as resending


@click.group("scores")
def scores() -> None:
    """Scores on their way to the LMS gradebooks: resend and reconcile."""


@scores.command("resend")
@click.option("--context", "context_id", type=click.IntRange(1, 2**31 - 1),
              help="Only this course (the tool's context id, as in /c/<id>/).")
@click.option("--status", type=click.Choice([FAILED, resending.WAITING]),
              help="Only failed scores, or only those still waiting (default: both).")
@click.option("--dry-run", is_flag=True, help="List what would be queued; change nothing.")
@with_appcontext
def resend(context_id: int | None, status: str | None, dry_run: bool) -> None:
    """Queue again every newest score that has not reached the LMS (same timestamp)."""
    items = resending.unsent(context_id, status=status)
    for item in items:
        score = "?" if item.score_given is None else f"{item.score_given:g}"
        click.echo(f"course {item.context_id} | {item.quiz_title} | {item.learner}: score "
                   f"{score} at {item.timestamp} ({item.status})")
    if dry_run:
        click.echo(f"Dry run: {len(items)} score(s) would be queued.")
        return
    click.echo(f"Queued {resending.resend(items, utcnow())} score(s); "
               "the worker sends them at its next pass.")


@scores.command("reconcile")
@click.option("--context", "context_id", type=click.IntRange(1, 2**31 - 1),
              help="Only this course (the tool's context id).")
@with_appcontext
def reconcile(context_id: int | None) -> None:
    """List scores the LMS does not have, or has with another value (AGS results)."""
    query = select(Context).where(Context.id.in_(select(ScoreOutbox.context_id))).order_by(
        Context.id)
    if context_id is not None:
        query = query.where(Context.id == context_id)
    contexts = list(db.session.scalars(query))
    if context_id is not None and not contexts:
        raise click.UsageError(f"No course with context id {context_id} has any scores.")
    for context in contexts:
        report = reconciling.reconcile(context)
        click.echo(f"course {context.id} ({context.title}): {report.checked} score(s) checked, "
                   f"{len(report.findings)} not in the LMS as sent")
        for problem in report.problems:
            click.echo(f"  ! {problem}")
        for finding in report.findings:
            click.echo(f"  - {finding.text}")
