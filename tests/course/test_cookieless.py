"""Launches and course sessions when the browser sends the tool no cookies (issue 12 §2).

Every client here is built with use_cookies=False: the state cookie of the login and the session
cookie of the launch never come back, as in an LMS iframe with third-party cookies blocked.
"""
import re
import time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient

from modules.views import web_course
from tests.platform import INSTRUCTOR, LEARNER, TOOL, TestPlatform
from tests.platform_services import services  # noqa: F401 (fixture)

PLATFORM_ORIGIN = "https://platform.test"
TOOL_ORIGIN = TOOL.rstrip("/")


class Attrs(HTMLParser):
    """Every data-* attribute, hidden input and URL attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.urls: list[str] = []
        self.inputs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("data-"):
                self.data[name[5:]] = value or ""
            if name in {"href", "src", "action"} and value:
                self.urls.append(value)
        found = dict(attrs)
        if tag == "input" and found.get("name"):
            self.inputs[str(found["name"])] = found.get("value") or ""


def parse(html: str) -> Attrs:
    """The page's attributes."""
    parser = Attrs()
    parser.feed(html)
    return parser


@pytest.fixture
def bare(app: Flask) -> FlaskClient:
    """A browser that never sends cookies back."""
    return app.test_client(use_cookies=False)


def framed_login(client: FlaskClient, platform: TestPlatform, user: str,
                 target: str | None) -> Attrs:
    """The login as the iframe sends it; returns the storage page's data."""
    url = platform.login_url(user)
    if target:
        url += "&" + urlencode({"lti_storage_target": target})
    page = client.get(url, headers={"Sec-Fetch-Dest": "iframe"})
    assert page.status_code == 200, page.get_data(as_text=True)
    return parse(page.get_data(as_text=True))


def first_post(client: FlaskClient, platform: TestPlatform, login: Attrs, user: str,
               role: str = LEARNER, context: str = "course-1",
               origin: str = PLATFORM_ORIGIN, extra: Any = None) -> dict[str, Any]:
    """The platform's auto-posted id_token; returns the form the verification page posts."""
    form = platform.authorize(login.data["redirect"], user, [role], context, extra=extra)
    page = client.post(form["url"], data={"id_token": form["id_token"], "state": form["state"]},
                       headers={"Origin": origin})
    assert page.status_code == 200, page.get_data(as_text=True)
    verify = parse(page.get_data(as_text=True))
    assert verify.data["step"] == "launch" and verify.inputs["state"] == form["state"]
    return {**verify.inputs, "url": form["url"]}


def check(client: FlaskClient, form: dict[str, Any], found: str, state: str | None = None,
          nonce: str | None = None, origin: str = TOOL_ORIGIN) -> Any:
    """What the verification page's script posts back after reading the storage."""
    data = {"id_token": form["id_token"], "state": form["state"], "lti_storage_found": found,
            "lti_storage_state": state if state is not None else form["state"],
            "lti_storage_nonce": nonce if nonce is not None else NONCES[form["state"]]}
    return client.post(form["url"], data=data, headers={"Origin": origin})


NONCES: dict[str, str] = {}


def cookieless_launch(client: FlaskClient, platform: TestPlatform, user: str = "learner-1",
                      role: str = LEARNER, context: str = "course-1",
                      target: str | None = "_parent", found: str = "platform") -> tuple[int, str]:
    """A whole cookieless launch; returns the context id and the session token."""
    login = framed_login(client, platform, user, target)
    NONCES[login.data["state"]] = login.data["nonce"]
    form = first_post(client, platform, login, user, role, context)
    done = check(client, form, found)
    assert done.status_code == 302, done.get_data(as_text=True)
    match = re.match(r"^(?:http://localhost)?/c/(\d+)/\?cst=([\w.-]+)$", done.location)
    assert match, done.location
    return int(match.group(1)), match.group(2)


def test_unframed_login_still_redirects(bare: FlaskClient, platform: TestPlatform) -> None:
    """A top-level login keeps the plain redirect and the state cookie."""
    resp = bare.get(platform.login_url("learner-1"))
    assert resp.status_code == 302
    assert "lti1p3-" in resp.headers.get("Set-Cookie", "")


def test_state_via_platform_storage(bare: FlaskClient, platform: TestPlatform) -> None:
    """lti_storage_target: state and nonce go to the platform, then the course opens."""
    login = framed_login(bare, platform, "learner-1", "_parent")
    assert login.data["target"] == "_parent" and login.data["origin"] == PLATFORM_ORIGIN
    assert login.data["redirect"].startswith(PLATFORM_ORIGIN + "/auth?")
    assert "nonce=" + login.data["nonce"] in login.data["redirect"]
    cid, token = cookieless_launch(bare, platform, user="learner-2")
    assert bare.get(f"/c/{cid}/?cst={token}").status_code == 200
    assert bare.get(f"/c/{cid}/").status_code == 401  # nothing was kept in a cookie


