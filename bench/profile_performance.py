"""Profile the performance pages in process: where a request spends its time, 300 learners x 100 items.

`python -m bench.profile_performance [--pg] [--runs N] [--cprofile]` seeds `bench.perfseed`'s data
into a private database (a temporary SQLite file, or with `--pg` a database created and dropped on
postgresql://postgres@127.0.0.1:5432), puts a launch grant for a learner and an instructor in
two test-client sessions (what a launch leaves there), then loads My performance and the class
page N times each, three times over. It prints the median milliseconds per request and each
part's exclusive share: SQL on the cursor, the queries' own Python (SQLAlchemy and rows), the
identity check, the pure figures (performance.py), the view models, the SVG charts, Jinja and
the rest (Flask, session, headers). Other work on the machine moves absolute times; shares
and ratios are steadier.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LEARNERS, ITEMS, REPEATS = 300, 100, 3
ORDER = ("sql", "queries", "identity", "figures", "view", "svg", "jinja", "gc", "other")
WORDS = {"sql": "SQL on the cursor", "queries": "queries' Python (SQLAlchemy, rows)",
         "identity": "identity check (Python)", "figures": "pure figures (performance.py)",
         "view": "view models (performance_pages.py)", "svg": "SVG charts",
         "jinja": "Jinja rendering", "gc": "garbage collector (any part)",
         "other": "Flask, session, rest"}


class Clock:
    """Exclusive time per part: entering a part pauses the one it was called from."""

    def __init__(self) -> None:
        """No time yet."""
        self.spent: dict[str, float] = defaultdict(float)
        self.stack: list[list[Any]] = []  # [part, started]
        self.statements = 0

    def enter(self, part: str) -> None:
        """Start a part, pausing the enclosing one."""
        now = time.perf_counter()
        if self.stack:
            top = self.stack[-1]
            self.spent[top[0]] += now - top[1]
        self.stack.append([part, now])

    def leave(self) -> None:
        """End the innermost part and resume the enclosing one."""
        now = time.perf_counter()
        part, started = self.stack.pop()
        self.spent[part] += now - started
        if self.stack:
            self.stack[-1][1] = now

    def wrap(self, part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """The function, its time counted to a part."""
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(part)
            try:
                return fn(*args, **kwargs)
            finally:
                self.leave()
        return timed


def instrument(app: Flask, clock: Clock) -> None:
    """Count the parts of a request by patching the names the pages call (this process only)."""
    from course import identity
    from quizzes.reports import performance as perf
    from quizzes.reports import performance_pages as pages
    from quizzes.reports import performance_views as views

    # Names are wrapped where the pages look them up; a name a version lacks is skipped, so
    # the same script profiles an older commit (a git worktree) for a before/after.
    try:
        cohort: ModuleType = importlib.import_module("quizzes.reports.performance_cohort")
    except ImportError:
        cohort = pages
    parts = ((pages, "queries", ("own_answers", "cohort_answers", "learner_names")),
             (cohort, "queries", ("cohort_answers", "cohort_marker", "learner_names")),
             (pages, "svg", ("band_chart_svg", "trend_svg")),
             (pages, "view", ("_figures", "_study", "module_links", "label", "heat_cells")))
    for module, part, names in parts:
        for name in names:
            value = getattr(module, name, None)
            if value is not None and not hasattr(value, "__wrapped_part__"):
                timed = clock.wrap(part, value)
                timed.__wrapped_part__ = part  # type: ignore[attr-defined]
                setattr(module, name, timed)
    for name, value in list(vars(perf).items()):
        if callable(value) and getattr(value, "__module__", "") == perf.__name__ \
                and not isinstance(value, type):
            setattr(perf, name, clock.wrap("figures", value))
    identity.load_identity = clock.wrap("identity", identity.load_identity)
    views.render_template = clock.wrap("jinja", views.render_template)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine

    def before(*_: Any) -> None:
        """A statement goes to the database."""
        clock.statements += 1
        clock.enter("sql")

    def after(*_: Any) -> None:
        """The cursor has answered."""
        clock.leave()

    def collecting(phase: str, info: dict[str, Any]) -> None:
        """The collector runs inside whatever part allocated: count it on its own."""
        if phase == "start":
            clock.enter("gc")
        elif clock.stack and clock.stack[-1][0] == "gc":
            clock.leave()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    gc.callbacks.append(collecting)


@contextmanager
def database(pg: bool) -> Iterator[str]:
    """A private database URL: a temporary SQLite file, or a PostgreSQL database dropped after."""
    if not pg:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/profile.sqlite3"
        return
    import psycopg
    name = f"msc_profile_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        from sqlalchemy.orm import close_all_sessions
        close_all_sessions()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build(url: str, instance: str) -> tuple[Flask, int, str, str]:
    """The app with the schema, the shipped bank and a seeded course: (app, context id, subs)."""
    from bench import perfseed
    from course import create_app
    from course.db import db
    from course.models import Context, Membership, Registration, User
    from course.roles import INSTRUCTOR, LEARNER
    from quizzes.sync import sync_bank

    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url,
                      "CACHE_TYPE": "SimpleCache", "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        sync_bank()
        reg = Registration(issuer="https://profile.invalid", client_id="profile",
                           auth_login_url="https://profile.invalid/login",
                           auth_token_url="https://profile.invalid/token")
        db.session.add(reg)
        db.session.flush()
        context = Context(registration_id=reg.id, context_id="profile-course", title="Profile")
        db.session.add(context)
        db.session.flush()
        for sub, role in (("profile-learner", LEARNER), ("profile-teacher", INSTRUCTOR)):
            user = User(registration_id=reg.id, sub=sub, name=sub)
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, context_id=context.id, role=role))
        db.session.commit()
        cid = context.id
        print("seed:", perfseed.seed(cid, LEARNERS, ITEMS, "profile-learner"), file=sys.stderr)
    return app, cid, "profile-learner", "profile-teacher"


def signed_in(app: Flask, cid: int, sub: str, role: str) -> FlaskClient:
    """A test client whose session holds the grant a launch into the course leaves."""
    from sqlalchemy import select

    from course.db import db
    from course.models import User
    with app.app_context():
        uid = db.session.scalars(select(User.id).where(User.sub == sub)).one()
    client = app.test_client()
    now = int(time.time())
    with client.session_transaction() as session:
        session["grants"] = {str(cid): {"u": uid, "r": role, "l": "profile", "i": now, "s": now}}
    return client


def measure(client: FlaskClient, path: str, runs: int, clock: Clock,
            cold: bool = False) -> dict[str, float]:
    """Milliseconds per request for each part, and the total, over `runs` requests.

    Cold: the course's kept cohort figures are dropped before each request, as after a submission.
    """
    clock.spent.clear()
    clock.statements = 0
    started = time.perf_counter()
    for _ in range(runs):
        if cold:
            client.application.extensions.pop("quizzes.performance_cohort", None)
        clock.enter("other")
        response = client.get(path)
        clock.leave()
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    total = time.perf_counter() - started
    out = {part: 1000.0 * clock.spent.get(part, 0.0) / runs for part in ORDER}
    out["total"] = 1000.0 * total / runs
    out["statements"] = clock.statements / runs
    return out


def explain(app: Flask, client: FlaskClient, path: str, pg: bool) -> None:
    """Each statement one request sends, with the database's plan for it."""
    seen: list[tuple[str, Any]] = []
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        """Remember the statement and its parameters."""
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    app.extensions.pop("quizzes.performance_cohort", None)  # every statement, the cohort's too
    client.get(path)
    event.remove(engine, "before_cursor_execute", keep)
    prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if pg else "EXPLAIN QUERY PLAN "
    raw = engine.raw_connection()
    try:
        for statement, parameters in seen:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            plan = "\n    ".join(str(row[-1] if not pg else row[0]) for row in cursor.fetchall())
            print(f"\n  {' '.join(statement.split())[:300]}\n    {plan}")
    finally:
        raw.close()


