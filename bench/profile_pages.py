"""Where a learner page's time goes: the three learner pages and the bare baseline, in process.

`python -m bench.profile_pages [--pg] [-n 200] [--repeat 3]` launches a learner through the bench
platform with the Flask test client, then for each page (and the baseline app's page) runs N
timed requests without a profiler (requests/s in process; the ratio to the baseline uses N
baseline requests timed just before), and N more under cProfile. Each function's own time
(cProfile's tottime) is put in one group by its module or name (GROUPS, first match wins), so
the groups are exclusive and add up to the whole; the cumulative times of a few entry points
(MARKERS) are printed beside them as a cross-check. Figures are medians of --repeat runs.
SQLite and the file cache by default; --pg uses a private PostgreSQL database (created and
dropped) and Redis database 2.
"""
from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.learner import csrf_token
from bench.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, BenchPlatform

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DB2 = "redis://127.0.0.1:6379/2"
# (group, pattern on "file:function"); first match wins. Driver time is the database's answer
# plus the driver; SQLAlchemy is split into the ORM (object building, identity map, unit of
# work) and Core (compiling, executing, result rows, pool).
GROUPS: list[tuple[str, re.Pattern[str]]] = [(name, re.compile(pat)) for name, pat in (
    ("SQL execute (driver)", r"sqlite3|psycopg|method 'execute' of|method 'fetch|select\.poll"
                             r"|method 'poll'|_socket"),
    ("ORM object building", r"sqlalchemy/orm/"),
    ("SQLAlchemy Core", r"sqlalchemy/"),
    ("Markdown", r"markdown_it/|nh3|course/markdown\.py|mdurl/|linkify"),
    ("CSRF", r"flask_wtf/|wtforms/"),
    ("session (de)serialisation", r"flask/sessions\.py|itsdangerous/|zlib|base64|hmac|hashlib"
                                  r"|_hashlib|course/session_lifetime\.py|course/cookieless\.py"),
    ("logging", r"logging/|course/logs\.py"),
    ("headers/CSP", r"course/security\.py"),
    ("url_for and routing", r"werkzeug/routing/|flask/helpers\.py:\d+\(url_for\)"
                            r"|app\.py:\d+\(url_for\)|url_defaults|url_value_preprocessor"),
    ("Jinja render", r"jinja2/|markupsafe|\.html:|<template>|templates/"),
    ("JSON", r"json/"),
    ("identity", r"course/identity\.py"),
    ("Flask/Werkzeug request", r"flask/|werkzeug/|flask_limiter/|limits/"),
    ("app code", r"/work/main/(course|modules|quizzes|exports)/"),
)]
MARKERS = {"render_template": r"templating\.py:\d+\(render_template\)",
           "SQL do_execute": r"default\.py:\d+\(do_execute\)",
           "load_identity": r"identity\.py:\d+\(load_identity\)",
           "generate_csrf": r"csrf\.py:\d+\(generate_csrf\)",
           "url_for": r"app\.py:\d+\(url_for\)",
           "save_session": r"sessions\.py:\d+\(save_session\)",
           "open_session": r"sessions\.py:\d+\(open_session\)",
           "render_markdown/inline": r"markdown\.py:\d+\(render_(markdown|inline)\)"}


def environment(pg: bool) -> tuple[str, str | None, str]:
    """Set the app's environment (production-like, like the bench); returns (db url, redis, dir)."""
    instance = tempfile.mkdtemp(prefix="msc-profile-")
    url, redis = f"sqlite:///{instance}/profile.sqlite3", None
    if pg:
        import psycopg
        name = f"msc_profile_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url, redis = f"postgresql://postgres@127.0.0.1:5432/{name}", REDIS_DB2
    for key in [k for k in os.environ if k.startswith(("FLASK_", "DATABASE_", "REDIS_", "TEST_"))]:
        del os.environ[key]
    os.environ.update({"DEMO_PLATFORM": "1", "SECRET_KEY": secrets.token_hex(32), "LOG_JSON": "1",
                       "PREFERRED_URL_SCHEME": "http", "INSTANCE_PATH": instance,
                       "DATABASE_URL": url, "BENCH_BASELINE_DB": url,
                       "CACHE_KEY_PREFIX": f"msc-profile-{secrets.token_hex(4)}:"})
    os.environ.update({n: "1000000 per minute" for n in (
        "RATELIMIT_LOGIN", "RATELIMIT_LAUNCH", "RATELIMIT_IMPORT", "RATELIMIT_RENDER")})
    os.environ.pop("APP_ENV", None)
    if redis:
        os.environ["REDIS_URL"] = redis
    return url, redis, instance


