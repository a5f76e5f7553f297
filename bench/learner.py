"""A browser-like learner: launch from the bench platform, then use the course over HTTP."""
from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import requests

from bench.burst import prepared
from bench.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, BenchPlatform

TIMEOUT = 30
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class FlowError(RuntimeError):
    """A step of a learner's journey did not answer as a browser would expect."""


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF.search(html)
    if not match:
        raise FlowError("no csrf_token on the page")
    return match.group(1) or match.group(2)


class Learner:
    """One person with their own cookie jar; ``cid`` is set by a successful launch."""

    def __init__(self, root: str, platform: BenchPlatform, sub: str, course: str) -> None:
        """No request is made until launch()."""
        self.root, self.platform, self.sub, self.course = root.rstrip("/"), platform, sub, course
        self.http = requests.Session()
        self.cid: int | None = None
        self.token = ""

    def launch(self) -> float:
        """OIDC login then id_token POST (LTI 1.3 section 5.1); returns the seconds it took."""
        start = time.perf_counter()
        resp = self.http.get(f"{self.root}/lti/login", allow_redirects=False, timeout=TIMEOUT,
                             params={"iss": ISSUER, "login_hint": self.sub,
                                     "target_link_uri": f"{self.root}/lti/launch",
                                     "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT_ID})
        if resp.status_code != 302:
            raise FlowError(f"login answered {resp.status_code}")
        auth = {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["Location"]).query).items()}
        token = self.platform.id_token(auth["nonce"], self.sub, self.course, auth["redirect_uri"])
        resp = self.http.post(auth["redirect_uri"], data={"id_token": token,
                                                          "state": auth["state"]},
                              allow_redirects=False, timeout=TIMEOUT)
        found = re.search(r"/c/(\d+)/", resp.headers.get("Location", ""))
        if resp.status_code != 302 or not found:
            raise FlowError(f"launch answered {resp.status_code}: {resp.text[:160]}")
        self.cid = int(found.group(1))
        return time.perf_counter() - start

    def cookie(self) -> str:
        """The session cookie as a Cookie header value, for wrk."""
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies
                         if not c.name.startswith("lti1p3-"))

    def get(self, path: str) -> requests.Response:
        """GET a course path; anything but 200 is a FlowError."""
        resp = self.http.get(self.root + path, timeout=TIMEOUT, allow_redirects=False)
        if resp.status_code != 200:
            raise FlowError(f"GET {path} answered {resp.status_code}")
        return resp

    def start_attempt(self, quiz: str) -> int:
        """Open the quiz page, press Start, and return the attempt id."""
        page = self.get(f"/c/{self.cid}/quizzes/{quiz}/").text
        self.token = csrf_token(page)  # one per session: every later form can post it
        resp = self.http.post(f"{self.root}/c/{self.cid}/quizzes/{quiz}/start",
                              data={"csrf_token": self.token}, allow_redirects=False,
                              timeout=TIMEOUT)
        found = re.search(r"/attempts/(\d+)/", resp.headers.get("Location", ""))
        if resp.status_code != 302 or not found:
            raise FlowError(f"start answered {resp.status_code}: {resp.text[:160]}")
        return int(found.group(1))

    def answer_first(self, aid: int) -> bool:
        """Answer the first question with the first choice of each field and save it."""
        path = f"/c/{self.cid}/quizzes/attempts/{aid}/"
        form = FormReader()
        form.feed(self.get(path + "?q=1").text)
        data = form.answers()
        if not data.get("positions"):
            return False
        resp = self.http.post(self.root + path, data={**data, "go": "save"},
                              allow_redirects=False, timeout=TIMEOUT)
        return resp.status_code == 302

    def submit_request(self, aid: int, token: str) -> bytes:
        """The Submit button's POST as raw bytes, for bench/burst.py to send with the others."""
        return prepared(self.http, "POST",
                        f"{self.root}/c/{self.cid}/quizzes/attempts/{aid}/submit",
                        {"csrf_token": token})


class FormReader(HTMLParser):
    """Collect the answer form's fields and pick a plausible answer for each."""

    def __init__(self) -> None:
        """Start with an empty form."""
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Remember each input, select and textarea once (the first option for choices)."""
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and name in self.fields:
                return
            value = a.get("value", "") if kind in ("radio", "checkbox", "hidden") else "1"
            self.fields.setdefault(name, []).append(value)
        elif tag == "textarea" and name:
            self.fields.setdefault(name, []).append("weakness")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.fields.setdefault(self._select, []).append(a["value"])
            self._select = None

    def answers(self) -> dict[str, list[str]]:
        """The form data to post."""
        return dict(self.fields)
