"""The LMS's AGS answers 503 or times out for a while: each score arrives once, and the instructor
gradebook and the learner's pages show where every grade stands during and after the outage.

The sender runs with a chosen clock (sender.drain(now=...)) so hours of backoff pass at once;
the second test uses a real socket and the tool's real HTTP timeout.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from course.db import utcnow
from quizzes.models import PENDING, SENT
from quizzes.scores import sender
from tests.faults.http_platform import HttpPlatform
from tests.platform import INSTRUCTOR, LEARNER, TestPlatform
from tests.platform_services import (
    PlatformServices,
    launch_with_services,
    services,  # noqa: F401 (fixture)
)
from tests.quizzes.instructor_helpers import BASE
from tests.quizzes.scores.test_grade_passback import drain_at, outbox_rows, take_quiz

WAITING = "Waiting to send"
SENT_LABEL = "Sent to the course gradebook"
LEARNERS = {"learner-0": True, "learner-1": False, "learner-2": True}  # user: answers right


def gradebook_labels(client: Any, cid: int) -> list[str]:
    """The sync label of every graded cell on the instructor gradebook, in page order."""
    resp = client.get(BASE.format(cid=cid) + "/gradebook")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    html = resp.get_data(as_text=True)
    return re.findall(r'<br><span class="muted">((?:Waiting to send|Sent to|Sending|Not sent)'
                      r'[^<]*)</span>', html)


def class_with_grades(app: Flask, platform: TestPlatform,
                      services_: PlatformServices) -> tuple[Any, int, dict[str, Any]]:
    """An instructor and three learners who each submitted the first quiz once."""
    services_.members["course-1"] = [
        {"user_id": u, "name": f"User {u}", "roles": [LEARNER]} for u in LEARNERS] + [
        {"user_id": "teacher-1", "name": "Dr Teach", "roles": [INSTRUCTOR]}]
    teacher = app.test_client()
    cid = launch_with_services(teacher, platform, services_, "instructor", user="teacher-1")
    browsers = {}
    for user, right in LEARNERS.items():
        browsers[user] = app.test_client()
        assert launch_with_services(browsers[user], platform, services_, "learner",
                                    user=user) == cid
        take_quiz(app, browsers[user], cid, right=right)
    return teacher, cid, browsers


def test_outage_then_recovery_every_score_once_and_sync_state_shown(
        app: Flask, platform: TestPlatform, services: PlatformServices) -> None:  # noqa: F811
    teacher, cid, browsers = class_with_grades(app, platform, services)
    assert gradebook_labels(teacher, cid) == ["Waiting to send to the course gradebook"] * 3
    # The LMS is down: every call fails (token, line items, scores), then scores time out,
    # once after the LMS recorded the score and once before.
    services.fail_next(4, status=503)
    services.timeout_next(2, processed=True, path="/scores")
    services.timeout_next(1, processed=False, path="/scores")
    now = utcnow()
    report = drain_at(app, now)
    assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
    labels = gradebook_labels(teacher, cid)
    assert len(labels) == 3 and all(label.startswith(WAITING) and "next try at" in label
                                    and "503" in label for label in labels), labels
    for browser in browsers.values():
        page = browser.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
        assert "Pending" in page and "next try" in page
    passes = 0
    while any(status != SENT for status, _, _ in outbox_rows(app)):
        passes += 1
        assert passes <= 10, outbox_rows(app)
        now += sender.MAX_DELAY
        drain_at(app, now)
        book = {(s["userId"], s["lineitem"]) for s in services.scores}
        assert len(book) == len(services.scores), "a score counted twice"
        # Mid-outage: each grade is either sent or says it is waiting; none shows as lost.
        labels = gradebook_labels(teacher, cid)
        sent = sum(status == SENT for status, _, _ in outbox_rows(app))
        assert labels.count(SENT_LABEL) == sent and len(labels) == 3, labels
        assert all(label.startswith((WAITING, SENT_LABEL)) for label in labels), labels
    assert gradebook_labels(teacher, cid) == [SENT_LABEL] * 3
    got = sorted((s["userId"], s["scoreGiven"]) for s in services.scores)
    assert got == [(u, 100.0 if right else 0.0) for u, right in sorted(LEARNERS.items())]
    received = len(services.received)
    assert drain_at(app, now + timedelta(hours=2)).statuses == []
    assert len(services.received) == received
    csv = teacher.get(BASE.format(cid=cid) + "/gradebook.csv").get_data(as_text=True)
    assert csv.count(SENT_LABEL) == 3
    for browser in browsers.values():
        assert "Sent" in browser.get(f"/c/{cid}/quizzes/").get_data(as_text=True)


@pytest.mark.slow
def test_real_socket_timeout_is_retried_and_the_late_score_not_doubled(
        app: Flask, client: Any, http_platform: HttpPlatform) -> None:
    lms, gate = http_platform.services, http_platform.gate
    app.config["HTTP_TIMEOUT_SECONDS"] = 1.0  # the tool gives up long before the gate opens
    cid = launch_with_services(client, http_platform.platform, lms, "learner")
    take_quiz(app, client, cid, right=True)
    gate.hold(1, processed=True)
    now = utcnow()
    try:
        assert drain_at(app, now).retrying == 1
    finally:
        gate.released.set()  # the platform now records the score it was holding
    assert gate.finished.wait(30)
    [(status, tries, error)] = outbox_rows(app)
    assert (status, tries) == (PENDING, 1) and "did not answer in time" in error
    page = client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    assert "Pending" in page and "did not answer in time" in page
    assert drain_at(app, now + sender.backoff(1)).sent == 1
    assert len(lms.received) == 2 and len(lms.scores) == 1
    assert [s["scoreGiven"] for s in http_platform.gradebook().values()] == [100.0]
    assert "Sent" in client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