def report(label: str, samples: list[dict[str, float]]) -> None:
    """The median of each part over the repeats, with its share of the request."""
    med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    spread = ", ".join(f"{s['total']:.1f}" for s in samples)
    print(f"\n{label}: {med['total']:.1f} ms per request (median of {len(samples)}: {spread}); "
          f"{med['statements']:.0f} SQL statements")
    for part in ORDER:
        print(f"  {WORDS[part]:<40} {med[part]:8.2f} ms  {100 * med[part] / med['total']:5.1f} %")


def main(argv: list[str]) -> int:
    """Seed, warm up, measure both pages and print the breakdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help="a private PostgreSQL database")
    parser.add_argument("--runs", type=int, default=20, help="requests per page per repeat")
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top 25")
    parser.add_argument("--explain", action="store_true",
                        help="also print each statement with its plan (PostgreSQL: EXPLAIN ANALYZE)")
    args = parser.parse_args(argv)
    from course.roles import INSTRUCTOR, LEARNER
    with database(args.pg) as url, tempfile.TemporaryDirectory() as instance:
        app, cid, learner_sub, teacher_sub = build(url, instance)
        clock = Clock()
        instrument(app, clock)
        pages = ((f"My performance ({LEARNERS} x {ITEMS})", f"/c/{cid}/quizzes/performance",
                  signed_in(app, cid, learner_sub, LEARNER)),
                 (f"Class performance ({LEARNERS} x {ITEMS})",
                  f"/c/{cid}/quizzes/instructor/performance",
                  signed_in(app, cid, teacher_sub, INSTRUCTOR)))
        print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}; {args.runs} requests per "
              f"page, {REPEATS} repeats; load average {os.getloadavg()[0]:.2f}")
        for label, path, client in pages:
            measure(client, path, 2, clock)  # warm-up: caches, compiled statements, templates
            report(label + ", cohort kept", [measure(client, path, args.runs, clock)
                                              for _ in range(REPEATS)])
            report(label + ", cohort rebuilt", [measure(client, path, args.runs, clock, cold=True)
                                                for _ in range(REPEATS)])
            if args.explain:
                explain(app, client, path, args.pg)
            if args.cprofile:
                profiler = cProfile.Profile()
                profiler.runcall(measure, client, path, args.runs, clock)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
