"""What a quiz attempt page costs in SQL statements (issue 18's budget; no timing)."""
from __future__ import annotations

from tests.conftest import launch_as
from tests.quizzes.taking.test_views import start
from tests.sql_counter import statements


def test_attempt_page_reads_in_five_statements(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    attempt = start(client, cid)
    client.get(f"{attempt}?q=2")
    with statements(app) as seen:
        assert client.get(f"{attempt}?q=1").status_code == 200
    # 5, no spare: the learner's own attempt, the one question version shown (not the whole
    # layout's JSON), the saved responses and the flags (the navigation marks every question),
    # and the quiz (its mode and title). The identity is 0: the request before checked the
    # grant, which holds for identity.GRANT_TTL. No write on a GET.
    assert len(seen) <= 5, seen
    assert not [s for s in seen if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    versions = [s for s in seen if " FROM quiz_question_version " in s]
    assert len(versions) == 1 and " IN (" not in versions[0], versions
