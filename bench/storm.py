"""The submission storm: N launched learners submit the final quiz at once, then the outbox is
drained by `flask --app wsgi worker --once` to the bench platform's AGS endpoint, which
records every score POST so lost and duplicated scores can be counted."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench import cpu, storm_anchor_app
from bench.backends import ROOT
from bench.burst import burst
from bench.context import Run
from bench.launch_runs import THREADS, launch_many
from bench.learner import TIMEOUT, Learner
from bench.load import percentile
from bench.report import Figure, missing
from bench.server import Gunicorn

QUIZ = "quiz-final-cases"
SUBMIT_P99_TARGET_MS = 1000.0
DRAIN_TIMEOUT = 240


@dataclass
class Storm:
    """What the storm did, seen from the learners' side."""

    ready: list[tuple[Learner, int, str]] = field(default_factory=list)  # learner, aid, token
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    answered: int = 0  # attempts whose first question was answered and saved
    finished: list[float] = field(default_factory=list)  # perf_counter when each answer came
    released: float = 0.0  # perf_counter when the barrier let everyone go
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by part (bench/cpu.py)

    @property
    def wall(self) -> float | None:
        """Seconds from the release to the last answer."""
        return max(self.finished) - self.released if self.finished else None
    errors: list[str] = field(default_factory=list)


def _learners(run: Run, size: int) -> list[Learner]:
    """`size` launched learners: those the launch benchmark made, plus more when needed."""
    learners = list(run.learners[:size])
    if len(learners) < size:
        more = launch_many(run.app_url, run.platform, 120.0, limit=size - len(learners),
                           start=run.next_sub)
        run.next_sub += size + THREADS
        learners += more.learners
        if more.failures:  # an empty storm must say why
            run.notes.append(f"storm: {len(more.failures)} launches failed, "
                             f"e.g. {more.failures[0]}")
    return learners[:size]


def _prepare(learner: Learner) -> tuple[tuple[Learner, int, str], bool]:
    """Start the quiz and answer its first question; Submit will post the session's token."""
    # New connections after each wait: a gthread worker closes a kept-alive connection after
    # 2 idle seconds, and the learner waited longer since its launch and will at the barrier;
    # a browser would resend on such a connection, requests does not.
    learner.http.close()
    aid = learner.start_attempt(QUIZ)
    answered = learner.answer_first(aid)
    learner.http.close()
    return (learner, aid, learner.token), answered


def run_storm(run: Run, size: int) -> Storm:
    """Prepare every attempt, then release all submissions at the same moment."""
    storm = Storm()
    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(_prepare, x) for x in _learners(run, size)]:
            try:
                item, answered = future.result(timeout=120)
            except Exception as exc:  # counted; the storm goes on with who is ready
                storm.errors.append(f"prepare: {exc.__class__.__name__}: {exc}"[:200])
                continue
            storm.ready.append(item)
            storm.answered += answered
    return release(storm, run.app_group)


def release(storm: Storm, group: int | None = None) -> Storm:
    """Let every ready learner press Submit at the same moment; time each answer from then.

    With the server's process group, also read the CPU it and the database and cache spent
    from just before the release to the last answer (the burst's own client is not counted).
    """
    if not storm.ready:
        return storm
    where = urlsplit(storm.ready[0][0].root)
    sent = [learner.submit_request(aid, token) for learner, aid, token in storm.ready]
    before = cpu.snapshot(group) if group else None
    storm.released, answers = burst(where.hostname or "127.0.0.1", where.port or 80, sent,
                                    timeout=TIMEOUT)
    storm.cpu = cpu.spent(before, cpu.snapshot(group) if group else None)
    for answer in answers:
        if answer.error:  # a timeout or reset is a failed submission, not a crash
            storm.errors.append(f"submit: {answer.error}")
            continue
        storm.latencies.append(answer.took)
        storm.finished.append(storm.released + answer.took)
        storm.ok += answer.status == 302 and answer.location.endswith("/review")
    return storm


