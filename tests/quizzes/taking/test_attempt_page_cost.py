"""What a quiz attempt page costs in SQL statements (issue 18's budget; no timing)."""
from __future__ import annotations

import re

from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form
from tests.quizzes.taking.test_views import attempt_id, item_at, start
from tests.sql_counter import statements


def test_attempt_page_reads_in_three_statements(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    attempt = start(client, cid)
    client.get(f"{attempt}?q=2")
    with statements(app) as seen:
        assert client.get(f"{attempt}?q=1").status_code == 200
    # 3, no spare: the learner's own attempt with its quiz joined (mode and title), the one
    # question version shown (not the whole layout's JSON), and the saved responses with the
    # flags in one statement (the navigation marks every question). The identity is 0: the
    # request before checked the grant, which holds for identity.GRANT_TTL. No write on a GET.
    assert len(seen) <= 3, seen
    assert not [s for s in seen if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    versions = [s for s in seen if " FROM quiz_question_version " in s]
    assert len(versions) == 1 and " IN (" not in versions[0], versions


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
