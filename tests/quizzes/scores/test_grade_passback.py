"""Grade passback end to end with the independent platform's AGS: 0 lost, 0 duplicated scores."""
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from course.db import db, utcnow
from quizzes.bank_loader import get_bank
from quizzes.models import PENDING, SENT, Attempt, QuestionVersion, ScoreOutbox
from quizzes.scores import sender
from quizzes.types import REGISTRY
from tests.conftest import csrf_from
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)
from tests.quizzes.taking.test_attempts import right_form

SLUG = get_bank().quizzes[0].slug


def take_quiz(app: Any, client: Any, cid: int, right: bool = True, slug: str = SLUG) -> int:
    """Start, answer every question through the no-JS form, submit; returns the attempt id."""
    page = client.get(f"/c/{cid}/quizzes/{slug}/").get_data(as_text=True)
    url = client.post(f"/c/{cid}/quizzes/{slug}/start",
                      data={"csrf_token": csrf_from(page)}).location
    aid = int(re.search(r"/attempts/(\d+)/", url).group(1))
    token = csrf_from(client.get(url).get_data(as_text=True))
    with app.app_context():
        attempt = db.session.get(Attempt, aid)
        items = {e["position"]: db.session.get(QuestionVersion, e["question_version_id"]).data
                 for e in attempt.layout}
    for pos, item in items.items():
        answer = right_form(item, f"q{pos}-") if right else {}
        resp = client.post(url, data={"csrf_token": token, "positions": str(pos), "go": "save",
                                      **answer})
        assert resp.status_code == 302
    assert client.post(url + "submit", data={"csrf_token": token}).status_code == 302
    return aid


def drain_at(app: Any, when: Any) -> sender.DrainReport:
    """One worker pass as if the clock read `when`."""
    with app.app_context():
        return sender.drain(now=when)


def outbox_rows(app: Any) -> list[tuple[str, int, str | None]]:
    """(status, tries, last_error) of every outbox row."""
    with app.app_context():
        return [(r.status, r.tries, r.last_error)
                for r in db.session.scalars(select(ScoreOutbox).order_by(ScoreOutbox.id))]


@pytest.fixture
def learner(app, client, platform, services):  # noqa: F811
    """A learner launched with AGS and NRPS claims: (client, cid)."""
    return client, launch_with_services(client, platform, services, "learner")


def test_launch_attempt_submit_worker_delivers_one_score(app, learner, services):  # noqa: F811
    client, cid = learner
    take_quiz(app, client, cid)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    [score] = services.scores
    assert score["userId"] == "learner-1" and score["scoreGiven"] == 100.0
    assert score["scoreMaximum"] == 100.0 and score["gradingProgress"] == "FullyGraded"
    [item] = services.line_items
    assert item["resourceId"] == f"quiz:{SLUG}" and score["lineitem"] == item["id"]
    assert app.test_cli_runner().invoke(args=["worker", "--once"]).exit_code == 0
    assert len(services.received) == 1
    page = client.get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)
    assert "Sent" in page


def test_platform_down_for_a_while_then_delivered_once(app, learner, services):  # noqa: F811
    client, cid = learner
    take_quiz(app, client, cid)
    services.fail_next(4, status=503, path="/ags/")
    now = utcnow()
    for n in range(1, 5):
        report = drain_at(app, now)
        assert report.retrying == 1 and not services.received
        status, tries, error = outbox_rows(app)[0]
        assert (status, tries) == (PENDING, n) and "503" in error
        if n == 1:
            page = client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
            assert "Pending" in page and "next try" in page
        now += sender.backoff(n)
    assert drain_at(app, now).sent == 1
    assert len(services.scores) == 1 and len(services.received) == 1
    assert outbox_rows(app)[0][0] == SENT
    assert drain_at(app, now + timedelta(hours=2)).statuses == []


def test_lost_reply_resend_is_not_a_duplicate(app, learner, services):  # noqa: F811
    client, cid = learner
    take_quiz(app, client, cid)
    services.timeout_next(1, processed=True, path="/scores")
    now = utcnow()
    assert drain_at(app, now).retrying == 1
    assert drain_at(app, now + sender.backoff(1)).sent == 1
    assert len(services.received) == 2  # the platform saw the re-send...
    assert len(services.scores) == 1    # ...and kept one score: same timestamp, AGS idempotent