def test_state_via_frame_storage(bare: FlaskClient, platform: TestPlatform) -> None:
    """No platform storage (Moodle 4.5): the frame's sessionStorage vouches for the browser."""
    login = framed_login(bare, platform, "learner-1", None)
    assert login.data["target"] == ""
    cid, token = cookieless_launch(bare, platform, target=None, found="local")
    page = bare.get(f"/c/{cid}/", headers={"X-Course-Session": token})
    assert page.status_code == 200


def test_no_storage_needs_the_platform_to_post(bare: FlaskClient, platform: TestPlatform) -> None:
    """With no storage at all, only an id_token posted by the platform's own page goes through."""
    cid, _ = cookieless_launch(bare, platform, target=None, found="none")
    login = framed_login(bare, platform, "learner-1", None)
    NONCES[login.data["state"]] = login.data["nonce"]
    form = first_post(bare, platform, login, "learner-1", origin="https://attacker.example")
    refused = check(bare, form, "none")
    assert refused.status_code == 400 and b"state_not_verified" in refused.data


@pytest.mark.parametrize("change", ["state", "nonce", "missing", "cross_site"])
def test_forged_state_is_refused(bare: FlaskClient, platform: TestPlatform, change: str) -> None:
    """A value the storage did not hold, or a check posted from another site, is a 400."""
    login = framed_login(bare, platform, "learner-1", "_parent")
    NONCES[login.data["state"]] = login.data["nonce"]
    form = first_post(bare, platform, login, "learner-1")
    resp = {"state": lambda: check(bare, form, "platform", state="forged-state"),
            "nonce": lambda: check(bare, form, "platform", nonce="forged-nonce"),
            "missing": lambda: check(bare, form, "missing"),
            "cross_site": lambda: check(bare, form, "platform", origin="https://evil.example"),
            }[change]()
    assert resp.status_code == 400 and b"state_not_verified" in resp.data
    assert b"Open the course in a new window" in resp.data  # the last fallback stays


def test_replayed_state_is_refused(bare: FlaskClient, platform: TestPlatform) -> None:
    """The state and its nonce are spent by the first launch."""
    login = framed_login(bare, platform, "learner-1", "_parent")
    NONCES[login.data["state"]] = login.data["nonce"]
    form = first_post(bare, platform, login, "learner-1")
    assert check(bare, form, "platform").status_code == 302
    again = check(bare, form, "platform")
    assert again.status_code == 400 and b"state_not_verified" in again.data
    # Posting the id_token once more as the platform would: no page, the state is gone.
    replay = bare.post(form["url"], data={"id_token": form["id_token"], "state": form["state"]},
                       headers={"Origin": PLATFORM_ORIGIN})
    assert replay.status_code == 400


def test_token_for_another_context_is_401(bare: FlaskClient, platform: TestPlatform) -> None:
    """A token opens only the course it was issued for."""
    cid1, token1 = cookieless_launch(bare, platform, context="course-1")
    cid2, token2 = cookieless_launch(bare, platform, context="course-2")
    assert cid1 != cid2
    assert bare.get(f"/c/{cid2}/?cst={token2}").status_code == 200
    assert bare.get(f"/c/{cid2}/?cst={token1}").status_code == 401
    assert bare.get(f"/c/{cid1}/?cst={token1[:-2]}xx").status_code == 401  # forged signature


def _clock(monkeypatch: pytest.MonkeyPatch, start: float) -> Any:
    """A settable clock for the lifetime checks."""
    now = {"t": start}
    monkeypatch.setattr(time, "time", lambda: now["t"])
    return now


