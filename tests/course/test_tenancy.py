"""Course pages need a launch into that very context; instructor pages need staff roles."""
from tests.conftest import launch_as


def test_course_page_without_launch_is_401(client):
    resp = client.get("/c/1/")
    assert resp.status_code == 401
    assert "launch" in resp.get_data(as_text=True).lower()


def test_learner_of_one_context_cannot_open_another(app, platform):
    alice, bob = app.test_client(), app.test_client()
    cid_a = launch_as(alice, platform, "learner", context="course-a", user="alice")
    cid_b = launch_as(bob, platform, "learner", context="course-b", user="bob")
    assert alice.get(f"/c/{cid_b}/").status_code == 401
    assert bob.get(f"/c/{cid_a}/").status_code == 401
    assert alice.get(f"/c/{cid_a}/").status_code == 200


def test_forged_session_grant_for_other_user_is_refused(app, platform, register):
    other = register(issuer="https://other.test", client_id="x")
    browser = app.test_client()
    cid_other = launch_as(app.test_client(), other, "learner", context="o")
    launch_as(browser, platform, "learner")
    with browser.session_transaction() as sess:
        grants = dict(sess["grants"])
        mine = next(iter(grants.values()))
        grants[str(cid_other)] = mine  # a user of platform 1 claims platform 2's course
        sess["grants"] = grants
    assert browser.get(f"/c/{cid_other}/").status_code == 401
