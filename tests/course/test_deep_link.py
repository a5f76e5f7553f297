"""Deep Linking 2.0 round trip: picker, signed response, validation by the independent platform."""
import base64
import json
import re

from course.lti import deep_link as dl
from course.lti.http import http_session
from tests.conftest import csrf_from, launch_as
from tests.platform import new_private_key
from tests.platform_services import deep_link_launch, services  # noqa: F401 (fixture)

QUIZ_KEY, MODULE_KEY = "quiz:quiz-weakness", "module:weakness"


def _picker(client, platform, services, **kwargs) -> tuple[str, str]:  # noqa: F811
    """Deep-link launch as the instructor; returns (picker URL, CSRF token)."""
    resp = deep_link_launch(client, platform, services, **kwargs)
    assert resp.status_code == 302 and re.search(r"/lti/c/\d+/deep-link$", resp.location)
    page = client.get(resp.location)
    assert page.status_code == 200
    return resp.location, csrf_from(page.get_data(as_text=True))


def _reply(html: str) -> tuple[str, str]:
    """The auto-post form's action and JWT."""
    action = re.search(r'<form method="post" action="([^"]+)" id="deep-link-return"', html)
    token = re.search(r'name="JWT" value="([^"]+)"', html)
    assert action and token, html
    return action.group(1), token.group(1)


def _to_platform(action: str, token: str):
    """POST the response to the platform's deep-link return URL, as the browser would."""
    return http_session().post(action, data={"JWT": token})


def test_round_trip_quiz_and_module(client, platform, services):  # noqa: F811
    url, csrf = _picker(client, platform, services, data="opaque-42")
    page = client.get(url).get_data(as_text=True)
    assert "Check your understanding: weakness" in page and 'value="module:weakness"' in page
    resp = client.post(url, data={"csrf_token": csrf, "item": [QUIZ_KEY, MODULE_KEY],
                                  "action": "add"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "/static/course/autopost.js" in html and "<script>" not in html
    action, token = _reply(html)
    assert action == f"{platform.issuer}/deep-link-return"
    answer = _to_platform(action, token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == "opaque-42"
    [items] = services.deep_links
    by_resource = {i["custom"]["resource"]: i for i in items}
    assert set(by_resource) == {QUIZ_KEY, MODULE_KEY}
    quiz, module = by_resource[QUIZ_KEY], by_resource[MODULE_KEY]
    assert all(i["type"] == "ltiResourceLink" and i["url"] == "http://localhost/lti/launch"
               for i in items)
    assert quiz["lineItem"] == {"scoreMaximum": 100, "label": quiz["title"],
                                "resourceId": QUIZ_KEY, "tag": "quiz"}
    assert quiz["title"] == "Check your understanding: weakness"
    assert "lineItem" not in module and module["title"] == "Weakness"


def test_cancel_sends_an_empty_response(client, platform, services):  # noqa: F811
    url, csrf = _picker(client, platform, services)
    resp = client.post(url, data={"csrf_token": csrf, "action": "cancel"})
    answer = _to_platform(*_reply(resp.get_data(as_text=True)))
    assert answer.status_code == 200 and services.deep_links == [[]]


def test_tampered_response_is_rejected_by_the_platform(client, platform, services):  # noqa: F811
    url, csrf = _picker(client, platform, services)
    resp = client.post(url, data={"csrf_token": csrf, "item": [MODULE_KEY], "action": "add"})
    action, token = _reply(resp.get_data(as_text=True))
    header, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims[dl.CONTENT_ITEMS][0]["custom"]["resource"] = "quiz:quiz-final-cases"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert _to_platform(action, f"{header}.{forged_body}.{signature}").status_code == 400
    assert services.deep_links == []
    assert _to_platform(action, token).status_code == 200  # the untouched one still passes


def test_learner_cannot_open_or_submit_the_picker(app, platform, services):  # noqa: F811
    learner = app.test_client()
    url = deep_link_launch(learner, platform, services, role="learner").location
    assert learner.get(url).status_code == 403
    app.config["WTF_CSRF_ENABLED"] = False  # so the role check, not CSRF, is what refuses
    posted = learner.post(url, data={"item": [QUIZ_KEY], "action": "add"})
    assert posted.status_code == 403 and "JWT" not in posted.get_data(as_text=True)


def test_response_signed_with_a_learners_key_is_rejected(client, platform,
                                                         services):  # noqa: F811
    real_kid = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    items = [dl.content_item(dl.Choice("quiz", "quiz-weakness", "Forged"), "http://localhost/")]
    body = dl.response_claims({}, platform.issuer, platform.client_id, platform.deployment_id,
                              items)
    for kid in (real_kid, "learner-key"):
        forged = dl.sign(body, new_private_key(), kid)
        assert _to_platform(f"{platform.issuer}/deep-link-return", forged).status_code == 400
    assert services.deep_links == []


def test_resource_launch_cannot_answer_deep_linking(client, platform, services):  # noqa: F811
    cid = launch_as(client, platform, "instructor")
    assert client.get(f"/lti/c/{cid}/deep-link").status_code == 400


def test_one_response_per_request(client, platform, services):  # noqa: F811
    url, csrf = _picker(client, platform, services)
    form = {"csrf_token": csrf, "item": [MODULE_KEY], "action": "add"}
    assert client.post(url, data=form).status_code == 200
    assert client.post(url, data=form).status_code == 400


def test_single_item_platform_refuses_two(client, platform, services):  # noqa: F811
    url, csrf = _picker(client, platform, services, multiple=False)
    assert 'type="radio"' in client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"csrf_token": csrf, "item": [QUIZ_KEY, MODULE_KEY],
                                  "action": "add"})
    assert resp.status_code == 400


def test_unknown_item_missing_choice_and_missing_csrf(client, platform, services):  # noqa: F811
    url, csrf = _picker(client, platform, services)
    assert client.post(url, data={"csrf_token": csrf, "item": ["quiz:nope"],
                                  "action": "add"}).status_code == 400
    assert client.post(url, data={"csrf_token": csrf, "action": "add"}).status_code == 400
    assert client.post(url, data={"item": [MODULE_KEY], "action": "add"}).status_code == 400


def test_autopost_script_is_served_as_javascript(client):
    resp = client.get("/static/course/autopost.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert "data-autopost" in resp.get_data(as_text=True)
