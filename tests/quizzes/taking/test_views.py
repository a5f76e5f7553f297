"""Learner quiz pages over HTTP: list, attempt, autosave, submit, review, privacy and bad input."""
import html as html_lib
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from course.db import db, utcnow
from course.models import Context
from quizzes.bank_loader import get_bank
from quizzes.models import SUBMITTED, Attempt, QuestionVersion, Quiz, ScoreOutbox
from quizzes.sync import ensure_course_quizzes
from tests.conftest import csrf_from, launch_as
from tests.quizzes.taking.test_attempts import right_form

FIRST = get_bank().quizzes[0]


def start(client: Any, cid: int, slug: str = FIRST.slug) -> str:
    """Press Start on a quiz page; returns the attempt URL."""
    page = client.get(f"/c/{cid}/quizzes/{slug}/")
    assert page.status_code == 200
    resp = client.post(f"/c/{cid}/quizzes/{slug}/start",
                       data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp.location


def attempt_id(url: str) -> int:
    """The attempt id in an attempt URL."""
    return int(re.search(r"/attempts/(\d+)/", url).group(1))


def item_at(app: Any, aid: int, position: int) -> dict[str, Any]:
    """The item dict shown at a position of an attempt."""
    with app.app_context():
        attempt = db.session.get(Attempt, aid)
        entry = attempt.layout[position - 1]
        return db.session.get(QuestionVersion, entry["question_version_id"]).data


def rows(app: Any, model: Any, *where: Any) -> int:
    """Count rows."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def set_quiz(app: Any, slug: str = FIRST.slug, **values: Any) -> None:
    """Change a quiz's settings in every course (materialising the shipped quizzes first)."""
    with app.app_context():
        for ctx in db.session.scalars(select(Context)):
            ensure_course_quizzes(ctx.id)
        for quiz in db.session.scalars(select(Quiz).where(Quiz.slug == slug)):
            for key, value in values.items():
                setattr(quiz, key, value)
        db.session.commit()


def words(text: str) -> str:
    """The words of a text or page, markup and spacing ignored, for containment checks."""
    plain = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    return " " + " ".join(re.findall(r"\w+", plain)) + " "


def rationales(value: Any) -> list[str]:
    """Every rationale text inside an item."""
    if isinstance(value, dict):
        found = [value["rationale"]] if isinstance(value.get("rationale"), str) else []
        return found + [r for v in value.values() for r in rationales(v)]
    if isinstance(value, list):
        return [r for v in value for r in rationales(v)]
    return []


@pytest.fixture
def learner(client, platform):
    """A launched learner: (client, cid)."""
    return client, launch_as(client, platform, "learner")


def test_quiz_list_status_grade_and_sync(learner):
    client, cid = learner
    html = client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    for spec in get_bank().quizzes:
        assert str(escape(spec.title)) in html
    assert "Not started" in html and "Nothing to send yet" in html
    url = start(client, cid)
    token = csrf_from(client.get(url + "finish").get_data(as_text=True))
    client.post(url + "submit", data={"csrf_token": token})
    html = client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    assert "0%" in html and "Pending" in html
    assert "Quizzes" in client.get(f"/c/{cid}/").get_data(as_text=True)


def test_answer_keys_never_reach_the_attempt_pages(app, learner):
    client, cid = learner
    for spec in get_bank().quizzes:
        url = start(client, cid, spec.slug)
        aid = attempt_id(url)
        with app.app_context():
            total = len(db.session.get(Attempt, aid).layout)
        for n in range(1, total + 1):
            html = client.get(f"{url}?q={n}").get_data(as_text=True)
            item = item_at(app, aid, n)
            page_words = words(html)
            for text in rationales(item):
                assert words(text) not in page_words, (item["id"], text)
            assert 'class="rationale' not in html and "Correct answer" not in html
            assert not [a for a in re.findall(r"data-[a-z-]+", html) if "correct" in a or "answer" in a]
            if item["type"] == "ordering":
                for opt in item["options"]:
                    assert f'value="{opt["id"]}"' not in html


def test_no_js_save_navigate_and_resume_after_tab_closed(app, learner):
    client, cid = learner
    url = start(client, cid)
    item = item_at(app, attempt_id(url), 1)
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "positions": "1", "go": "2", **right_form(item, "q1-")}
    resp = client.post(url, data=form)
    assert resp.status_code == 302 and resp.location.endswith("?q=2")
    # Tab closed: the learner comes back through the quiz page and resumes the same attempt.
    quiz_page = client.get(f"/c/{cid}/quizzes/{FIRST.slug}/").get_data(as_text=True)
    assert "Resume attempt 1" in quiz_page
    assert start(client, cid) == url
    again = client.get(url + "?q=1").get_data(as_text=True)
    assert again.count("checked") + again.count("selected") >= 1
    for value in right_form(item, "q1-").values():
        for v in value if isinstance(value, list) else [value]:
            assert re.search(rf'value="{re.escape(v)}"[^>]*(checked|selected)', again)


