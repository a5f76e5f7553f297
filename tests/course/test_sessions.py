"""Course sessions end: idle timeout, absolute lifetime, a removed membership, and Sign out."""
import time

import pytest
from sqlalchemy import delete, update

from course import identity, members
from course.db import db
from course.models import Membership
from course.session_lifetime import EXPIRED, IDLE, Lifetime, needs_touch, session_ended
from tests.conftest import csrf_from, launch, launch_as
from tests.platform import INSTRUCTOR

HOUR = 3600
LIFE = Lifetime(idle_seconds=8 * HOUR, max_seconds=24 * HOUR)


@pytest.mark.parametrize("issued, seen, now, expected", [
    (0, 0, 1, None),
    (0, 0, 8 * HOUR - 1, None),
    (0, 0, 8 * HOUR, IDLE),
    (0, 7 * HOUR, 15 * HOUR - 1, None),  # used recently: the idle clock restarts
    (0, 23 * HOUR, 24 * HOUR, EXPIRED),  # in use all day, but the launch is a day old
    (0, 30 * HOUR, 24 * HOUR, EXPIRED),  # a "last seen" in the future buys nothing
    (10 * HOUR, 0, 11 * HOUR, None),  # last seen before the launch counts from the launch
    (0, 0, 100 * HOUR, EXPIRED),
])
def test_lifetime_rule(issued, seen, now, expected):
    assert session_ended(issued, seen, now, LIFE) == expected


def test_touch_is_bounded():
    assert not needs_touch(100, 130) and needs_touch(100, 160)


class Clock:
    """A stand-in for the time module in course.identity, moved by the test."""

    def __init__(self) -> None:
        """Start at the real now."""
        self.now = time.time()

    def time(self) -> float:
        """The current fake time."""
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Control the time course.identity sees (launch first, then move it)."""
    fake = Clock()
    monkeypatch.setattr(identity, "time", fake)
    return fake


def _ended(resp, words):
    """A clear 401 page asking to open the tool again."""
    text = resp.get_data(as_text=True)
    return resp.status_code == 401 and words in text and "Open the activity again" in text


def test_idle_session_ends_with_a_clear_page(client, platform, clock):
    cid = launch_as(client, platform, "learner")
    clock.now += 8 * HOUR - 120
    assert client.get(f"/c/{cid}/").status_code == 200
    clock.now += 8 * HOUR - 120  # used just now: still fine
    assert client.get(f"/c/{cid}/").status_code == 200
    clock.now += 8 * HOUR + 1
    assert _ended(client.get(f"/c/{cid}/"), "not used for a while")
    assert client.get(f"/c/{cid}/").status_code == 401  # the grant is gone


def test_absolute_lifetime_ends_a_busy_session(client, platform, clock):
    cid = launch_as(client, platform, "learner")
    for _ in range(3):
        clock.now += 7 * HOUR
        assert client.get(f"/c/{cid}/").status_code == 200
    clock.now += 3 * HOUR + 1
    assert _ended(client.get(f"/c/{cid}/"), "time limit")


def test_lifetimes_are_settings(app, platform, clock):
    app.config.update(SESSION_IDLE_MINUTES=1, SESSION_MAX_HOURS=1)
    browser = app.test_client()
    cid = launch_as(browser, platform, "learner")
    clock.now += 61
    assert _ended(browser.get(f"/c/{cid}/"), "not used for a while")


def test_grant_without_timestamps_counts_as_expired(app, client, platform):
    cid = launch_as(client, platform, "learner")
    with client.session_transaction() as sess:
        grants = dict(sess["grants"])
        grants[str(cid)] = {k: grants[str(cid)][k] for k in ("u", "r", "l")}  # as before lifetimes
        sess["grants"] = grants
    assert _ended(client.get(f"/c/{cid}/"), "time limit")


def test_removed_membership_ends_the_session_within_the_grant_ttl(app, client, platform,
                                                                 monkeypatch):
    # Another process (or the database itself) removes the membership: this process trusts its
    # last check for at most GRANT_TTL seconds, then reads the membership and ends the session.
    clock = {"now": 5000.0}
    monkeypatch.setattr(identity, "monotonic", lambda: clock["now"])
    cid = launch_as(client, platform, "learner")
    assert client.get(f"/c/{cid}/").status_code == 200
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.context_id == cid))
        db.session.commit()
    clock["now"] += identity.GRANT_TTL - 1
    assert client.get(f"/c/{cid}/").status_code == 200  # within the TTL it may still answer
    clock["now"] += 1
    resp = client.get(f"/c/{cid}/")
    assert resp.status_code == 401 and "no longer a member" in resp.get_data(as_text=True)
    clock["now"] -= identity.GRANT_TTL  # the ended grant is gone from the session for good
    assert client.get(f"/c/{cid}/").status_code == 401


def test_a_removal_in_this_process_ends_the_session_at_once(app, client, platform, monkeypatch):
    monkeypatch.setattr(identity, "monotonic", lambda: 5000.0)  # the clock never moves
    cid = launch_as(client, platform, "learner")
    assert client.get(f"/c/{cid}/").status_code == 200
    with app.app_context():
        assert members.remove_member(cid, "learner-1")
    assert client.get(f"/c/{cid}/").status_code == 401


def test_changed_role_ends_the_session(app, client, platform):
    cid = launch_as(client, platform, "instructor")
    with app.app_context():
        db.session.execute(update(Membership).values(role="learner"))
        db.session.commit()
    assert client.get(f"/c/{cid}/quizzes/instructor/gradebook").status_code == 401
    with app.app_context():
        db.session.execute(update(Membership).values(role="instructor"))
        db.session.commit()
    assert client.get(f"/c/{cid}/").status_code == 401  # the ended grant was removed


def test_sign_out_clears_every_grant(app, client, platform):
    first = launch_as(client, platform, "learner", context="c1")
    second = launch_as(client, platform, "learner", context="c2")
    html = client.get(f"/c/{first}/").get_data(as_text=True)
    assert 'action="/sign-out"' in html and "Sign out" in html
    assert client.post("/sign-out").status_code == 400  # no CSRF token
    assert client.get(f"/c/{first}/").status_code == 200
    page = client.post("/sign-out", data={"csrf_token": csrf_from(html)})
    assert page.status_code == 200 and "You are signed out" in page.get_data(as_text=True)
    assert client.get(f"/c/{first}/").status_code == 401
    assert client.get(f"/c/{second}/").status_code == 401


def test_relaunch_replaces_the_session(app, client, platform, clock):
    cid = launch_as(client, platform, "learner", user="u1")
    clock.now += 30 * HOUR
    assert client.get(f"/c/{cid}/").status_code == 401
    clock.now = time.time()  # the launch itself is checked by the real clock
    resp = launch(client, platform, user="u1", roles=(INSTRUCTOR,))
    assert resp.status_code == 302
    assert "Instructor view" in client.get(f"/c/{cid}/").get_data(as_text=True)