def test_many_learners_with_outages_none_lost_none_duplicated(app, platform, services):  # noqa: F811
    learners = []
    for n in range(5):
        client = app.test_client()
        cid = launch_with_services(client, platform, services, "learner", user=f"learner-{n}")
        take_quiz(app, client, cid, right=n % 2 == 0)
        learners.append(f"learner-{n}")
    services.fail_next(3, status=503, path="/scores")
    services.disconnect_next(1, path="/scores")
    now = utcnow()
    for _ in range(8):
        drain_at(app, now)
        now += sender.MAX_DELAY
    got = sorted((s["userId"], s["scoreGiven"]) for s in services.scores)
    assert got == sorted((u, 100.0 if i % 2 == 0 else 0.0) for i, u in enumerate(learners))
    assert all(status == SENT for status, _, _ in outbox_rows(app))


def test_highest_grade_is_sent_after_a_worse_attempt(app, learner, services):  # noqa: F811
    client, cid = learner
    take_quiz(app, client, cid, right=True)
    drain_at(app, utcnow())
    take_quiz(app, client, cid, right=False)
    drain_at(app, utcnow() + timedelta(seconds=1))
    assert [s["scoreGiven"] for s in services.received] == [100.0, 100.0]
    assert services.scores[-1]["scoreGiven"] == 100.0


def test_score_goes_to_the_launch_line_item(app, client, platform, services):  # noqa: F811
    own = services.add_line_item(platform, "course-1", "Quiz column from the LMS")
    resp_cid = launch_with_services(client, platform, services, "learner", lineitem=own["id"],
                                    custom={"resource": f"quiz:{SLUG}"})
    take_quiz(app, client, resp_cid)
    drain_at(app, utcnow())
    [score] = services.scores
    assert score["lineitem"] == own["id"] and len(services.line_items) == 1


def test_moodle_grade_sync_off_is_explained(app, learner, services):  # noqa: F811
    client, cid = learner
    take_quiz(app, client, cid)
    services.grade_sync = False  # Moodle 4.5 refuses the token: 400 invalid_scope
    drain_at(app, utcnow())
    status, _, error = outbox_rows(app)[0]
    assert status == PENDING and "grade sync" in error and "invalid_scope" in error
    assert "grade sync" in client.get(f"/c/{cid}/quizzes/{SLUG}/").get_data(as_text=True)


def test_demo_learner_quiz_review_and_score_in_demo_gradebook(tmp_path):
    """The acceptance path of `make run`: demo learner, NGN case quiz, review, worker, gradebook."""
    from course.lti import http
    from tests.conftest import build_app
    from tests.course.test_demo_platform import demo_launch
    from tests.platform import FlaskAdapter

    demo = build_app(tmp_path, DEMO_PLATFORM=True)
    http.mount("http://localhost/", FlaskAdapter(demo))  # the tool's AGS calls stay in-process
    try:
        client = demo.test_client()
        cid = int(re.search(r"/c/(\d+)/", demo_launch(client).location).group(1))
        bank = get_bank()
        quiz = next(q for q in bank.quizzes if q.settings.review_when == "after_each"
                    and sum(REGISTRY[bank.items[i]["type"]].family == "ngn"
                            for i in bank.quiz_item_ids(q)) >= 3)
        aid = take_quiz(demo, client, cid, slug=quiz.slug)
        review = client.get(f"/c/{cid}/quizzes/attempts/{aid}/review").get_data(as_text=True)
        assert "Why:" in review and "Your answer:" in review and "Score: <strong>100%" in review
        result = demo.test_cli_runner().invoke(args=["worker", "--once"])
        assert result.exit_code == 0 and "sent=1" in result.output, result.output
        gradebook = client.get("/demo/gradebook").get_data(as_text=True)
        assert "Alex Morgan" in gradebook and "100 / 100" in gradebook
        assert "Sent" in client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    finally:
        http.unmount_all()
