"""Tutor mode and flags on quiz attempts: check with every rationale, locking, flags, LMS scores."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from course.db import db
from quizzes.models import Attempt, ScoreOutbox
from quizzes.tutor.models import AttemptMark
from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form
from tests.quizzes.taking.test_views import (
    FIRST,
    attempt_id,
    item_at,
    rationales,
    rows,
    set_quiz,
    start,
    words,
)


@pytest.fixture
def learner(client: Any, platform: Any) -> tuple[Any, int]:
    """A launched learner: (client, cid)."""
    return client, launch_as(client, platform, "learner")


def _post(client: Any, url: str, **fields: Any) -> Any:
    """Post the attempt form of question 1 with a fresh CSRF token."""
    token = csrf_from(client.get(url + "?q=1").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "positions": "1", **fields})


def _submit(client: Any, url: str) -> Any:
    """Press Submit on the finish page."""
    token = csrf_from(client.get(url + "finish").get_data(as_text=True))
    return client.post(url + "submit", data={"csrf_token": token})


def test_exam_mode_offers_no_check_and_refuses_one(app: Any, learner: Any) -> None:
    client, cid = learner
    url = start(client, cid)
    page = client.get(url).get_data(as_text=True)
    assert "Check answer" not in page and 'class="rationale' not in page
    assert "Flag this question for review" in page
    assert _post(client, url, go="check").status_code == 400
    assert rows(app, AttemptMark, AttemptMark.checked_at.is_not(None)) == 0


def test_tutor_check_shows_every_rationale_and_locks_the_answer(app: Any, learner: Any) -> None:
    set_quiz(app, mode="tutor")
    client, cid = learner
    url = start(client, cid)
    item = item_at(app, attempt_id(url), 1)
    page = client.get(url).get_data(as_text=True)
    assert "Check answer" in page and 'class="rationale' not in page
    resp = _post(client, url, go="check", **right_form(item, "q1-"))
    assert resp.status_code == 302 and resp.location.endswith("?q=1")
    checked = client.get(url + "?q=1").get_data(as_text=True)
    assert "Your answer, checked" in checked and "Check answer" not in checked
    for text in rationales(item):  # every option's rationale at once
        assert words(text) in words(checked), (item["id"], text)
    # Locked: a later post with another answer leaves the checked one in place.
    before = client.get(url + "?q=1").get_data(as_text=True)
    resp = _post(client, url, go="save", **{k: "zz" for k in right_form(item, "q1-")})
    assert resp.status_code == 302
    assert client.get(url + "?q=1").get_data(as_text=True).count("checked") == before.count("checked")


def test_tutor_quiz_sends_no_score_unless_the_instructor_says(app: Any, learner: Any) -> None:
    set_quiz(app, mode="tutor")
    client, cid = learner
    url = start(client, cid)
    assert _submit(client, url).status_code == 302
    assert rows(app, ScoreOutbox) == 0
    set_quiz(app, mode="tutor", tutor_gradebook=True)
    url = start(client, cid)
    assert _submit(client, url).status_code == 302
    assert rows(app, ScoreOutbox) == 1


def test_exam_mode_still_sends_its_score(app: Any, learner: Any) -> None:
    client, cid = learner
    assert _submit(client, start(client, cid)).status_code == 302
    assert rows(app, ScoreOutbox) == 1


def test_tutor_review_lists_every_option_of_a_bowtie_or_slot(app: Any, learner: Any) -> None:
    set_quiz(app, mode="tutor")
    client, cid = learner
    url = start(client, cid)
    aid = attempt_id(url)
    with app.app_context():
        total = len(db.session.get(Attempt, aid).layout)
    _submit(client, url)
    review = client.get(url + "review").get_data(as_text=True)
    for n in range(1, total + 1):
        for text in rationales(item_at(app, aid, n)):
            assert words(text) in words(review), text


def test_flags_round_trip_without_js(app: Any, learner: Any) -> None:
    client, cid = learner
    url = start(client, cid)
    resp = _post(client, url, go="2", flag_positions="1", **{"flag-1": "1"})
    assert resp.status_code == 302
    page = client.get(url + "?q=1").get_data(as_text=True)
    assert 'id="flag-1" name="flag-1" value="1" checked' in page
    assert "nav-flagged" in page and ", flagged" in page
    # Unticked on a later post (the box is not sent): the flag goes.
    _post(client, url, go="save", flag_positions="1")
    assert "nav-flagged" not in client.get(url + "?q=1").get_data(as_text=True)
    _post(client, url, go="save", flag_positions="1", **{"flag-1": "1"})
    _submit(client, url)
    review = client.get(url + "review").get_data(as_text=True)
    assert "Questions you flagged" in review and 'href="#rq1"' in review and "⚑ Flagged" in review


def test_flags_through_autosave_and_junk_positions_ignored(app: Any, learner: Any) -> None:
    client, cid = learner
    url = start(client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"positions": "1", "flag_positions": ["1", "999", "x"], "flag-1": "1", "flag-999": "1"}
    assert client.post(url + "autosave", data=data, headers={"X-CSRFToken": token}).status_code == 200
    with app.app_context():
        marks = list(db.session.scalars(select(AttemptMark)))
    assert [(m.position, m.flagged) for m in marks] == [(1, True)]
    # The same post again writes nothing new; without a CSRF token nothing is saved.
    assert client.post(url + "autosave", data={"positions": "1", "flag_positions": "1"}).status_code == 400
    assert rows(app, AttemptMark, AttemptMark.flagged.is_(True)) == 1


def test_another_learner_cannot_flag_or_check(app: Any, platform: Any) -> None:
    set_quiz(app, mode="tutor")
    owner, other = app.test_client(), app.test_client()
    cid = launch_as(owner, platform, "learner", user="learner-1")
    url = start(owner, cid)
    assert launch_as(other, platform, "learner", user="learner-2") == cid
    token = csrf_from(other.get(f"/c/{cid}/quizzes/{FIRST.slug}/").get_data(as_text=True))
    resp = other.post(url, data={"csrf_token": token, "positions": "1", "go": "check",
                                 "flag_positions": "1", "flag-1": "1"})
    assert resp.status_code == 404
    assert rows(app, AttemptMark) == 0


def test_check_after_submit_is_refused(app: Any, learner: Any) -> None:
    set_quiz(app, mode="tutor")
    client, cid = learner
    url = start(client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    _submit(client, url)
    resp = client.post(url, data={"csrf_token": token, "positions": "1", "go": "check"})
    assert resp.status_code == 302 and "/review" in resp.location
    assert rows(app, AttemptMark) == 0
