"""AGS client and token cache against the independent test platform's services."""
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
import requests

from course.db import db
from course.lti import ags, tokens
from course.models import Context
from tests.platform_services import launch_with_services, services  # noqa: F401 (fixture)

QUIZ = SimpleNamespace(slug="quiz-weakness", title="Check your understanding: weakness")
OTHER = SimpleNamespace(slug="quiz-spasticity", title="Spasticity quiz")


def _context(cid: int) -> Context:
    """The tool's context row (inside an app context)."""
    ctx = db.session.get(Context, cid)
    assert ctx is not None
    return ctx


def _payload(user: str = "learner-1", score: float = 80, minutes: int = 0) -> dict:
    """A score with a distinct timestamp per `minutes`."""
    when = datetime(2026, 1, 5, 10, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return ags.score_payload(user, score, 100, when)


@pytest.fixture
def course(app, client, platform, services):  # noqa: F811
    """A learner launched with AGS and NRPS claims; yields (context id, services)."""
    cid = launch_with_services(client, platform, services, "learner")
    return cid


def _deliver(app, cid: int, payload: dict, quiz=QUIZ) -> str:
    """Find or create the quiz's line item and post one score, in a fresh app context."""
    with app.app_context():
        ctx = _context(cid)
        url = ags.line_item_for_quiz(ctx, quiz)
        ags.post_score(ctx, url, payload)
        return url


def test_scores_url_inserts_before_query():
    moodle = "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=5"
    assert ags.scores_url(moodle) == \
        "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=5"
    assert ags.scores_url("https://lms.example/items/9/") == "https://lms.example/items/9/scores"


def test_score_reaches_moodle_style_scores_endpoint(app, course, services):  # noqa: F811
    url = _deliver(app, course, _payload(score=72.5))
    assert url.endswith("/lineitem?type_id=5")
    [score] = services.scores
    assert score["lineitem"] == url and score["query"] == "type_id=5"
    assert score["scoreGiven"] == 72.5 and score["userId"] == "learner-1"
    assert any(call.startswith("POST ") and "/lineitem/scores?type_id=5" in call
               for call in services.adapter.calls)


def test_token_is_cached_across_calls_and_app_contexts(app, course, services):  # noqa: F811
    _deliver(app, course, _payload(minutes=1))
    _deliver(app, course, _payload(minutes=2))
    _deliver(app, course, _payload(user="learner-2", minutes=3), quiz=OTHER)
    assert len(services.token_requests) == 1
    assert len(services.scores) == 3


def test_two_registrations_never_share_a_token(app, register, services):  # noqa: F811
    first = register(issuer="https://canvas.test", client_id="school-a")
    second = register(issuer="https://canvas.test", client_id="school-b")
    cid_a = launch_with_services(app.test_client(), first, services, "learner")
    cid_b = launch_with_services(app.test_client(), second, services, "learner")
    _deliver(app, cid_a, _payload())
    _deliver(app, cid_b, _payload())
    assert sorted(t["client_id"] for t in services.token_requests) == ["school-a", "school-b"]
    assert sorted(s["client_id"] for s in services.scores) == ["school-a", "school-b"]


def test_expired_token_is_fetched_again(app, course, services, monkeypatch):  # noqa: F811
    _deliver(app, course, _payload(minutes=1))
    later = tokens._now() + services.token_lifetime
    monkeypatch.setattr(tokens, "_now", lambda: later)
    _deliver(app, course, _payload(minutes=2))
    assert len(services.token_requests) == 2 and len(services.scores) == 2


def test_401_drops_the_token_and_retries_once(app, course, services):  # noqa: F811
    _deliver(app, course, _payload(minutes=1))
    services.revoke_tokens()  # the platform forgets the token before it expires
    _deliver(app, course, _payload(minutes=2))
    assert len(services.token_requests) == 2 and len(services.scores) == 2


def test_repeated_401_at_scores_is_a_setting_to_fix_not_a_final_failure(app, course,
                                                                       services):  # noqa: F811
    # A generic platform that refuses fresh tokens at /scores (Moodle refuses at the token
    # endpoint instead: see test_moodle_grade_sync_off_refuses_the_token_not_the_score).
    url = _deliver(app, course, _payload(minutes=1))
    services.fail_next(2, status=401, path="/scores")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(minutes=2))
    assert "grade sync" in err.value.message and "Moodle" not in err.value.message
    assert err.value.retryable and err.value.status == 401 and err.value.problem == tokens.CONFIG
    assert len(services.token_requests) == 2  # dropped after the first 401, retried once


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_and_403_are_configuration_problems(app, course, services,  # noqa: F811
                                                          status):
    url = _deliver(app, course, _payload(minutes=1))
    services.fail_next(2, status=status, path="/scores")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(minutes=2))
    assert err.value.problem == tokens.CONFIG and err.value.retryable


