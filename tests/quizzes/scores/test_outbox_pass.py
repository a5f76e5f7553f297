"""A sender pass: one pooled HTTP session and connection, and each course and quiz read once."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from flask import Flask

from course.db import db
from course.lti import http
from course.lti.tokens import SCOPE_LINEITEM, SCOPE_SCORE
from course.models import Context
from quizzes.models import SENT, ScoreOutbox
from quizzes.scores import sender
from quizzes.taking import attempts
from tests.course.test_launch_cost import statements, tables
from tests.quizzes.scores.test_outbox import FakeAgs
from tests.quizzes.taking.test_attempts import add_user, answer_all, course_quiz, make_course

LEARNERS = 6


class PlatformHandler(BaseHTTPRequestHandler):
    """A bare AGS platform over real sockets: token, line items, scores; keeps connections open."""

    protocol_version = "HTTP/1.1"  # keep-alive, so a client can reuse its connection
    disable_nagle_algorithm = True  # headers and body go out apart; no 40 ms delayed-ACK stall
    server: PlatformServer

    def _answer(self, status: int, body: Any, cookie: bool = False) -> None:
        """Send a JSON answer with a length, so the connection can stay open."""
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if cookie:
            self.send_header("Set-Cookie", "platform-session=abc; Path=/")
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> dict[str, Any]:
        """Read the body and remember who asked what, on which connection."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        seen = {"method": self.command, "path": self.path, "peer": self.client_address,
                "cookie": self.headers.get("Cookie"), "body": body}
        with self.server.lock:
            self.server.requests.append(seen)
        return seen

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """The line items container: empty, so the tool creates the quiz's column."""
        self._record()
        self._answer(200, [])

    def do_POST(self) -> None:  # noqa: N802
        """Token, new line item, or a score."""
        seen = self._record()
        base = f"http://127.0.0.1:{self.server.server_port}"
        if seen["path"] == "/token":
            self._answer(200, {"access_token": "t", "expires_in": 3600}, cookie=True)
        elif seen["path"].startswith("/lineitems") and not seen["path"].endswith("/scores"):
            self._answer(201, {"id": f"{base}/lineitems/1", **json.loads(seen["body"])})
        else:
            self._answer(200, {})

    def log_message(self, *args: Any) -> None:
        """Quiet."""


class PlatformServer(ThreadingHTTPServer):
    """The server with its request log."""

    daemon_threads = True

    def __init__(self) -> None:
        """Listen on a free local port."""
        super().__init__(("127.0.0.1", 0), PlatformHandler)
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []

    def connections(self) -> set[tuple[str, int]]:
        """Distinct client sockets the requests came on."""
        return {r["peer"] for r in self.requests}


@pytest.fixture
def lms() -> Iterator[PlatformServer]:
    """A real HTTP platform on 127.0.0.1."""
    server = PlatformServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def queue_scores(learners: int) -> int:
    """Submit one attempt for each of `learners` learners in one course; returns the context pk."""
    ctx, first = make_course()
    for n in range(learners):
        user = first if n == 0 else add_user(f"learner-{n + 1}")
        attempt = attempts.start_attempt(course_quiz(ctx), user)
        answer_all(attempt)
        attempts.submit_attempt(attempt.id)
    return ctx


def test_a_pass_reuses_one_connection_and_keeps_no_cookies(app: Flask, lms: PlatformServer):
    base = f"http://127.0.0.1:{lms.server_port}"
    with app.app_context():
        ctx = db.session.get(Context, queue_scores(LEARNERS))
        ctx.lineitems_url, ctx.ags_scopes = f"{base}/lineitems", [SCOPE_LINEITEM, SCOPE_SCORE]
        ctx.registration.auth_token_url = f"{base}/token"
        db.session.commit()
        report = sender.drain()
    assert report.sent == LEARNERS
    scores = [r for r in lms.requests if r["path"].endswith("/scores")]
    assert len(scores) == LEARNERS
    assert [r["path"] for r in lms.requests].count("/token") == 1
    # One pooled session: every call of the pass rode one kept-alive connection (was one each).
    assert len(lms.connections()) == 1, lms.connections()
    # The token endpoint set a cookie; a session shared by every tenant must not send it back.
    assert not [r for r in lms.requests if r["cookie"]]


def test_a_pass_reads_each_course_quiz_and_line_item_once(app: Flask):
    client = FakeAgs()
    app.extensions[sender.CLIENT_KEY] = client
    with app.app_context():
        queue_scores(LEARNERS)
        db.session.remove()  # a worker pass starts with an empty session
        with statements(app) as seen:
            report = sender.drain()
        assert report.sent == LEARNERS and len(client.posts) == LEARNERS
        assert {r.status for r in db.session.scalars(db.select(ScoreOutbox))} == {SENT}
    counts = tables(seen)
    assert counts["context"] == 1 and counts["quiz"] == 1, counts
    assert counts["quiz_line_item"] == 2, counts  # looked up, then stored, once for the pass
    # Per row: the learner's grade worked out (its read names the outbox for the previous
    # timestamp), the score stored, the outcome written; per batch: find the due rows, claim
    # them in one UPDATE, read them in one SELECT. (A submission no longer reads the grade.)
    assert counts["quiz_score_outbox"] <= 3 * LEARNERS + 4, "\n".join(seen)


class RecordingAdapter(requests.adapters.BaseAdapter):
    """Answers 204 and remembers each call's timeout."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        super().__init__()
        self.timeouts: list[Any] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Record and answer."""
        self.timeouts.append(kwargs.get("timeout"))
        out = requests.Response()
        out.status_code, out._content, out.url, out.request = 204, b"", request.url, request
        return out

    def close(self) -> None:
        """Nothing to release."""


def test_pooled_session_follows_mounts_and_the_configured_timeout(app: Flask):
    with app.app_context():
        app.config["HTTP_TIMEOUT_SECONDS"] = 3.5
        before = http.http_session()
        assert http.http_session() is before  # reused, not built per call
        adapter = RecordingAdapter()
        http.mount("https://mounted.test/", adapter)
        try:
            assert http.http_session().get("https://mounted.test/x").status_code == 204
            assert http.http_session().get("https://mounted.test/y", timeout=1).status_code == 204
        finally:
            http.unmount_all()
    assert adapter.timeouts == [3.5, 1]


def test_each_thread_has_its_own_pooled_session(app: Flask):
    found: list[Any] = []

    def grab() -> None:
        """Take this thread's session."""
        with app.app_context():
            found.append(http.http_session())

    worker = threading.Thread(target=grab)
    worker.start()
    worker.join(10)
    with app.app_context():
        assert found and found[0] is not http.http_session()
