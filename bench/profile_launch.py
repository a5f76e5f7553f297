"""Where a launch (or a submission) spends its time, in one process, against bare pylti1p3.

`python -m bench.profile_launch [--launches 40] [--rounds 3] [--returning] [--figures FILE] [--submit]`

The tool (wsgi's create_app) and the anchor (bench/pylti_anchor_app.py) run in this process
through Flask's test client against the bench platform, on their own PostgreSQL database
(msc_profile) and Redis database 1 under a fresh key prefix, else SQLite and the file cache.
Each round launches new learners into each app in turn under cProfile, counting SQL statements
and Redis round trips; the figures are the median of the rounds. The machine is shared, so
compare shares and ratios within a run, not milliseconds across runs. Each launch is then cut
into steps (TOOL_STEPS, ANCHOR_STEPS): the LTI work alone (login and id_token validation) for
both, and the tool's record, rate limits and session; `--figures FILE` writes them as JSON, as
`make bench` does (bench/launch_steps.py). With --submit, the learners then start the final
quiz, answer its first question, and the submissions are profiled the same way.
"""
from __future__ import annotations

import json
import os
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient

from bench.backends import REDIS_URL, Backends, fresh_database, reachable
from bench.learner import FormReader, csrf_token
from bench.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, BenchPlatform
from bench.profile_common import Sample, Step, Timer, one_round, options, report, steps

PG_DB = "msc_profile"  # not the bench's msc_bench: a bench may be running at the same time
COURSE = "profile-course-1"
QUIZ = "quiz-final-cases"

# The steps of a login + launch (both requests), outermost first. LOGIN and VALIDATION are the
# LTI work proper, which the issue's launch target names; both tables use the same labels.
WHOLE, LOGIN, VALIDATION = ("whole login + launch (Flask, 2 requests)",
                            "login (state, nonce, redirect)", "id_token validation")
RECORD, LIMITS, SESSION = ("the record (context, user, membership)",
                           "rate limits (login and launch)", "session cookie save")
TOOL_STEPS: tuple[Step, ...] = (
    ("flask/app.py", "wsgi_app", WHOLE),
    ("course/lti/service.py", "start_login", LOGIN),
    ("course/lti/launch.py", "launch_body", VALIDATION),
    ("course/lti/launch.py", "validate_jwt_signature", "  its signature check"),
    ("course/lti/service.py", "_record", RECORD),
    ("limits/strategies.py", "hit", LIMITS),
    ("flask/sessions.py", "save_session", SESSION),
    ("course/security.py", "", "security headers"),
    ("course/logs.py", "", "request id and log line"),
    ("psycopg/connection.py", "wait", "waiting on PostgreSQL (all)"),
    ("redis/connection.py", "read_response", "waiting on Redis (all)"),
)
ANCHOR_STEPS: tuple[Step, ...] = (
    ("flask/app.py", "wsgi_app", WHOLE),
    ("pylti1p3/oidc_login.py", "redirect", LOGIN),
    ("pylti1p3/message_launch.py", "validate", VALIDATION),
    ("pylti1p3/message_launch.py", "validate_jwt_signature", "  its signature check"),
    ("pylti1p3/message_launch.py", "save_launch_data", "  its launch data saved"),
    ("redis/connection.py", "read_response", "waiting on Redis (all)"),
)


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


def environment(tmp: Path) -> Backends:
    """The app's environment in this process: the profile database, Redis or the file cache."""
    url = (fresh_database(PG_DB) if reachable("127.0.0.1", 5432)
           else f"sqlite:///{tmp / 'profile.sqlite3'}")
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


def floor_steps(tool: Sample, bare: Sample, count: int) -> dict[str, float]:
    """Print both launches step by step; return the figures `make bench` keeps (ms per launch).

    The LTI work is the login and the id_token validation, the part the issue's launch target
    names; the rest of the tool's launch is what bare pylti1p3 does not do.
    """
    assert tool.stats is not None and bare.stats is not None
    found: list[dict[str, float]] = []
    for name, stats, table in (("Tool", tool.stats, TOOL_STEPS),
                               ("Bare pylti1p3", bare.stats, ANCHOR_STEPS)):
        rows = steps(stats, count, table)
        print(f"\n== {name}, steps (cumulative ms per launch under cProfile, calls per launch):")
        for label, ms, nc in rows:
            print(f"     {label:<44} {ms:7.2f} ms  x{nc}")
        found.append({label: ms for label, ms, _nc in rows})
    mine, theirs = ({label: of.get(label, 0.0) for label in (WHOLE, LOGIN, VALIDATION, RECORD,
                                                             LIMITS, SESSION)} for of in found)
    out = {"tool_ms": mine[WHOLE], "bare_ms": theirs[WHOLE],
           "tool_lti_ms": mine[LOGIN] + mine[VALIDATION],
           "bare_lti_ms": theirs[LOGIN] + theirs[VALIDATION], "record_ms": mine[RECORD],
           "limits_ms": mine[LIMITS], "session_ms": mine[SESSION]}
    out["lti_ratio"] = out["bare_lti_ms"] / out["tool_lti_ms"] if out["tool_lti_ms"] else 0.0
    print(f"\nthe LTI work alone (login + id_token validation): tool {out['tool_lti_ms']:.2f} ms, "
          f"bare pylti1p3 {out['bare_lti_ms']:.2f} ms; bare / tool {out['lti_ratio']:.2f} (the "
          f"rest of the tool's launch is the record, the rate limits, the session and the "
          f"headers above)")
    return out


def main(argv: list[str] | None = None) -> int:
    """Profile launches of the tool and the anchor (and submissions with --submit)."""
    parser = options("python -m bench.profile_launch", __doc__, "launches", 40, 20)
    parser.add_argument("--submit", action="store_true", help="profile submissions instead")
    parser.add_argument("--returning", action="store_true",
                        help="relaunch learners who launched before (the usual launch)")
    parser.add_argument("--figures", type=Path, default=None,
                        help="also write the launch's step figures to this JSON file")
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
        figures = floor_steps(t, b, args.launches)
        if args.figures is not None:
            args.figures.write_text(json.dumps(figures))
        ratios = [y.ms / x.ms for x, y in zip(tool, bare)]
        print(f"\nbare / tool time per launch, per round: "
              f"{', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f} "
              f"(>= 1.0 means the tool costs at most the bare launch); medians {t.ms:.1f} ms "
              f"against {b.ms:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