@pytest.mark.parametrize("error", ["invalid_scope", "unauthorized_client", "invalid_client"])
def test_moodle_grade_sync_off_refuses_the_token_not_the_score(app, course, services,  # noqa: F811
                                                               error):
    url = _deliver(app, course, _payload(minutes=1))
    with app.app_context():
        tokens.drop_token(_context(course).registration, _context(course).ags_scopes)
        ctx = _context(course)
        ctx.registration.auth_token_url = ctx.registration.auth_token_url.replace(
            "/token", "/mod/lti/token.php")
        ctx.registration.auth_audience = None
        db.session.commit()
    if error == "invalid_scope":
        services.grade_sync = False  # what real Moodle 4.5 does
    else:
        services.fail_next(1, status=400 if error != "invalid_client" else 401, path="token",
                           body=f'{{"error": "{error}"}}'.encode())
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(minutes=2))
    assert err.value.problem == tokens.CONFIG and err.value.retryable
    assert "Use this service for grade sync and column management" in err.value.message
    assert "Manage tools" in err.value.message
    assert error in err.value.message
    services.grade_sync = True
    _deliver(app, course, _payload(minutes=3))
    assert [s["timestamp"][11:16] for s in services.scores] == ["10:01", "10:03"]


def test_canvas_not_a_student_is_final_for_that_learner(app, course, services):  # noqa: F811
    url = _deliver(app, course, _payload(minutes=1))
    services.not_students.add("learner-2")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(user="learner-2", minutes=2))
    assert not err.value.retryable and err.value.status == 422
    assert err.value.problem == ags.LEARNER and "not a student" in err.value.message


def test_results_are_read_page_by_page(app, course, services):  # noqa: F811
    services.page_size = 2
    url = _deliver(app, course, _payload(minutes=1))
    for n in range(2, 6):
        _deliver(app, course, _payload(user=f"learner-{n}", score=10 * n, minutes=n))
    with app.app_context():
        results = ags.fetch_results(_context(course), url)
    assert sorted((r["userId"], r["resultScore"]) for r in results) == [
        ("learner-1", 80), ("learner-2", 20), ("learner-3", 30), ("learner-4", 40),
        ("learner-5", 50)]


def test_results_without_the_scope_say_so(app, course, services):  # noqa: F811
    url = _deliver(app, course, _payload(minutes=1))
    with app.app_context():
        ctx = _context(course)
        ctx.ags_scopes = [s for s in ctx.ags_scopes if not s.endswith("result.readonly")]
        db.session.commit()
        with pytest.raises(ags.AgsError) as err:
            ags.fetch_results(_context(course), url)
    assert "result.readonly" in err.value.message and "did not grant" in err.value.message


@pytest.mark.parametrize("dates, expected", [
    ({}, {}),
    ({"open_at": None, "close_at": None}, {}),
    ({"open_at": datetime(2031, 3, 1, 9, 0, tzinfo=UTC)}, {"startDateTime": "2031-03-01T09:00:00Z"}),
    ({"close_at": datetime(2031, 3, 8, 17, 30)},  # naive (SQLite) is UTC
     {"endDateTime": "2031-03-08T17:30:00Z"}),
    ({"open_at": datetime(2031, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1))),
      "close_at": datetime(2031, 3, 8, 17, 30, tzinfo=UTC)},
     {"startDateTime": "2031-03-01T09:00:00Z", "endDateTime": "2031-03-08T17:30:00Z"}),
])
def test_line_item_body_carries_the_quiz_dates(dates, expected):
    quiz = SimpleNamespace(slug="quiz-weakness", title="Weakness", **dates)
    assert ags.line_item_body(quiz) == {"label": "Weakness", "scoreMaximum": 100,
                                        "resourceId": "quiz:quiz-weakness", "tag": "quiz",
                                        **expected}


