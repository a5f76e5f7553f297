"""Three `flask worker` processes drain one PostgreSQL outbox into a real HTTP AGS endpoint:
every score arrives exactly once (rows are claimed with FOR UPDATE SKIP LOCKED)."""
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from course.db import db, utcnow
from course.lti.ags import resource_id
from course.models import Membership
from quizzes.models import SENT, ScoreOutbox
from quizzes.sync import ensure_course_quizzes
from quizzes.taking import attempts
from tests.production.platform_web import Browser
from tests.production.stack import ROOT
from tests.quizzes.taking.test_attempts import answer_all

pytestmark = pytest.mark.slow

LEARNERS = 30  # x 2 quizzes = 60 rows: three claims of 20, one per worker when they overlap
WORKERS = 3
CONTEXT = "outbox-course"
WAIT_SECONDS = 180.0


def launch_learners(web: Any, servers: tuple[Any, Any]) -> int:
    """Launch every learner with AGS claims, alternating servers; returns the context id."""
    location = ""
    for n in range(LEARNERS):
        resp, _ = Browser().launch(web, login_on=servers[n % 2], launch_on=servers[1 - n % 2],
                                   user=f"learner-{n:02d}", context=CONTEXT)
        assert resp.status_code == 302, resp.text[:500]
        location = resp.headers["Location"]
    return int(re.search(r"/c/(\d+)/", location).group(1))


def queue_scores(app: Any, web: Any, cid: int) -> dict[str, str]:
    """Submit one attempt per learner and quiz, held back; returns {line item: quiz slug}."""
    with app.app_context():
        quizzes = ensure_course_quizzes(cid)[:2]
        learners = list(db.session.scalars(select(Membership.user_id).where(
            Membership.context_id == cid).order_by(Membership.user_id)))
        for quiz in quizzes:
            for n, user_id in enumerate(learners):
                attempt = attempts.start_attempt(quiz, user_id)
                answer_all(attempt, right=n % 2 == 0)
                attempts.submit_attempt(attempt.id)
        # Due tomorrow: nothing is sent until every worker is polling (release_scores).
        db.session.execute(update(ScoreOutbox).values(next_try_at=utcnow() + timedelta(days=1)))
        db.session.commit()
        # The teacher made the grade columns already, so no worker needs to create one.
        return {web.services.add_line_item(web.platform, CONTEXT, q.title, resource_id(q))["id"]:
                q.slug for q in quizzes}


def start_workers(stack: Any) -> list[tuple[subprocess.Popen[bytes], Path]]:
    """Start the workers, each naming its database connections so the test sees it connect."""
    started = []
    for n in range(WORKERS):
        env = stack.env(f"worker-{n}", DATABASE_URL=f"{stack.database_url}"
                        f"?application_name=msc-worker-{n}")
        out = stack.tmp / f"worker-{n}.out"
        with open(out, "wb") as sink:
            proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                                     "--interval", "0.5"], cwd=ROOT, env=env, stdout=sink,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        started.append((proc, out))
    return started


def wait_until(check: Any, what: str, workers: list[tuple[Any, Path]]) -> None:
    """Poll until check() is falsy; fail with what is left and the workers' output otherwise."""
    deadline = time.monotonic() + WAIT_SECONDS
    while left := check():
        for proc, out in workers:
            assert proc.poll() is None, f"worker exited: {out.read_text()[-1500:]}"
        assert time.monotonic() < deadline, (
            f"timed out waiting for {what}: {left}; worker output: "
            + " | ".join(out.read_text(errors="replace")[-600:] for _, out in workers))
        time.sleep(0.25)


def connected_workers(app: Any) -> int:
    """How many workers hold a connection to the database (they connect on their first pass)."""
    with app.app_context():
        count = db.session.scalar(text(
            "SELECT count(DISTINCT application_name) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name LIKE 'msc-worker-%'"))
        db.session.remove()
        return count or 0


def unsent(app: Any) -> Counter[tuple[str, str]]:
    """Outbox rows not sent yet, counted by status and last error."""
    with app.app_context():
        rows = db.session.execute(select(ScoreOutbox.status, ScoreOutbox.last_error)
                                  .where(ScoreOutbox.status != SENT)).all()
        db.session.remove()
        return Counter((status, (error or "")[:200]) for status, error in rows)


def stop(workers: list[tuple[subprocess.Popen[bytes], Path]]) -> list[str]:
    """SIGTERM each worker (it finishes its pass and exits 0); returns their output."""
    for proc, _ in workers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    outputs = []
    for proc, out in workers:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        outputs.append(out.read_text(errors="replace"))
        assert proc.returncode == 0, outputs[-1][-1500:]
    return outputs


def test_three_workers_deliver_every_score_exactly_once(stack, servers, web):
    cid = launch_learners(web, servers)
    line_items = queue_scores(stack.app, web, cid)
    workers = start_workers(stack)
    try:
        wait_until(lambda: WORKERS - connected_workers(stack.app), "the workers to connect",
                   workers)
        with stack.app.app_context():  # release every score at once: the workers race for them
            db.session.execute(update(ScoreOutbox).values(next_try_at=utcnow()))
            db.session.commit()
            db.session.remove()
        wait_until(lambda: unsent(stack.app), "every score to be sent", workers)
    finally:
        outputs = stop(workers)

    posts = Counter((s["userId"], s["lineitem"]) for s in web.services.received
                    if s["lineitem"] in line_items)
    expected = {(f"learner-{n:02d}", item) for n in range(LEARNERS) for item in line_items}
    assert set(posts) == expected  # none lost
    assert set(posts.values()) == {1}  # none sent twice
    given = {(s["userId"], s["lineitem"]): s["scoreGiven"] for s in web.services.received}
    assert all(given[(f"learner-{n:02d}", item)] == (100.0 if n % 2 == 0 else 0.0)
               for n in range(LEARNERS) for item in line_items)
    reported = [sum(int(x) for x in re.findall(r"scores sent=(\d+)", out)) for out in outputs]
    assert sum(reported) == len(expected), reported  # each worker counted only its own sends
