"""A GET never commits: learner and instructor pages read; launches and the worker write."""
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from course.db import db, utcnow
from quizzes.bank_loader import get_bank
from quizzes.models import IN_PROGRESS, Attempt, LineItem, Quiz
from tests.conftest import launch, launch_as
from tests.quizzes.taking.test_views import attempt_id, start

FIRST = get_bank().quizzes[0]


@pytest.fixture
def commits() -> Iterator[list[str]]:
    """Every session commit while the test runs."""
    seen: list[str] = []

    def count(session: Any) -> None:
        seen.append("commit")
    event.listen(Session, "before_commit", count)
    yield seen
    event.remove(Session, "before_commit", count)


def _page_urls(app: Any, cid: int) -> list[str]:
    """Every GET page of the quizzes blueprint that needs only the course id, and the home."""
    urls = [f"/c/{cid}/"]
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.startswith("quizzes.") and rule.endpoint != "quizzes.static"
                and "GET" in rule.methods and set(rule.arguments) == {"cid"}):
            urls.append(rule.build({"cid": cid}, append_unknown=False)[1])
    return urls


def test_learner_pages_with_an_overdue_attempt_do_not_commit(app, client, platform, commits):
    cid = launch_as(client, platform, "learner")
    aid = attempt_id(start(client, cid))
    with app.app_context():  # the time ran out while the learner was away
        found = db.session.get(Attempt, aid)
        found.deadline_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    commits.clear()
    attempt_pages = [f"/c/{cid}/quizzes/attempts/{aid}/{page}" for page in ("", "finish", "review")]
    urls = _page_urls(app, cid) + [f"/c/{cid}/quizzes/{FIRST.slug}/"] + attempt_pages
    for url in urls:
        resp = client.get(url)
        assert resp.status_code in (200, 403), url
    assert commits == [], urls
    quiz_page = client.get(f"/c/{cid}/quizzes/{FIRST.slug}/").get_data(as_text=True)
    assert "Time is up" in quiz_page  # shown as overdue, submitted by the worker
    with app.app_context():
        assert db.session.get(Attempt, aid).state == IN_PROGRESS


def test_instructor_pages_do_not_commit(app, client, platform, commits):
    cid = launch_as(client, platform, "instructor")
    commits.clear()
    urls = _page_urls(app, cid) + [f"/c/{cid}/quizzes/{FIRST.slug}/"]
    assert len(urls) > 8
    for url in urls:
        assert client.get(url).status_code < 500, url  # the export wants its choices: 400
    assert commits == [], urls


def test_a_launch_creates_the_course_quizzes_and_keeps_the_quiz_links_line_item(app, client,
                                                                                 platform):
    lineitem = "https://lms.example/api/lti/courses/1/line_items/7"
    def claims(launch_: Any) -> None:
        """The quiz's own LMS link, with its grade column."""
        launch_.set_ags("https://lms.example/api/lti/courses/1/line_items", lineitem_url=lineitem)
        launch_.set_custom_parameters_claim({"resource": f"quiz:{FIRST.slug}"})
    assert launch(client, platform, extra=claims).status_code == 302
    with app.app_context():
        quiz = db.session.scalars(select(Quiz).where(Quiz.slug == FIRST.slug)).one()
        assert len(db.session.scalars(select(Quiz).where(
            Quiz.context_id == quiz.context_id)).all()) == len(get_bank().quizzes)
        assert db.session.scalars(select(LineItem.url).where(
            LineItem.quiz_id == quiz.id)).all() == [lineitem]