def test_line_item_is_created_once_then_found(app, course, services):  # noqa: F811
    with app.app_context():
        first = ags.line_item_for_quiz(_context(course), QUIZ)
        again = ags.line_item_for_quiz(_context(course), QUIZ)
        other = ags.line_item_for_quiz(_context(course), OTHER)
    assert first == again != other
    mine = [i for i in services.line_items if i["resourceId"] == "quiz:quiz-weakness"]
    assert len(mine) == 1
    assert mine[0]["label"] == QUIZ.title and mine[0]["scoreMaximum"] == 100
    assert mine[0]["tag"] == "quiz"


def test_pagination_keeps_mixed_case_links_over_three_pages(app, platform, course,
                                                            services):  # noqa: F811
    services.page_size, services.honour_filters = 2, False
    for n in range(5):
        services.add_line_item(platform, "course-1", f"Other {n}", f"other:{n}")
    target = services.add_line_item(platform, "course-1", QUIZ.title, "quiz:quiz-weakness")
    with app.app_context():
        assert ags.line_item_for_quiz(_context(course), QUIZ) == target["id"]
    gets = [c for c in services.adapter.calls if c.startswith("GET ") and "/lineitems?" in c]
    assert len(gets) == 3 and "cursor=Page3Of3" in gets[-1]
    assert len(services.line_items) == 6  # found on page 3, nothing created


def test_next_link_keeps_case_and_finds_rel_next():
    resp = requests.Response()
    resp.headers["Link"] = ('<https://LMS.example/Api/Items?Cursor=AbC>; rel="prev", '
                            '<https://LMS.example/Api/Items?Cursor=XyZ>; rel="next"')
    assert tokens.next_link(resp) == "https://LMS.example/Api/Items?Cursor=XyZ"


def test_launch_line_item_wins_for_its_own_resource_link(app, platform, client,
                                                         services):  # noqa: F811
    own = services.add_line_item(platform, "course-1", QUIZ.title, "quiz:quiz-weakness")
    cid = launch_with_services(client, platform, services, "learner", lineitem=own["id"],
                               custom={"resource": "quiz:quiz-weakness"})
    with client.session_transaction() as sess:
        launch_id = sess["grants"][str(cid)]["l"]
    with app.test_request_context():
        assert ags.launch_lineitem(launch_id, QUIZ) == own["id"]
        assert ags.launch_lineitem(launch_id, OTHER) is None
        assert ags.launch_lineitem("no-such-launch", QUIZ) is None
    with app.app_context():
        assert ags.line_item_for_quiz(_context(cid), QUIZ, own["id"]) == own["id"]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_and_throttling_are_retryable(app, course, services, status):  # noqa: F811
    url = _deliver(app, course, _payload(minutes=1))
    services.fail_next(1, status=status, path="/scores")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(minutes=2))
    assert err.value.retryable and err.value.status == status


@pytest.mark.parametrize("fault", ["timeout", "disconnect"])
def test_timeouts_and_connection_errors_are_retryable(app, course, services, fault):  # noqa: F811
    url = _deliver(app, course, _payload(minutes=1))
    if fault == "timeout":
        services.timeout_next(1, processed=False, path="/scores")
    else:
        services.disconnect_next(1, path="/scores")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(minutes=2))
    assert err.value.retryable and err.value.status is None


def test_bad_request_is_not_retryable(app, course, services):  # noqa: F811
    url = _deliver(app, course, _payload(minutes=1))
    services.fail_next(1, status=400, path="/scores")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.post_score(_context(course), url, _payload(minutes=2))
    assert not err.value.retryable and err.value.status == 400


def test_lost_answer_then_retry_is_applied_once(app, course, services):  # noqa: F811
    url = _deliver(app, course, _payload(minutes=1))
    services.timeout_next(1, processed=True, path="/scores")
    payload = _payload(score=90, minutes=2)
    with app.app_context():
        with pytest.raises(ags.AgsError) as err:
            ags.post_score(_context(course), url, payload)
        assert err.value.retryable
        ags.post_score(_context(course), url, payload)  # the outbox's retry
    assert len(services.received) == 3
    assert [s["scoreGiven"] for s in services.scores] == [80, 90]


def test_course_without_grade_service_is_a_permanent_error(app, client, platform):
    from tests.conftest import launch_as
    cid = launch_as(client, platform, "learner")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.line_item_for_quiz(_context(cid), QUIZ)
    assert not err.value.retryable and "AGS" in err.value.message


def test_token_endpoint_outage_is_retryable(app, course, services):  # noqa: F811
    services.fail_next(1, status=503, path="/token")
    with app.app_context(), pytest.raises(ags.AgsError) as err:
        ags.line_item_for_quiz(_context(course), QUIZ)
    assert err.value.retryable
