"""Where one Submit POST spends its time, in one process, step by step (issue 18's storm).

`python -m bench.profile_submit [--submits 20] [--rounds 3] [--show] [--top 0] [--plain] [--floor]`

With --plain it also times rounds of Submit POSTs without the profiler (wall clock only), and
the storm anchor's POST (bench/storm_anchor_app.py: the bare write) the same way, in turns.
With --floor it profiles the anchor's POST the same way as the tool's and prints the two
side by side, own time by code (the floor: what the bare write pays for too).

The same flow as `bench.profile_launch --submit` (learners launch, start the final quiz, answer
its first question; only the Submit POST is timed and profiled), on its own PostgreSQL database
(msc_profile_storm, so a launch profile may run beside it) and Redis database 1 under a fresh
key prefix, else SQLite and the file cache. Per submission it prints the time, SQL statements,
Redis round trips and Python function calls (load-independent), and the cumulative time of
each step of the submit path, from the median round's profile.
"""
from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.backends import REDIS_URL, Backends, fresh_database, reachable
from bench.platform import BenchPlatform
from bench.profile_common import (
    GROUPS,
    Counters,
    Sample,
    Timer,
    one_round,
    options,
    report,
    shares,
    steps,
)
from bench.profile_launch import launch, submit_work, tool_app

PG_DB = "msc_profile_storm"

# (file fragment, function name, label): the steps of a Submit POST, outermost first.
STEPS = (
    ("flask/app.py", "wsgi_app", "whole request (Flask)"),
    ("flask_wtf/csrf.py", "protect", "CSRF check"),
    ("course/identity.py", "wrapper", "course_view (identity and the view)"),
    ("quizzes/taking/attempts.py", "submit_attempt", "submit_attempt"),
    ("quizzes/taking/attempts.py", "_claim", "  the claim (UPDATE ... RETURNING)"),
    ("quizzes/taking/attempts.py", "_score_all", "  _score_all (before issue 18's storm cut)"),
    ("quizzes/taking/attempt_layout.py", "saved_responses", "    saved responses read"),
    ("quizzes/taking/attempts.py", "_versions", "    question versions read"),
    ("quizzes/taking/submission.py", "score_attempt", "  score_attempt"),
    ("quizzes/taking/submission.py", "_answers", "    versions and answers read"),
    ("sqlalchemy/orm/session.py", "flush", "  ORM flush (all)"),
    ("quizzes/scores/outbox.py", "enqueue_grade", "  outbox.enqueue_grade"),
    ("quizzes/scores/outbox.py", "_learner_rows", "    its read (before the grade moved to the sender)"),
    ("quizzes/scores/outbox.py", "_insert", "    its INSERT"),
    ("quizzes/review/schedule_store.py", "record", "  review.record (upsert)"),
    ("sqlalchemy/orm/session.py", "commit", "commit (all)"),
    ("psycopg/connection.py", "wait", "waiting on PostgreSQL (psycopg wait, all)"),
    ("flask_session", "save_session", "session save"),
    ("course/security.py", "", "security headers (course/security.py, all)"),
    ("logging/__init__.py", "handle", "logging"),
)


# The anchor's POST (bench/storm_anchor_app.py), the same way: what the bare write pays for.
ANCHOR_STEPS = (
    ("flask/app.py", "wsgi_app", "whole request (Flask)"),
    ("bench/storm_anchor_app.py", "submit", "the view"),
    ("sqlalchemy/engine/base.py", "execute", "  its 3 statements (Connection.execute)"),
    ("sqlalchemy/orm/session.py", "commit", "commit (all)"),
    ("psycopg/connection.py", "wait", "waiting on PostgreSQL (psycopg wait, all)"),
    ("werkzeug/test.py", "run_wsgi_app", "Werkzeug test client around the app"),
)


class _NoProfile:
    """Stands in for cProfile in a Timer: the clock only."""

    def enable(self) -> None:
        """Nothing to start."""

    def disable(self) -> None:
        """Nothing to stop."""