def test_autosave_json_with_csrf_header(app, learner):
    client, cid = learner
    url = start(client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    item = item_at(app, attempt_id(url), 1)
    data = {"positions": "1", **right_form(item, "q1-")}
    resp = client.post(url + "autosave", data=data, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.json["saved"] == [1]
    assert resp.json["state"] == "in_progress"
    assert "rationale" not in resp.get_data(as_text=True)
    assert client.post(url + "autosave", data=data).status_code == 400  # no CSRF token


@pytest.mark.parametrize("body", [
    {}, {"positions": "abc"}, {"positions": "999"}, {"positions": ["1"] * 600},
    {"positions": "-1"}, {"positions": ""},
])
def test_malformed_autosave_and_save_bodies_are_400(learner, body):
    client, cid = learner
    url = start(client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    resp = client.post(url + "autosave", data=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    resp = client.post(url, data={"csrf_token": token, **body})
    assert resp.status_code == 400


def test_json_body_and_junk_values_never_500(app, learner):
    client, cid = learner
    url = start(client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    resp = client.post(url + "autosave", json={"positions": [1]}, headers={"X-CSRFToken": token})
    assert resp.status_code == 400
    junk = {"positions": "1", "q1-opt": ["zzz", "\x00", "a" * 5000], "q1-row-r1": "nope"}
    resp = client.post(url + "autosave", data=junk, headers={"X-CSRFToken": token})
    assert resp.status_code in (200, 400)
    assert client.post(url + "submit", data={}).status_code == 400  # no CSRF token
    assert client.get(url + "?q=abc").status_code == 200


def test_invalid_answer_shown_back_not_saved(app, learner):
    client, cid = learner
    url = start(client, cid)
    aid = attempt_id(url)
    with app.app_context():
        layout = db.session.get(Attempt, aid).layout
    pos = next(e["position"] for e in layout if item_at(app, aid, e["position"])["type"] in ("mcq", "select_n"))
    item = item_at(app, aid, pos)
    token = csrf_from(client.get(url).get_data(as_text=True))
    picks = [o["id"] for o in item["options"]][: (item.get("select", 1) + 1)]
    resp = client.post(url, data={"csrf_token": token, "positions": str(pos), "go": "save",
                                  f"q{pos}-opt": picks})
    assert resp.status_code == 400 and "was not saved" in resp.get_data(as_text=True)


def test_double_submit_and_two_sessions_give_one_submission(app, platform):
    tabs = [app.test_client() for _ in range(2)]
    cids = [launch_as(c, platform, "learner", user="learner-9") for c in tabs]
    url = start(tabs[0], cids[0])
    tokens = [csrf_from(c.get(url + "finish").get_data(as_text=True)) for c in tabs]
    barrier, codes = threading.Barrier(2), []

    def press(i: int) -> None:
        """Submit from session i."""
        barrier.wait()
        codes.append(tabs[i].post(url + "submit", data={"csrf_token": tokens[i]}).status_code)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [302, 302]
    assert tabs[0].post(url + "submit", data={"csrf_token": tokens[0]}).status_code == 302
    assert rows(app, Attempt, Attempt.state == SUBMITTED) == 1
    assert rows(app, ScoreOutbox) == 1


def test_other_learners_and_other_courses_get_nothing(app, platform, learner):
    client, cid = learner
    url = start(client, cid)
    other = app.test_client()
    assert launch_as(other, platform, "learner", user="learner-2") == cid
    token = csrf_from(other.get(start(other, cid)).get_data(as_text=True))
    for path in ("", "?q=1", "finish", "review"):
        assert other.get(url + path).status_code == 404
    for path in ("", "autosave", "submit"):
        resp = other.post(url + path, data={"csrf_token": token, "positions": "1"},
                          headers={"X-CSRFToken": token})
        assert resp.status_code == 404
    stranger = app.test_client()
    cid2 = launch_as(stranger, platform, "learner", user="learner-1", context="course-2")
    assert cid2 != cid
    assert stranger.get(url).status_code == 401  # no grant for the first course
    assert stranger.get(url.replace(f"/c/{cid}/", f"/c/{cid2}/")).status_code == 404
    assert rows(app, Attempt, Attempt.state == SUBMITTED) == 0


def test_expired_attempt_page_load_reads_and_a_post_submits(app, learner):
    client, cid = learner
    set_quiz(app, time_limit_minutes=5)
    url = start(client, cid)
    html = client.get(url).get_data(as_text=True)
    assert 'id="quiz-timer"' in html and 'data-seconds-left="' in html
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id(url))
        attempt.deadline_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    for page in (url, url + "finish", url + "review"):  # a GET says time is up and writes nothing
        resp = client.get(page)
        assert resp.status_code == 200 and "Time is up" in resp.get_data(as_text=True)
    assert rows(app, Attempt, Attempt.state == SUBMITTED) == 0 and rows(app, ScoreOutbox) == 0
    token = csrf_from(client.get(url).get_data(as_text=True))
    resp = client.post(url + "submit", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.location.endswith("/review")
    assert "Time is up" in client.get(resp.location).get_data(as_text=True)
    assert rows(app, Attempt, Attempt.state == SUBMITTED) == 1 and rows(app, ScoreOutbox) == 1


@pytest.mark.parametrize("review,shows_parts,shows_why", [
    ("score", False, False), ("correctness", True, False), ("rationales", True, True)])
def test_review_page_follows_the_review_setting(app, learner, review, shows_parts, shows_why):
    client, cid = learner
    set_quiz(app, review=review, review_when="after_each")
    url = start(client, cid)
    item = item_at(app, attempt_id(url), 1)
    token = csrf_from(client.get(url).get_data(as_text=True))
    client.post(url, data={"csrf_token": token, "positions": "1", "go": "save",
                           **right_form(item, "q1-")})
    client.post(url + "submit", data={"csrf_token": token})
    html = client.get(url + "review").get_data(as_text=True)
    assert "Score:" in html
    assert ("Your answer:" in html) is shows_parts
    some = str(escape(rationales(item)[0].strip()[:40]))
    assert (some in html) is shows_why


def test_after_last_hides_details_until_attempts_are_used(app, learner):
    client, cid = learner
    set_quiz(app, review="rationales", review_when="after_last", attempts_allowed=2)
    for expected in (False, True):
        url = start(client, cid)
        token = csrf_from(client.get(url).get_data(as_text=True))
        client.post(url + "submit", data={"csrf_token": token})
        html = client.get(url + "review").get_data(as_text=True)
        assert ("Your answer:" in html) is expected


def test_drafts_hidden_from_learners_and_static_files_served(app, platform, learner):
    client, cid = learner
    set_quiz(app, published=False)
    assert client.get(f"/c/{cid}/quizzes/{FIRST.slug}/").status_code == 404
    assert str(escape(FIRST.title)) not in client.get(f"/c/{cid}/quizzes/").get_data(as_text=True)
    teacher = app.test_client()
    launch_as(teacher, platform, "instructor")
    assert teacher.get(f"/c/{cid}/quizzes/{FIRST.slug}/").status_code == 200
    set_quiz(app, published=True)
    page = client.get(start(client, cid)).get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/[^"]*/static/[^"]+)"', page)
    assert any(a.endswith("attempt.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_history_lists_attempts_with_scores(learner):
    client, cid = learner
    url = start(client, cid)
    token = csrf_from(client.get(url).get_data(as_text=True))
    client.post(url + "submit", data={"csrf_token": token})
    html = client.get(f"/c/{cid}/quizzes/history").get_data(as_text=True)
    assert "Attempt 1" in html and str(escape(FIRST.title)) in html and "0%" in html


def test_instructor_trying_a_quiz_sends_no_score(app, platform):
    teacher = app.test_client()
    cid = launch_as(teacher, platform, "instructor")
    url = start(teacher, cid)
    token = csrf_from(teacher.get(url).get_data(as_text=True))
    assert teacher.post(url + "submit", data={"csrf_token": token}).status_code == 302
    assert rows(app, Attempt, Attempt.state == SUBMITTED) == 1
    assert rows(app, ScoreOutbox) == 0
