"""What a quiz attempt page costs in SQL statements (issue 18's budget; no timing)."""
from __future__ import annotations

import re

from sqlalchemy import event

from course.db import db, utcnow
from quizzes.models import Attempt, QuestionVersion, Quiz
from quizzes.taking.attempt_layout import responses_and_marks
from quizzes.taking.page_read import own_attempt_page
from quizzes.tutor.models import AttemptMark
from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form
from tests.quizzes.taking.test_views import attempt_id, item_at, start
from tests.sql_counter import statements


def test_attempt_page_reads_in_one_statement_on_postgresql(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    attempt = start(client, cid)
    client.get(f"{attempt}?q=2")
    with statements(app) as seen:
        assert client.get(f"{attempt}?q=1").status_code == 200
    # No spare: the learner's own attempt with its quiz (mode and title) and the one question
    # version shown, found through the layout (not the whole layout's JSON), and the saved
    # responses and flags (the navigation marks every question): on PostgreSQL as JSON arrays
    # in the same statement (quizzes/taking/page_read.py), on SQLite in a second one. The
    # identity is 0: the request before checked the grant, which holds for identity.GRANT_TTL.
    # No write on a GET.
    with app.app_context():
        budget = 1 if db.engine.dialect.name == "postgresql" else 2
    assert len(seen) <= budget, "\n\n".join(seen)
    assert not [s for s in seen if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    versions = [s for s in seen if " quiz_question_version " in s]
    assert len(versions) == 1 and " IN (" not in versions[0], versions


def test_attempt_page_builds_no_orm_objects(app, platform):
    # A GET only reads: the attempt, its quiz and the version shown come back as plain rows
    # (quizzes/taking/page_read.py). The ORM read built all three (issue 18).
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    attempt = start(client, cid)
    client.get(f"{attempt}?q=2")
    built: list[str] = []

    def record(target, _context):
        """Note each ORM object loaded from a row."""
        built.append(type(target).__name__)

    models = (Attempt, Quiz, QuestionVersion)
    for model in models:
        event.listen(model, "load", record)
    try:
        page = client.get(f"{attempt}?q=1")
    finally:
        for model in models:
            event.remove(model, "load", record)
    assert page.status_code == 200 and 'name="positions" value="1"' in page.get_data(True)
    assert built == []


def test_each_question_shows_its_own_version(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    url = start(client, cid)
    aid = attempt_id(url)
    # The first words of each stem; the first three questions are different items.
    stems = {n: " ".join(item_at(app, aid, n)["stem"].split()[:2]) for n in (1, 2, 3)}
    assert len(set(stems.values())) == 3, stems
    # Forward and backward: each page holds the question the layout has at that position.
    for n in (3, 1, 2):
        page = client.get(f"{url}?q={n}").get_data(as_text=True)
        assert f'name="positions" value="{n}"' in page, n
        assert [m for m, stem in stems.items() if stem in page] == [n], (n, stems)
    # Past either end (even beyond an INTEGER): the first or the last question, never a 500.
    total = len(start_layout(app, aid))
    last = client.get(f"{url}?q=99999999999999999999").get_data(as_text=True)
    assert f'name="positions" value="{total}"' in last
    first = client.get(f"{url}?q=-4").get_data(as_text=True)
    assert 'name="positions" value="1"' in first and stems[1] in first


def start_layout(app, aid):
    """The attempt's layout entries."""
    with app.app_context():
        return db.session.get(Attempt, aid).layout


def nav_button(page: str, n: int) -> str:
    """The navigation button of question n on an attempt page."""
    found = re.search(rf'name="go" value="{n}" class="(nav-q[^"]*)"', page)
    assert found, n
    return found.group(1)


def test_navigation_marks_answers_and_flags_read_together(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    url = start(client, cid)
    aid = attempt_id(url)
    # Question 1 answered and flagged, 2 flagged only, 3 answered only, 4 neither.
    for n, answer, flag in ((1, True, True), (2, False, True), (3, True, False)):
        token = csrf_from(client.get(f"{url}?q={n}").get_data(as_text=True))
        form = {"csrf_token": token, "positions": str(n), "go": "save", "flag_positions": str(n),
                **(right_form(item_at(app, aid, n), f"q{n}-") if answer else {}),
                **({f"flag-{n}": "1"} if flag else {})}
        assert client.post(url, data=form).status_code == 302
    page = client.get(f"{url}?q=4").get_data(as_text=True)
    classes = {n: set(nav_button(page, n).split()) for n in (1, 2, 3, 4)}
    assert classes[1] >= {"nav-answered", "nav-flagged"}
    assert "nav-flagged" in classes[2] and "nav-answered" not in classes[2]
    assert "nav-answered" in classes[3] and "nav-flagged" not in classes[3]
    assert not classes[4] & {"nav-answered", "nav-flagged"}
    # The saved answer of question 3 is shown on its own page again.
    again = client.get(f"{url}?q=3").get_data(as_text=True)
    assert again.count("checked") + again.count("selected") >= 1


def test_answers_and_marks_gathered_with_the_attempt_equal_the_read_alone(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    url = start(client, cid)
    aid = attempt_id(url)
    for n, answer, flag in ((1, True, True), (2, False, True), (3, True, False)):
        token = csrf_from(client.get(f"{url}?q={n}").get_data(as_text=True))
        form = {"csrf_token": token, "positions": str(n), "go": "save", "flag_positions": str(n),
                **(right_form(item_at(app, aid, n), f"q{n}-") if answer else {}),
                **({f"flag-{n}": "1"} if flag else {})}
        assert client.post(url, data=form).status_code == 302
    with app.app_context():
        # A tutor-mode check: its time must come back as the same datetime.
        db.session.add(AttemptMark(attempt_id=aid, position=4, flagged=False, checked_at=utcnow()))
        db.session.commit()
        owner = db.session.get(Attempt, aid).user_id
        page = own_attempt_page(cid, owner, aid, 2)
        rows, marks = responses_and_marks(aid)
        assert page is not None and page.attempt.id == aid
        assert own_attempt_page(cid, owner + 1, aid, 2) is None  # nobody else's attempt
        if db.engine.dialect.name != "postgresql":
            assert page.answers is None and page.marks is None  # read on their own
            return
        assert page.answers is not None and page.marks is not None
        assert {p: a.response for p, a in page.answers.items()} == {
            p: r.response for p, r in rows.items()} and {1, 3} <= set(rows)
        assert {p: (m.flagged, m.checked_at) for p, m in page.marks.items()} == {
            p: (m.flagged, m.checked_at) for p, m in marks.items()}
        assert page.marks[1].flagged and page.marks[4].checked_at is not None