def plain_tool(app: Flask, platform: BenchPlatform, count: int, first: int,
               took: dict[str, list[float]] | None = None) -> float:
    """ms per Submit POST over `count` learners, without the profiler.

    With `took`, each statement's time from send to result (the driver's call) is added under
    its first words, so the waiting on PostgreSQL can be split by statement.
    """
    seen = Counters()
    timer = Timer(_NoProfile(), seen)  # type: ignore[arg-type]
    work = submit_work(platform, 0)
    began: list[float] = []

    def before(*_args: Any) -> None:
        """A statement goes out."""
        began.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """Its result came back."""
        if took is not None and seen.on and began:
            key = " ".join(statement.split()[:3])[:60]
            took.setdefault(key, []).append((time.perf_counter() - began.pop()) * 1000 / count)
        began.clear()

    from course.db import db
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for n in range(first, first + count):
            work(app.test_client(), n, timer)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return timer.seconds * 1000 / count


def plain_anchor(url: str, count: int, responses: int,
                 profile: cProfile.Profile | None = None,
                 took: dict[str, list[float]] | None = None) -> float:
    """ms per POST of the storm anchor (the bare write) over `count` fresh attempts.

    With `profile`, only the POSTs run under it; with `took`, each statement's time from send
    to result is added under its first words, as plain_tool does for the tool.
    """
    from bench import storm_anchor_app
    storm_anchor_app.prepare(url, count)
    os.environ.update(BENCH_BASELINE_DB=url, BENCH_STORM_RESPONSES=str(responses))
    app = storm_anchor_app.create_app()
    client = app.test_client()
    client.post("/c/1/quizzes/attempts/1/submit")  # warm; attempt 1 is not timed
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    began: list[float] = []
    timing = [False]

    def before(*_args: Any) -> None:
        """A statement goes out."""
        began.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        """Its result came back."""
        if took is not None and timing[0] and began:
            key = " ".join(statement.split()[:3])[:60]
            took.setdefault(key, []).append((time.perf_counter() - began.pop()) * 1000)
        began.clear()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    seconds = 0.0
    try:
        for aid in range(2, count + 1):
            timing[0], start = True, time.perf_counter()
            if profile is not None:
                profile.enable()
            answer = client.post(f"/c/1/quizzes/attempts/{aid}/submit")
            if profile is not None:
                profile.disable()
            seconds += time.perf_counter() - start
            timing[0] = False
            if answer.status_code != 302:
                raise RuntimeError("the anchor did not answer 302")
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return seconds * 1000 / (count - 1)


def by_code(stats: pstats.Stats, count: int) -> dict[str, tuple[float, float]]:
    """Own time (ms) and calls per operation of each group of code (profile_common.GROUPS)."""
    raw: dict = stats.stats  # type: ignore[attr-defined]
    total = sum(tottime for (_cc, _nc, tottime, _ct, _callers) in raw.values()) * 1000 / count
    calls: dict[str, float] = {}
    for (path, _line, _name), (_cc, nc, _tt, _ct, _callers) in raw.items():
        label = "C builtins" if path == "~" else next(
            (lab for needle, lab in GROUPS if needle in path), "other")
        calls[label] = calls.get(label, 0.0) + nc / count
    return {label: (share * total, calls.get(label, 0.0)) for label, share in shares(stats)}


def floor(tool: Sample, url: str, count: int, rounds: int) -> None:
    """The anchor's own profile beside the tool's: where each spends its time, by code."""
    samples = []
    for _ in range(rounds):
        profile = cProfile.Profile()
        ms = plain_anchor(url, count + 1, 18, profile)
        samples.append(Sample(ms, 3.0, 0.0, pstats.Stats(profile)))
    anchor = report("Storm anchor POST (bare write), under cProfile", samples, 0)
    assert anchor.stats is not None and tool.stats is not None
    calls = anchor.stats.total_calls / count  # type: ignore[attr-defined]
    print(f"   Python function calls per POST: {calls:.0f}")
    for label, ms, nc in steps(anchor.stats, count, ANCHOR_STEPS):
        print(f"     {label:<44} {ms:7.2f} ms  x{nc}")
    mine, bare = by_code(tool.stats, count), by_code(anchor.stats, count)
    print("\n== Own time (ms) and Python calls per POST by code, under cProfile (median rounds):"
          "\n     code                   tool ms  anchor ms  difference   tool calls  anchor calls")
    none = (0.0, 0.0)
    for label in sorted(set(mine) | set(bare), key=lambda k: -mine.get(k, none)[0]):
        (t, tc), (b, bc) = mine.get(label, none), bare.get(label, none)
        print(f"     {label:<22} {t:7.2f} {b:10.2f} {t - b:+11.2f} {tc:12.0f} {bc:13.0f}")
    t, b = sum(v[0] for v in mine.values()), sum(v[0] for v in bare.values())
    tc, bc = sum(v[1] for v in mine.values()), sum(v[1] for v in bare.values())
    print(f"     {'all':<22} {t:7.2f} {b:10.2f} {t - b:+11.2f} {tc:12.0f} {bc:13.0f}")


