"""Run in the app's environment: give a course 300 learners who each answered 100 items, for the bench.

`python -m bench.perfseed <context id> <learners> <items> <sub of a learner to include>` inserts
learners (members of that course), one submitted attempt each over the newest versions of the
first shipped questions, and scored responses with partial credit; prints one JSON line. It is
idempotent: learners already seeded are left as they are.
"""
from __future__ import annotations

import json
import math
import random
import sys
from typing import Any

from sqlalchemy import func, insert, select, text

from course import create_app
from course.db import db
from course.models import Context, Membership, User
from course.roles import LEARNER

SEED, PREFIX, SLUG = 20240617, "bench-perf-", "bench-performance"


def _versions(items: int) -> list[tuple[int, float]]:
    """(version id, points possible) of the newest version of the first shipped questions."""
    from quizzes.models import SHIPPED, Question, QuestionVersion
    newest = (select(func.max(QuestionVersion.id)).join(Question)
              .where(Question.source == SHIPPED).group_by(QuestionVersion.question_id))
    ids = list(db.session.scalars(newest.order_by(func.max(QuestionVersion.id)).limit(items)))
    return [(vid, 1.0 + (vid % 3)) for vid in ids]  # 1 to 3 points: partial credit is common


def _learners(context: Context, count: int, include: str) -> list[int]:
    """User ids of `count` learners of the course (creating bench learners), `include` first."""
    uids = list(db.session.scalars(select(User.id).where(
        User.registration_id == context.registration_id, User.sub == include)))
    have = {sub: uid for sub, uid in db.session.execute(select(User.sub, User.id).where(
        User.registration_id == context.registration_id, User.sub.like(PREFIX + "%")))}
    for n in range(count - len(uids)):
        sub = f"{PREFIX}{n:04d}"
        if sub not in have:
            user = User(registration_id=context.registration_id, sub=sub, name=f"Bench learner {n}")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, context_id=context.id, role=LEARNER))
            have[sub] = user.id
        uids.append(have[sub])
    return uids


def seed(context_id: int, learners: int, items: int, include: str) -> dict[str, Any]:
    """Insert the attempts and responses the performance pages read."""
    from quizzes.models import SUBMITTED, Attempt, Quiz, Response
    context = db.session.get(Context, context_id)
    if context is None:
        raise SystemExit(f"no course {context_id}")
    quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == context_id, Quiz.slug == SLUG)).first()
    if quiz is not None:
        return {"seeded": 0, "note": "already seeded"}
    quiz = Quiz(context_id=context_id, slug=SLUG, title="Bench performance quiz", published=False)
    db.session.add(quiz)
    versions = _versions(items)
    uids = _learners(context, learners, include)
    db.session.flush()
    rng = random.Random(SEED)
    difficulty = [rng.uniform(-2.0, 2.0) for _ in versions]
    rows: list[dict[str, Any]] = []
    for uid in uids:
        attempt = Attempt(context_id=context_id, user_id=uid, quiz_id=quiz.id, number=1,
                          state=SUBMITTED, active=None, seed="bench", layout=[])
        db.session.add(attempt)
        db.session.flush()
        theta = rng.gauss(0.0, 1.0)
        for pos, ((vid, most), b) in enumerate(zip(versions, difficulty), 1):
            p = 1.0 / (1.0 + math.exp(-(theta - b)))
            earned = float(sum(rng.random() < p for _ in range(int(most))))
            rows.append({"attempt_id": attempt.id, "position": pos, "question_version_id": vid,
                         "points": earned, "max_points": most, "response": {}, "parts": []})
    db.session.execute(insert(Response), rows)
    db.session.commit()
    # The statistics a live database's autovacuum would gather: the planner needs them to pick hash
    # joins and aggregates over 30,000 fresh rows (PostgreSQL's "Populating a Database" advice).
    for table in (Attempt.__tablename__, Response.__tablename__, Membership.__tablename__):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()
    return {"seeded": len(uids), "items": len(versions), "responses": len(rows)}


def main(argv: list[str]) -> int:
    """Seed and print what was inserted as JSON."""
    app = create_app()
    with app.app_context():
        print(json.dumps(seed(int(argv[0]), int(argv[1]), int(argv[2]), argv[3])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
