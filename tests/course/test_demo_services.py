"""The demo platform's token, AGS, NRPS and deep-link endpoints accept the tool's real requests."""
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import jwt
import pytest
from sqlalchemy import select

from course.db import db
from course.lti import ags, http, nrps, tokens
from course.lti.demo.models import DemoScore
from course.models import Context, Registration
from tests.conftest import build_app
from tests.course.test_demo_platform import demo_launch
from tests.platform import FlaskAdapter, new_private_key

QUIZ = SimpleNamespace(slug="quiz-spasticity", title="Check your understanding: spasticity")
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def demo_app(tmp_path):
    """The app with the demo platform on; the tool's HTTP calls to it stay in-process."""
    application = build_app(tmp_path, DEMO_PLATFORM=True)
    adapter = FlaskAdapter(application)
    http.mount("http://localhost/", adapter)
    application.extensions["test_adapter"] = adapter
    yield application
    http.unmount_all()


def _demo_context(course: str = "demo-course-1") -> Context:
    """The tool's context row for a demo course (after someone launched into it)."""
    return db.session.scalars(select(Context).where(Context.context_id == course)).one()


def _send(app, score: float, minutes: int = 0, user: str = "demo-learner") -> None:
    """Score the quiz for a demo person through the real AGS client."""
    with app.app_context():
        ctx = _demo_context()
        url = ags.line_item_for_quiz(ctx, QUIZ)
        ags.post_score(ctx, url, ags.score_payload(user, score, 100,
                                                   WHEN + timedelta(minutes=minutes)))


def test_score_is_accepted_and_shown_in_the_gradebook(demo_app):
    assert demo_launch(demo_app.test_client()).status_code == 302
    _send(demo_app, 85)
    page = demo_app.test_client().get("/demo/gradebook").get_data(as_text=True)
    assert "Alex Morgan" in page and QUIZ.title in page and "85 / 100" in page
    assert "2026-03-02 09:30:00" in page
    calls = demo_app.extensions["test_adapter"].calls
    assert sum("/demo/token" in c for c in calls) == 1


def test_scores_are_idempotent_and_newest_wins(demo_app):
    demo_launch(demo_app.test_client())
    _send(demo_app, 60, minutes=5)
    _send(demo_app, 60, minutes=5)  # a retried delivery
    _send(demo_app, 40, minutes=1)  # an older score arriving late
    with demo_app.app_context():
        assert [s.score_given for s in db.session.scalars(select(DemoScore))] == [60]
    _send(demo_app, 95, minutes=9)
    with demo_app.app_context():
        assert [s.score_given for s in db.session.scalars(select(DemoScore))] == [95]
    calls = demo_app.extensions["test_adapter"].calls
    assert sum(c.startswith("POST") and c.endswith("/lineitems") for c in calls) == 1


def test_token_endpoint_refuses_an_assertion_not_signed_by_the_tool(demo_app):
    demo_launch(demo_app.test_client())
    with demo_app.app_context():
        reg = db.session.scalars(select(Registration)).one()
        good = tokens.client_assertion(reg)
    # Same claims and kid as the tool's, signed with a key the tool never published.
    forged = jwt.encode(jwt.decode(good, options={"verify_signature": False}), new_private_key(),
                        algorithm="RS256", headers={"kid": jwt.get_unverified_header(good)["kid"]})
    form = {"grant_type": "client_credentials", "scope": tokens.SCOPE_SCORE,
            "client_assertion_type": tokens.ASSERTION_TYPE}
    client = demo_app.test_client()
    assert client.post("/demo/token", data={**form, "client_assertion": forged}).status_code == 401
    answer = client.post("/demo/token", data={**form, "client_assertion": good})
    assert answer.status_code == 200 and answer.get_json()["access_token"]


def test_services_need_a_token(demo_app):
    client = demo_app.test_client()
    assert client.get("/demo/ags/demo-course-1/lineitems").status_code == 401
    assert client.get("/demo/nrps/demo-course-1/memberships",
                      headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_roster_lists_a_learner_who_never_launched(demo_app):
    demo_launch(demo_app.test_client(), person="demo-instructor")
    with demo_app.app_context():
        roster = nrps.fetch_roster(_demo_context())
    names = {m.name: m.role for m in roster}
    assert names["Riley Chen"] == "learner" and names["Dr Jordan Rivera"] == "instructor"
    assert {"Alex Morgan", "Sam Patel"} <= set(names)


def test_deep_linking_round_trip_on_the_demo_platform(demo_app):
    client = demo_app.test_client()
    resp = demo_launch(client, person="demo-instructor", kind="deep_link")
    assert resp.status_code == 302 and "/deep-link" in resp.location
    page = client.get(resp.location).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    reply = client.post(resp.location, data={"csrf_token": csrf, "action": "add",
                                             "item": ["quiz:quiz-spasticity", "module:spasticity"]})
    html = reply.get_data(as_text=True)
    action = re.search(r'action="([^"]+)" id="deep-link-return"', html).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    assert action == "http://localhost/demo/deep-link-return"
    shown = client.post(action, data={"JWT": token})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Content added" in text
    assert "Check your understanding: spasticity" in text and "out of 100" in text
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    assert client.post(action, data={"JWT": tampered}).status_code == 400