def main(argv: list[str] | None = None) -> int:
    """Profile Submit POSTs of the final quiz with one question answered."""
    parser = options("python -m bench.profile_submit", __doc__, "submits", 20, 0)
    parser.add_argument("--plain", action="store_true",
                        help="also time submissions and the anchor without the profiler")
    parser.add_argument("--floor", action="store_true",
                        help="also profile the anchor's POST and compare it with the tool's")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores), shared machine")
    with tempfile.TemporaryDirectory(prefix="msc-profile-storm-") as tmp, \
            BenchPlatform() as platform:
        url = (fresh_database(PG_DB) if reachable("127.0.0.1", 5432)
               else f"sqlite:///{Path(tmp) / 'profile.sqlite3'}")
        chosen = Backends(Path(tmp), url, REDIS_URL if reachable("127.0.0.1", 6379) else None,
                          True)
        os.environ.update(chosen.app_env())
        os.environ["DEMO_PLATFORM"] = "0"
        print(f"database {chosen.database_kind}, cache {'Redis' if chosen.redis_url else 'files'}")
        app = tool_app(platform)
        for n in range(3):  # warm: imports, statement caches, the bank sync
            launch(app.test_client(), platform, f"warm-{n}", lambda call: call())
        one_round(app, platform, 3, 10_000, submit_work(platform, 0))
        samples: list[Sample] = [one_round(app, platform, args.submits, r * args.submits,
                                           submit_work(platform, 0))
                                 for r in range(args.rounds)]
        median = report("Submit POST (final quiz, 1 question answered)", samples, args.top,
                        args.show, args.only)
        assert median.stats is not None
        calls = median.stats.total_calls / args.submits  # type: ignore[attr-defined]
        print(f"   Python function calls per submission: {calls:.0f}")
        print("   steps (cumulative ms per submission, calls per submission):")
        for label, ms, nc in steps(median.stats, args.submits, STEPS):
            print(f"     {label:<44} {ms:7.2f} ms  x{nc}")
        if args.floor:
            floor(median, chosen.database_url, args.submits, args.rounds)
        if args.plain:
            tool, bare = [], []
            took: list[dict[str, list[float]]] = []
            took_bare: list[dict[str, list[float]]] = []
            for r in range(args.rounds):  # in turns, so a change in load hits both
                took.append({})
                tool.append(plain_tool(app, platform, args.submits, 20_000 + r * args.submits,
                                       took[-1]))
                took_bare.append({})
                bare.append(plain_anchor(chosen.database_url, args.submits + 1, 18,
                                         took=took_bare[-1]))
            print(f"\n== Without the profiler, ms per POST (median of {args.rounds} rounds of "
                  f"{args.submits}): tool Submit {statistics.median(tool):.2f} "
                  f"({', '.join(f'{x:.1f}' for x in tool)}); storm anchor "
                  f"{statistics.median(bare):.2f} ({', '.join(f'{x:.1f}' for x in bare)}); "
                  f"ratio {statistics.median(t / b for t, b in zip(tool, bare)):.2f}; "
                  f"load average now {os.getloadavg()[0]:.2f}")
            print("   each statement, send to result, ms per submission (sum over a round, "
                  "median of the rounds):")
            for key in took[0]:
                per_round = [sum(one.get(key, [0.0])) for one in took]
                print(f"     {statistics.median(per_round):6.2f}  {key}")
            print("   the anchor's statements, the same way:")
            for key in took_bare[0]:
                per_round = [sum(one.get(key, [0.0])) / args.submits for one in took_bare]
                print(f"     {statistics.median(per_round):6.2f}  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