def _flask(run: Run, *args: str, timeout: float = DRAIN_TIMEOUT) -> subprocess.CompletedProcess:
    """A `flask --app wsgi` (or python -m) command in the app's environment."""
    return subprocess.run([sys.executable, *args], env=run.app_env, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def drain(run: Run) -> tuple[float, str]:
    """One `flask --app wsgi worker --once` pass: (seconds, what it printed)."""
    began = time.perf_counter()
    done = _flask(run, "-m", "flask", "--app", "wsgi", "worker", "--once")
    said = (done.stdout.strip() or done.stderr.strip()[-300:] or "(nothing)")
    return time.perf_counter() - began, said


def db_counts(run: Run, prefix: str = "bench-learner-") -> dict:
    """Submitted attempts and outbox statuses for the storm learners, from the database."""
    done = _flask(run, "-m", "bench.appquery", QUIZ, prefix, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"appquery failed: {done.stderr[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(run: Run, prefix: str = "bench-learner-", anchor: bool = True) -> list[Figure]:
    """Submit N attempts at once, drain the outbox, count delivered, lost and duplicated.

    `prefix` names the storm's learners in the database (the matrix gives each storm its own);
    with `anchor`, the same storm then goes to the bare write (bench/storm_anchor_app.py).
    """
    size = run.plan.storm_size
    storm = run_storm(run, size)
    if storm.errors:
        run.notes.append(f"storm: {len(storm.errors)} errors, e.g. {storm.errors[0]}")
    seconds, said = drain(run)
    after = db_counts(run, prefix)
    subs = {learner.sub for learner, _, _ in storm.ready}
    posts = run.platform.recorder.score_posts(subs)
    waiting = sum(n for s, n in after["outbox"].items() if s in ("pending", "sending"))
    delivered = len(posts)
    submitted = after["submitted"]
    lost = max(0, submitted - delivered - waiting) + max(0, storm.ok - submitted)
    duplicated = sum(n - 1 for n in posts.values() if n > 1)
    run.notes.append(f"storm: {storm.answered} of {len(storm.ready)} attempts had question 1 "
                     f"answered; outbox after the drain {after['outbox']}; "
                     f"worker said: {said[:200]}")
    p99 = percentile(storm.latencies, 99)
    figures = [
        Figure("storm_attempts", "Storm: attempts submitted at once", len(storm.ready)),
        Figure("storm_submitted", "Storm: attempts recorded as submitted", submitted),
        Figure("storm_submit_errors", "Storm: submissions refused or failed",
               len(storm.ready) - storm.ok),
        Figure("storm_submit_p50_ms", "Storm: submission p50",
               _ms(percentile(storm.latencies, 50)), "ms"),
        Figure("storm_submit_p99_ms", "Storm: submission p99", _ms(p99), "ms",
               f"< {SUBMIT_P99_TARGET_MS:.0f} ms",
               met=None if p99 is None else p99 * 1000 < SUBMIT_P99_TARGET_MS),
        Figure("storm_submit_wall_s", "Storm: release to last answer", storm.wall, "s"),
        Figure("storm_submit_rate", "Storm: submissions answered per second",
               len(storm.latencies) / storm.wall if storm.wall else None, "/s"),
        Figure("storm_delivered", "Storm: scores delivered to AGS", delivered),
        Figure("storm_waiting", "Storm: scores still queued (retry scheduled)", waiting),
        Figure("storm_lost", "Storm: scores lost", lost, "", "0", met=lost == 0),
        Figure("storm_duplicated", "Storm: scores duplicated", duplicated, "", "0",
               met=duplicated == 0),
        Figure("storm_drain_s", "Storm: outbox drain time (worker --once)", seconds, "s"),
        # The Submit leaves the spaced-review schedule to the worker's pass, which also ran.
        Figure("storm_unscheduled", "Storm: submissions not in the review schedule after the drain",
               after.get("unscheduled"), "", "0", met=after.get("unscheduled") == 0),
    ]
    figures += _cpu_figures("storm", "Storm", storm)
    if anchor:
        figures += _anchor_figures(run, len(storm.ready), p99, storm)
    return figures


def _cpu_figures(key: str, label: str, storm: Storm) -> list[Figure]:
    """Server CPU per answered submission: all of it, and the gunicorn workers' part."""
    count = len(storm.latencies)
    return [Figure(f"{key}_cpu_ms", f"{label}: server CPU per submission (workers + PostgreSQL "
                   "+ Redis)", cpu.per_operation_ms(storm.cpu, count), "ms"),
            Figure(f"{key}_cpu_workers_ms", f"{label}: CPU per submission in the gunicorn workers",
                   cpu.per_operation_ms(storm.cpu, count, "app"), "ms")]


ANCHOR = "Storm anchor (bare Flask + SQLAlchemy write)"


def responses_per_attempt(run: Run) -> int:
    """How many response rows the tool wrote for its newest submitted attempt at the storm's quiz
    (one per question), read from the database: the anchor writes as many."""
    from sqlalchemy import create_engine, text

    from bench.baseline_app import sqlalchemy_url
    engine = create_engine(sqlalchemy_url(run.backends.database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM quiz_response WHERE attempt_id = (SELECT max(id) FROM "
                "quiz_attempt WHERE state = 'submitted' AND quiz_id IN "
                "(SELECT id FROM quiz WHERE slug = :slug))"), {"slug": QUIZ}).scalar_one())
    finally:
        engine.dispose()


def run_anchor(run: Run, size: int, per_attempt: int) -> tuple[Storm, tuple[int, int, int]]:
    """The same release of `size` submissions against the anchor, under the same gunicorn
    settings; also what it recorded (attempts, responses, score rows)."""
    url = run.backends.database_url
    storm_anchor_app.prepare(url, size)
    env = {**run.app_env, "BENCH_STORM_RESPONSES": str(per_attempt)}
    with Gunicorn("bench.storm_anchor_app:app", env, run.log_dir, "storm-anchor",
                  "/healthz") as server:
        storm = Storm()
        for aid in range(1, size + 1):
            learner = Learner(server.base_url, run.platform, f"anchor-{aid}", "")
            learner.cid = 1
            storm.ready.append((learner, aid, ""))
        release(storm, server.group)
    return storm, storm_anchor_app.recorded(url)


def _anchor_figures(run: Run, size: int, tool_p99: float | None, tool: Storm) -> list[Figure]:
    """The anchor storm's figures, and the tool's p99 and server CPU as ratios to the anchor's."""
    if not size:
        return anchor_unavailable("the tool's storm had no learners")
    try:
        per_attempt = responses_per_attempt(run)
        storm, (done, answers, rows) = run_anchor(run, size, per_attempt)
    except Exception as exc:  # the tool's figures stand without the anchor
        return anchor_unavailable(f"{exc.__class__.__name__}: {exc}"[:120])
    if storm.errors:
        run.notes.append(f"storm anchor: {len(storm.errors)} errors, e.g. {storm.errors[0]}")
    run.notes.append(f"storm anchor: {done} of {size} attempts recorded, {answers} response "
                     f"rows ({per_attempt} per attempt), {rows} score rows")
    p99 = percentile(storm.latencies, 99)
    mine = cpu.per_operation_ms(tool.cpu, len(tool.latencies))
    bare = cpu.per_operation_ms(storm.cpu, len(storm.latencies))
    return [
        Figure("storm_anchor_recorded", f"{ANCHOR}: attempts recorded", done),
        Figure("storm_anchor_responses_per_attempt", f"{ANCHOR}: response rows per attempt",
               per_attempt),
        Figure("storm_anchor_submit_p50_ms", f"{ANCHOR}: submission p50",
               _ms(percentile(storm.latencies, 50)), "ms"),
        Figure("storm_anchor_submit_p99_ms", f"{ANCHOR}: submission p99", _ms(p99), "ms"),
        Figure("storm_anchor_submit_rate", f"{ANCHOR}: submissions answered per second",
               len(storm.latencies) / storm.wall if storm.wall else None, "/s"),
        Figure("storm_p99_vs_anchor", "Storm: tool p99 / anchor p99 (1.0 = the bare write)",
               tool_p99 / p99 if tool_p99 and p99 else None, "x"),
        *_cpu_figures("storm_anchor", ANCHOR, storm),
        # Steadier than the p99s' ratio: the burst's client and the queue's order are left out.
        Figure("storm_cpu_vs_anchor", "Storm: tool CPU / anchor CPU per submission",
               mine / bare if mine and bare else None, "x"),
    ]


def _ms(seconds: float | None) -> float | None:
    """Seconds to milliseconds, keeping None."""
    return None if seconds is None else seconds * 1000


STORM_KEYS = ("storm_attempts", "storm_submitted", "storm_submit_errors", "storm_submit_p50_ms",
              "storm_submit_p99_ms", "storm_submit_wall_s", "storm_submit_rate",
              "storm_delivered", "storm_waiting", "storm_lost", "storm_duplicated",
              "storm_drain_s", "storm_unscheduled", "storm_cpu_ms", "storm_cpu_workers_ms")


ANCHOR_KEYS = ("storm_anchor_recorded", "storm_anchor_responses_per_attempt",
               "storm_anchor_submit_p50_ms", "storm_anchor_submit_p99_ms",
               "storm_anchor_submit_rate", "storm_p99_vs_anchor", "storm_anchor_cpu_ms",
               "storm_anchor_cpu_workers_ms", "storm_cpu_vs_anchor")


def anchor_unavailable(reason: str) -> list[Figure]:
    """Every anchor figure as n/a."""
    return [missing(key, key.replace("_", " "), reason) for key in ANCHOR_KEYS]


def unavailable(reason: str) -> list[Figure]:
    """Every storm figure as n/a, when the storm could not run."""
    return [missing(key, key.replace("_", " "), reason) for key in STORM_KEYS + ANCHOR_KEYS]