def drop_database(url: str) -> None:
    """Drop the private PostgreSQL database this run created."""
    import psycopg
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def quiet_logs() -> None:
    """Keep the JSON log handler (its cost counts) but write to /dev/null, not the terminal."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the run


def launch(client: Any, platform: BenchPlatform, sub: str, course: str) -> int:
    """OIDC login and id_token POST through the test client; returns the context id."""
    resp = client.get("/lti/login", query_string={
        "iss": ISSUER, "login_hint": sub, "target_link_uri": "http://localhost/lti/launch",
        "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT_ID})
    auth = {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["Location"]).query).items()}
    token = platform.id_token(auth["nonce"], sub, course, auth["redirect_uri"])
    resp = client.post(urlsplit(auth["redirect_uri"]).path,
                       data={"id_token": token, "state": auth["state"]})
    found = re.search(r"/c/(\d+)/", resp.headers.get("Location", ""))
    if resp.status_code != 302 or not found:
        raise RuntimeError(f"launch answered {resp.status_code}: {resp.get_data(as_text=True)[:200]}")
    return int(found.group(1))


def page_paths(client: Any, cid: int) -> dict[str, str]:
    """The course home, the first module's first section and question 1 of a new attempt."""
    from modules.loader import get_course
    from quizzes.bank_loader import get_bank
    module = get_course().modules[0]
    quiz = next(q for q in get_bank().quizzes if q.module)
    page = client.get(f"/c/{cid}/quizzes/{quiz.slug}/").get_data(as_text=True)
    resp = client.post(f"/c/{cid}/quizzes/{quiz.slug}/start", data={"csrf_token": csrf_token(page)})
    aid = re.search(r"/attempts/(\d+)/", resp.headers["Location"])
    assert aid, resp.headers.get("Location")
    return {"Course home": f"/c/{cid}/",
            "Module section page": f"/c/{cid}/modules/{module.slug}/{module.sections[0].slug}",
            "Quiz attempt page": f"/c/{cid}/quizzes/attempts/{aid.group(1)}/?q=1"}


def timed(get: Callable[[], Any], n: int) -> float:
    """Requests per second over n requests (after 5 warm-ups), no profiler."""
    for _ in range(5):
        get()
    start = time.perf_counter()
    for _ in range(n):
        get()
    return n / (time.perf_counter() - start)


def group_of(key: str) -> str:
    """The group a cProfile function key ("file:line(name)") belongs to."""
    for name, pattern in GROUPS:
        if pattern.search(key):
            return name
    return "other"


TOP: dict[str, list[tuple[float, str]]] = {}  # --top: the heaviest functions, last run


def profiled(get: Callable[[], Any], n: int,
             label: str = "") -> tuple[dict[str, float], dict[str, float]]:
    """n requests under cProfile: (own time per group, cumulative time per marker), ms/request."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        get()
    prof.disable()
    stats: dict[Any, Any] = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    markers = dict.fromkeys(MARKERS, 0.0)
    TOP[label] = []
    for (file, line, name), (_cc, _nc, tt, ct, _callers) in stats.items():
        key = f"{file}:{line}({name})"
        group = group_of(key)
        TOP[label].append((tt * 1000 / n, f"[{group}] {key}"))
        groups[group] = groups.get(group, 0.0) + tt * 1000 / n
        for marker, pattern in MARKERS.items():
            if re.search(pattern, key):
                markers[marker] += ct * 1000 / n
    return groups, markers


def statements_per_request(get: Callable[[], Any], n: int = 10) -> float:
    """SQL statements per request, counted with SQLAlchemy's cursor event on every engine."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        for _ in range(n):
            get()
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    return len(seen) / n


