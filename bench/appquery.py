"""Run in the app's environment: count what a storm left in the database, as one JSON line.

`python -m bench.appquery <quiz slug> <learner sub prefix>` prints attempts submitted, outbox
rows by status and attempts whose answers are not yet in the review schedule, for that quiz and
those learners (the bench reads, never writes).
"""
from __future__ import annotations

import json
import sys

from sqlalchemy import func, select

from course import create_app
from course.db import db
from course.models import User


def counts(slug: str, prefix: str) -> dict[str, object]:
    """Submitted attempts and outbox statuses of the storm's learners."""
    from quizzes.models import SUBMITTED, Attempt, Quiz, ScoreOutbox
    users = select(User.id).where(User.sub.like(prefix + "%"))
    quizzes = select(Quiz.id).where(Quiz.slug == slug)
    submitted = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.user_id.in_(users), Attempt.quiz_id.in_(quizzes),
        Attempt.state == SUBMITTED)) or 0
    rows = db.session.execute(select(ScoreOutbox.status, func.count(ScoreOutbox.id)).where(
        ScoreOutbox.user_id.in_(users), ScoreOutbox.quiz_id.in_(quizzes))
        .group_by(ScoreOutbox.status)).all()
    # Submitted after the drain but not yet in the learners' review schedules (the worker's pass
    # enters them; issue 18): 0 means none was lost on the way.
    unscheduled = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.user_id.in_(users), Attempt.quiz_id.in_(quizzes),
        Attempt.review_pending.is_(True))) or 0
    return {"submitted": submitted, "outbox": {status: n for status, n in rows},
            "unscheduled": unscheduled}


def main(argv: list[str]) -> int:
    """Print the counts as JSON."""
    app = create_app()
    with app.app_context():
        print(json.dumps(counts(argv[0], argv[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