def test_token_idle_lifetime(app: Flask, bare: FlaskClient, platform: TestPlatform,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The idle timeout of the cookie session applies: each use counts, silence ends it."""
    app.config.update(SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=24)
    cid, token = cookieless_launch(bare, platform)
    now = _clock(monkeypatch, time.time())
    for _ in range(3):  # used every 25 minutes: still open after 75 minutes
        now["t"] += 25 * 60
        assert bare.get(f"/c/{cid}/?cst={token}").status_code == 200
    now["t"] += 31 * 60
    ended = bare.get(f"/c/{cid}/?cst={token}")
    assert ended.status_code == 401 and b"not used for a while" in ended.data
    now["t"] += 60  # and it stays ended
    assert bare.get(f"/c/{cid}/?cst={token}").status_code == 401


def test_token_absolute_lifetime(app: Flask, bare: FlaskClient, platform: TestPlatform,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """However busy, a token ends SESSION_MAX_HOURS after its launch."""
    app.config.update(SESSION_IDLE_MINUTES=60, SESSION_MAX_HOURS=2)
    cid, token = cookieless_launch(bare, platform)
    now = _clock(monkeypatch, time.time())
    for _ in range(3):  # used every 35 minutes, never idle
        now["t"] += 35 * 60
        assert bare.get(f"/c/{cid}/?cst={token}").status_code == 200
    now["t"] += 20 * 60  # 125 minutes after the launch
    ended = bare.get(f"/c/{cid}/?cst={token}")
    assert ended.status_code == 401 and b"time limit" in ended.data


def test_token_stays_in_the_tools_own_links(bare: FlaskClient, platform: TestPlatform) -> None:
    """Every course link carries the token; no link to another origin does."""
    cid, token = cookieless_launch(bare, platform, role=INSTRUCTOR, user="teacher-1")
    home = bare.get(f"/c/{cid}/?cst={token}")
    assert home.headers["Referrer-Policy"] == "same-origin"
    assert "Set-Cookie" not in home.headers
    readings = [f"/c/{cid}/modules/{m.slug}/references?cst={token}" for m in web_course().modules]
    pages, urls = [f"/c/{cid}/?cst={token}", *readings], []  # readings link to other sites
    for url in pages:  # breadth first over the course's own pages, the modules' readings too
        resp = bare.get(url)
        assert resp.status_code in (200, 302, 405), (url, resp.status_code)  # 405: a form URL
        found = parse(resp.get_data(as_text=True)).urls
        urls += found
        pages += [u for u in found if u.startswith(f"/c/{cid}/") and "/static/" not in u
                  and "pdf" not in u and u not in pages][:max(0, 60 - len(pages))]
    course = [u for u in urls if u.startswith(f"/c/{cid}/") and "/static/" not in u]
    assert course and [u for u in course if f"cst={token}" not in u] == []
    external = [u for u in urls if urlparse(u).netloc not in ("", "localhost")]
    assert external and all(token not in u for u in external), external
    assert all(token not in u for u in urls if "/static/" in u)


def test_csrf_is_bound_to_the_token(bare: FlaskClient, platform: TestPlatform) -> None:
    """A form needs the CSRF value rendered for this token; another token's value is refused."""
    cid, token = cookieless_launch(bare, platform)
    _, other = cookieless_launch(bare, platform, user="learner-2")
    html = bare.get(f"/c/{cid}/?cst={token}").get_data(as_text=True)
    csrf = parse(html).inputs["csrf_token"]
    other_html = bare.get(f"/c/{cid}/?cst={other}").get_data(as_text=True)
    assert "csrf_token" in other_html
    other_csrf = parse(other_html).inputs["csrf_token"]
    sign_out = "/sign-out"
    assert bare.post(sign_out, data={"cst": token}).status_code == 400
    assert bare.post(sign_out, data={"cst": token, "csrf_token": other_csrf}).status_code == 400
    assert bare.get(f"/c/{cid}/?cst={token}").status_code == 200  # refused posts changed nothing
    assert bare.post(sign_out, data={"cst": token, "csrf_token": csrf}).status_code == 200
    assert bare.get(f"/c/{cid}/?cst={token}").status_code == 401  # signed out: the token is dead


def test_cookie_launch_unchanged(client: FlaskClient, platform: TestPlatform) -> None:
    """A framed login in a browser that keeps cookies still enters through the cookie session."""
    login = framed_login(client, platform, "learner-1", "_parent")
    form = platform.authorize(login.data["redirect"], "learner-1", [LEARNER], "course-1")
    done = client.post(form["url"], data={"id_token": form["id_token"], "state": form["state"]})
    assert done.status_code == 302 and "cst=" not in done.location
    assert client.get(urlparse(done.location).path).status_code == 200
    assert parse_qs(urlparse(done.location).query) == {}


def test_deep_linking_without_cookies(bare: FlaskClient, platform: TestPlatform,
                                      services: Any) -> None:  # noqa: F811
    """The picker opens and answers the platform in cookieless mode; the token stays home."""
    login = framed_login(bare, platform, "teacher-1", "_parent")
    NONCES[login.data["state"]] = login.data["nonce"]
    form = first_post(bare, platform, login, "teacher-1", INSTRUCTOR,
                      extra=services.claims(platform, "course-1", deep_link=True))
    done = check(bare, form, "platform")
    assert done.status_code == 302 and re.search(r"/lti/c/\d+/deep-link\?cst=", done.location)
    token = parse_qs(urlparse(done.location).query)["cst"][0]
    picker = bare.get(done.location)
    assert picker.status_code == 200
    csrf = parse(picker.get_data(as_text=True)).inputs["csrf_token"]
    reply = bare.post(done.location, data={"csrf_token": csrf, "item": ["module:weakness"],
                                           "action": "add"})
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert f"{platform.issuer}/deep-link-return" in html and token not in html