def getter(client: Any, path: str) -> Callable[[], Any]:
    """GET path, insisting on a 200 (a 401 or 302 would make every figure meaningless)."""
    def get() -> Any:
        resp = client.get(path)
        if resp.status_code != 200:
            raise RuntimeError(f"GET {path} answered {resp.status_code}")
        return resp
    return get


def run(n: int, repeat: int, pg: bool) -> dict[str, Any]:
    """Build both apps, launch a learner, measure; returns the per-page medians."""
    url, _redis, _instance = environment(pg)
    try:
        return _measure(url, n, repeat)
    finally:
        if pg:
            drop_database(url)


def _measure(url: str, n: int, repeat: int) -> dict[str, Any]:
    """The measurements themselves (see run)."""
    from bench import baseline_app
    from course import create_app
    from course.db import db
    baseline_app.prepare(url)
    bare = baseline_app.create_app()
    app = create_app()
    quiet_logs()
    with app.app_context():
        db.create_all()
    with BenchPlatform() as platform:
        result = app.test_cli_runner().invoke(args=platform.cli_args())
        assert result.exit_code == 0, result.output
        client = app.test_client()
        cid = launch(client, platform, "profile-learner", "profile-course")
        pages = {"Baseline page": getter(bare.test_client(), "/")}
        pages.update({label: getter(client, path)
                      for label, path in page_paths(client, cid).items()})
        samples: dict[str, list[tuple[float, dict[str, float], dict[str, float]]]] = {
            label: [] for label in pages}
        for _ in range(repeat):
            for label, get in pages.items():
                # The baseline is timed right before each page, so a page's ratio compares two
                # windows a second apart, not the machine's load at two moments a minute apart.
                base = timed(pages["Baseline page"], n)
                rps = timed(get, n)
                groups, markers = profiled(get, n, label)
                samples[label].append((rps, groups, {**markers, "ratio": rps / base}))
        counts = {label: statements_per_request(get) for label, get in pages.items()}
    return {label: summarise(rows, counts[label]) for label, rows in samples.items()}


def summarise(rows: list[tuple[float, dict[str, float], dict[str, float]]],
              sql: float) -> dict[str, Any]:
    """Medians over the repeats."""
    names = {g for _, groups, _ in rows for g in groups}
    return {"rps": statistics.median(r[0] for r in rows), "sql": sql,
            "groups": {g: statistics.median(r[1].get(g, 0.0) for r in rows) for g in names},
            "ratio": statistics.median(r[2]["ratio"] for r in rows),
            "markers": {m: statistics.median(r[2][m] for r in rows) for m in MARKERS}}


def report(results: dict[str, Any], top: int = 0) -> str:
    """The table printed at the end."""
    lines = []
    for label, res in results.items():
        total = sum(res["groups"].values())
        lines.append(f"\n== {label}: {res['rps']:.0f} req/s in process ({1000 / res['rps']:.2f} ms"
                     f"), ratio to baseline {res['ratio']:.3f}; {res['sql']:.1f} SQL "
                     f"statements; profiled {total:.2f} ms/request")
        for name, ms in sorted(res["groups"].items(), key=lambda kv: -kv[1]):
            if ms >= 0.005:
                lines.append(f"   {name:<28} {ms:7.2f} ms  {100 * ms / total:5.1f} %")
        marks = ", ".join(f"{m} {ms:.2f}" for m, ms in res["markers"].items() if ms)
        lines.append(f"   cumulative (ms/request): {marks}")
        for ms, key in sorted(TOP.get(label, []), reverse=True)[:top]:
            lines.append(f"     {ms:6.3f} ms  {key.replace(sys.prefix, '')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, measure and print."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_pages", description=__doc__)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL and Redis db 2")
    parser.add_argument("-n", type=int, default=200, help="requests per page per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs; medians are printed")
    parser.add_argument("--top", type=int, default=0, help="also list the N heaviest functions")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results = run(args.n, args.repeat, args.pg)
    print(f"load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at end; "
          f"{args.repeat} runs of {args.n} requests per page; medians")
    print(report(results, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
