"""The in-process profiler's parts: a cProfile'd clock, SQL and Redis counters, and the report.

bench/profile_launch.py and bench/profile_submit.py drive them; each round's operations run under
`Timer`, which turns the profiler, the clock and the counters on only inside the calls it wraps.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from bench.platform import BenchPlatform

# Own time grouped by where the code lives; the groups add up to the whole.
GROUPS = (("sqlalchemy", "SQLAlchemy"), ("psycopg", "psycopg (PostgreSQL)"),
          ("sqlite3", "sqlite3"), ("redis", "redis-py"), ("jwt", "PyJWT"),
          ("cryptography", "cryptography (RSA)"), ("jwcrypto", "jwcrypto"),
          ("pylti1p3", "pylti1p3"), ("flask_limiter", "flask-limiter"), ("limits", "limits"),
          ("flask_caching", "flask-caching"), ("cachelib", "cachelib"),
          ("flask_wtf", "flask-wtf"), ("jinja2", "Jinja"), ("werkzeug", "Werkzeug"),
          ("flask", "Flask"), ("/course/", "course/"), ("/quizzes/", "quizzes/"),
          ("/modules/", "modules/"), ("logging", "logging"), ("json", "json"),
          ("socket", "sockets"), ("ssl", "ssl"))


@dataclass
class Sample:
    """One round against one app: seconds per operation, statements and round trips."""

    ms: float
    sql: float
    redis: float
    stats: pstats.Stats | None = None
    last: Counters | None = None  # what the round's last operation sent, for --show


@dataclass
class Counters:
    """SQL statements and Redis round trips seen while counting is on."""

    sql: list[str] = field(default_factory=list)
    redis: list[str] = field(default_factory=list)
    on: bool = True  # the Timer counts only what its timed calls send


@contextmanager
def counting(app: Flask, into: Counters) -> Iterator[None]:
    """Record every SQL statement of the app's engine and every Redis command or pipeline."""
    from course.db import db
    engine = None
    if "sqlalchemy" in app.extensions:  # the anchor has no database
        with app.app_context():
            engine = db.engine

    def sql(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        """One statement sent."""
        if into.on:
            into.sql.append(" ".join(statement.split())[:120])

    real_cmd, real_pipe = redis.Redis.execute_command, redis.client.Pipeline.execute

    def command(self: Any, *args: Any, **kwargs: Any) -> Any:
        """One Redis round trip (pipelines count once, below)."""
        if into.on:
            into.redis.append(str(args[0]) if args else "?")
        return real_cmd(self, *args, **kwargs)

    def pipeline(self: Any, *args: Any, **kwargs: Any) -> Any:
        """A pipeline is one round trip."""
        if into.on:
            into.redis.append("PIPELINE")
        return real_pipe(self, *args, **kwargs)

    if engine is not None:
        event.listen(engine, "before_cursor_execute", sql)
    redis.Redis.execute_command = command  # type: ignore[method-assign]
    redis.client.Pipeline.execute = pipeline  # type: ignore[method-assign]
    try:
        yield
    finally:
        if engine is not None:
            event.remove(engine, "before_cursor_execute", sql)
        redis.Redis.execute_command = real_cmd  # type: ignore[method-assign]
        redis.client.Pipeline.execute = real_pipe  # type: ignore[method-assign]


class Timer:
    """Adds up the seconds of the calls it wraps, profiling only those calls."""

    def __init__(self, profile: cProfile.Profile, seen: Counters) -> None:
        """Start at zero; count statements and round trips only inside timed calls."""
        self.seconds, self.profile, self.seen = 0.0, profile, seen
        seen.on = False

    def __call__(self, call: Callable[[], Any]) -> Any:
        """Run one request under the profiler, the clock and the counters."""
        began = time.perf_counter()
        self.seen.on = True
        self.profile.enable()
        try:
            return call()
        finally:
            self.profile.disable()
            self.seen.on = False
            self.seconds += time.perf_counter() - began


def one_round(app: Flask, platform: BenchPlatform, count: int, first: int,
              work: Callable[[FlaskClient, int, Timer], None]) -> Sample:
    """`count` operations through fresh clients, profiled and counted."""
    profile, seen = cProfile.Profile(), Counters()
    timer = Timer(profile, seen)
    with counting(app, seen):
        for n in range(first, first + count):
            sql, cached = len(seen.sql), len(seen.redis)
            work(app.test_client(), n, timer)
    last = Counters(seen.sql[sql:], seen.redis[cached:])
    return Sample(timer.seconds * 1000 / count, len(seen.sql) / count,
                  len(seen.redis) / count, pstats.Stats(profile), last)


# (file fragment, function name, label): a step of an operation, outermost first. An empty
# name takes the whole module: the largest cumulative time of its functions (its entry point).
Step = tuple[str, str, str]


def steps(stats: pstats.Stats, count: int, table: tuple[Step, ...],
          ) -> list[tuple[str, float, int]]:
    """(label, cumulative ms per operation, calls per operation) of each step seen."""
    raw: dict = stats.stats  # type: ignore[attr-defined]
    out = []
    for fragment, name, label in table:
        found = [(ct, nc) for (path, _line, func), (_cc, nc, _tt, ct, _callers) in raw.items()
                 if fragment in path and (not name or func == name)]
        if found:
            ct, nc = max(found)
            out.append((label, ct * 1000 / count, round(nc / count)))
    return out


def shares(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time per group of code, as shares of the whole, largest first."""
    own: Counter[str] = Counter()
    raw: dict = stats.stats  # type: ignore[attr-defined]
    for (path, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        label = next((lab for needle, lab in GROUPS if needle in path), "other")
        if path == "~":
            label = "C builtins"
        own[label] += tottime
    total = sum(own.values()) or 1.0
    return [(label, t / total) for label, t in own.most_common()]


def report(name: str, samples: list[Sample], top: int, show: bool = False,
           only: str = "") -> Sample:
    """Print the median round, its shares and its costliest functions; return the median."""
    median = sorted(samples, key=lambda s: s.ms)[len(samples) // 2]
    spread = ", ".join(f"{s.ms:.1f}" for s in samples)
    print(f"\n== {name}: median {median.ms:.1f} ms per operation (rounds: {spread}); "
          f"{median.sql:.1f} SQL statements, {median.redis:.1f} Redis round trips")
    assert median.stats is not None
    print("   own time by code: " + ", ".join(f"{label} {share:.0%}"
                                              for label, share in shares(median.stats)[:12]))
    if show and median.last is not None:
        print("   one operation's SQL:\n     " + "\n     ".join(median.last.sql))
        print("   one operation's Redis commands: " + ", ".join(median.last.redis))
    if top:
        median.stats.sort_stats("cumulative").print_stats(*([only] if only else []), top)
    return median


def options(prog: str, doc: str | None, per_round: str, count: int,
            top: int) -> argparse.ArgumentParser:
    """The options every in-process profiler takes; ``per_round`` names the count option."""
    parser = argparse.ArgumentParser(prog=prog, description=doc)
    parser.add_argument(f"--{per_round}", type=int, default=count, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=top, help="functions listed (0: none)")
    parser.add_argument("--only", default="", help="list only functions matching this regex")
    parser.add_argument("--show", action="store_true",
                        help="print one operation's SQL statements and Redis commands")
    return parser
