"""Where a launch (or a submission) spends its time, in one process, against bare pylti1p3.

`python -m bench.profile_launch [--launches 40] [--rounds 3] [--submit]`

The tool (wsgi's create_app) and the anchor (bench/pylti_anchor_app.py) run in this process
through Flask's test client against the bench platform, on their own PostgreSQL database
(msc_profile) and Redis database 1 under a fresh key prefix, else SQLite and the file cache.
Each round launches new learners into each app in turn under cProfile, counting SQL statements
and Redis round trips; the figures are the median of the rounds. The machine is shared, so
compare shares and ratios within a run, not milliseconds across runs. With --submit, the
learners then start the final quiz, answer its first question, and the submissions are
profiled the same way.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from bench.backends import REDIS_URL, Backends, reachable
from bench.learner import FormReader, csrf_token
from bench.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, BenchPlatform

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "msc_profile"  # not the bench's msc_bench: a bench may be running at the same time
COURSE = "profile-course-1"
QUIZ = "quiz-final-cases"
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


def _pg_url() -> str | None:
    """A fresh msc_profile database, or None when PostgreSQL cannot be reached."""
    if not reachable("127.0.0.1", 5432):
        return None
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"


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


def launch(client: FlaskClient, platform: BenchPlatform, sub: str,
           timed: Callable[[Callable[[], Any]], Any]) -> None:
    """OIDC login and the id_token POST; `timed` wraps the two requests, not the signing."""
    login = timed(lambda: client.get("/lti/login", query_string={
        "iss": ISSUER, "login_hint": sub, "target_link_uri": "http://localhost/lti/launch",
        "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT_ID}))
    if login.status_code != 302:
        raise RuntimeError(f"login answered {login.status_code}")
    auth = {k: v[0] for k, v in parse_qs(urlsplit(login.location).query).items()}
    token = platform.id_token(auth["nonce"], sub, COURSE, auth["redirect_uri"])
    done = timed(lambda: client.post(urlsplit(auth["redirect_uri"]).path,
                                     data={"id_token": token, "state": auth["state"]}))
    if done.status_code != 302:
        raise RuntimeError(f"launch answered {done.status_code}: {done.get_data(True)[:200]}")


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


def environment(tmp: Path) -> Backends:
    """The app's environment in this process: the profile database, Redis or the file cache."""
    url = _pg_url() or f"sqlite:///{tmp / 'profile.sqlite3'}"
    chosen = Backends(tmp, url, REDIS_URL if reachable("127.0.0.1", 6379) else None, True)
    os.environ.update(chosen.app_env())
    os.environ["DEMO_PLATFORM"] = "0"
    return chosen


def tool_app(platform: BenchPlatform) -> Flask:
    """The tool, migrated, with the bench platform registered."""
    from flask_migrate import upgrade

    from course import create_app
    app = create_app()
    with app.app_context():
        upgrade()
    done = app.test_cli_runner().invoke(args=platform.cli_args())
    if done.exit_code != 0:
        raise RuntimeError(f"lti add-platform failed: {done.output}")
    return app


def submit_work(platform: BenchPlatform, sub: int) -> Callable[[FlaskClient, int, Timer], None]:
    """Launch, start the final quiz, answer its first question, then time the submission."""
    def work(client: FlaskClient, n: int, timer: Timer) -> None:
        """One learner's submission."""
        launch(client, platform, f"profile-submitter-{sub + n:05d}", lambda call: call())
        cid = _course_id(client)
        page = client.get(f"/c/{cid}/quizzes/{QUIZ}/").get_data(True)
        token = csrf_token(page)
        start = client.post(f"/c/{cid}/quizzes/{QUIZ}/start", data={"csrf_token": token})
        attempt = urlsplit(start.location).path
        form = FormReader()
        form.feed(client.get(attempt + "?q=1").get_data(True))
        client.post(attempt, data={**form.answers(), "go": "save"})
        done = timer(lambda: client.post(attempt + "submit", data={"csrf_token": token}))
        if done.status_code != 302 or not done.location.endswith("/review"):
            raise RuntimeError(f"submit answered {done.status_code}")
    return work


def _course_id(client: FlaskClient) -> int:
    """The course this client launched into (the launch redirects to /c/<id>/)."""
    from course.db import db
    from course.models import Context
    with client.application.app_context():
        found = db.session.scalars(db.select(Context.id).where(Context.context_id == COURSE))
        return int(found.first() or 0)


def main(argv: list[str] | None = None) -> int:
    """Profile launches of the tool and the anchor (and submissions with --submit)."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_launch", description=__doc__)
    parser.add_argument("--launches", type=int, default=40, help="per round and app")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=20, help="functions listed per app (0: none)")
    parser.add_argument("--submit", action="store_true", help="profile submissions instead")
    parser.add_argument("--only", default="", help="list only functions matching this regex")
    parser.add_argument("--returning", action="store_true",
                        help="relaunch learners who launched before (the usual launch)")
    parser.add_argument("--show", action="store_true",
                        help="print one operation's SQL statements and Redis commands")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores), shared machine")
    with tempfile.TemporaryDirectory(prefix="msc-profile-") as tmp, BenchPlatform() as platform:
        chosen = environment(Path(tmp))
        print(f"database {chosen.database_kind}, cache {'Redis' if chosen.redis_url else 'files'}")
        app = tool_app(platform)
        from bench.pylti_anchor_app import create_app as anchor_create
        anchor = anchor_create({**os.environ, "BENCH_PLATFORM_URL": platform.base_url})

        def launches(on: Flask, prefix: str) -> Callable[[FlaskClient, int, Timer], None]:
            """New learners launching into `on`."""
            return lambda client, n, timer: launch(client, platform, f"{prefix}-{n:05d}", timer)

        warm = 5
        one_round(app, platform, warm, 0, launches(app, "warm"))
        one_round(anchor, platform, warm, 0, launches(anchor, "warm"))
        if args.submit:
            samples = [one_round(app, platform, args.launches, r * args.launches,
                                 submit_work(platform, 0)) for r in range(args.rounds)]
            report("Tool submission (final quiz, 1 question answered)", samples, args.top,
                   args.show, args.only)
            return 0
        tool: list[Sample] = []
        bare: list[Sample] = []
        if args.returning:  # the learners launch once first; every round relaunches them
            one_round(app, platform, args.launches, warm, launches(app, "tool"))
        for r in range(args.rounds):
            first = warm + (0 if args.returning else r * args.launches)
            tool.append(one_round(app, platform, args.launches, first, launches(app, "tool")))
            bare.append(one_round(anchor, platform, args.launches, first,
                                  launches(anchor, "anchor")))
        kind = "returning" if args.returning else "first"
        t = report(f"Tool launch ({kind})", tool, args.top, args.show, args.only)
        b = report("Bare pylti1p3 launch", bare, args.top, args.show, args.only)
        ratios = [y.ms / x.ms for x, y in zip(tool, bare)]
        print(f"\nbare / tool time per launch, per round: "
              f"{', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f} "
              f"(>= 1.0 means the tool costs at most the bare launch); medians {t.ms:.1f} ms "
              f"against {b.ms:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
