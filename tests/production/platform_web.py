"""The independent test platform on a real HTTP port, and a browser behind a load balancer.

The app servers are other processes, so everything they reach (the platform's JWKS, token and
AGS endpoints) is served over HTTP by a thread of the test, and the browser talks HTTP to them.
"""
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from course.lti import http
from tests.platform import INSTRUCTOR, LEARNER, TOOL, TestPlatform
from tests.platform_services import PlatformServices, json_error, platform_services

# The tool's public address: the load balancer's name. Every app server must build the same
# redirect_uri from it, which they do from X-Forwarded-Host (PROXY_FIX=1).
PUBLIC = TOOL.rstrip("/")
FORWARDED = {"X-Forwarded-Host": "localhost", "X-Forwarded-Proto": "http",
             "X-Forwarded-For": "203.0.113.9"}


@dataclass
class SignedIn:
    """Who is signed in at the platform, and in which course, for the next launch."""

    user: str
    role: str
    context: str


class PlatformWeb:
    """TestPlatform and its LTI Advantage services, served on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        """Build the platform app and start serving it in a daemon thread."""
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.signed_in: SignedIn | None = None
        # The tool is not in this process: its JWKS is reached over HTTP (see use_tool).
        self.services: PlatformServices = platform_services([], Flask("tool-elsewhere"))
        self._add_routes(self.services.app)
        self._server = make_server("127.0.0.1", 0, self.services.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.port}"
        self.platform = TestPlatform(issuer=self.base_url, client_id="prod-tool",
                                     deployment_id="prod-dep")
        self.services.platforms.append(self.platform)
        threading.Thread(target=self._server.serve_forever, name="platform-web",
                         daemon=True).start()

    def use_tool(self, base_url: str) -> None:
        """Fetch the tool's JWKS (to check its client assertions) from this app server."""
        session = requests.Session()
        session.mount(TOOL, ToolAdapter(base_url))
        self.services.tool_session = session

    def stop(self) -> None:
        """Stop serving and forget the adapters platform_services mounted in this process."""
        self._server.shutdown()
        self._server.server_close()
        http.unmount_all()

    def sign_in(self, user: str, role: str = "learner", context: str = "course-1") -> None:
        """Sign a person in at the platform; the next authorization request is theirs."""
        self.signed_in = SignedIn(user, role, context)

    def jwks_fetches(self) -> int:
        """How many times any app server fetched the platform's JWKS."""
        with self._lock:
            return self.hits["/jwks"]

    def _add_routes(self, app: Flask) -> None:
        """Count requests per path, and add the OIDC authorization endpoint."""

        @app.before_request
        def count() -> None:
            """Record the path; the JWKS count shows whether the servers share its cache."""
            with self._lock:
                self.hits[request.path] += 1

        @app.get("/auth")
        def auth() -> Response:
            """OIDC authorization (LTI 1.3 5.1.1.2): check the request, sign an id_token.

            A real platform answers with a self-posting form; the test browser posts its fields.
            """
            who = self.signed_in
            if who is None:
                return json_error(401, "nobody is signed in at the platform")
            roles = [INSTRUCTOR if who.role == "instructor" else LEARNER]
            try:
                form = self.platform.authorize(
                    request.url, who.user, roles, who.context,
                    extra=self.services.claims(self.platform, who.context))
            except AssertionError as exc:  # the tool's auth request broke a platform rule
                return json_error(400, str(exc))
            return jsonify(form)

        del count, auth


class ToolAdapter(requests.adapters.HTTPAdapter):
    """Send requests for the tool's public URL to one app server, as a load balancer would."""

    def __init__(self, base_url: str) -> None:
        """Remember the app server."""
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Rewrite http://localhost/... to the server and add the proxy headers."""
        assert request.url is not None and request.url.startswith(PUBLIC)
        request.url = self.base_url + request.url[len(PUBLIC):]
        request.headers.update(FORWARDED)
        return super().send(request, **kwargs)


class Browser:
    """One person's browser behind a load balancer: each call names the app server to reach.

    Cookies are host-only for 127.0.0.1 and cookies ignore ports, so every app server gets the
    same cookies, as behind one public name.
    """

    def __init__(self) -> None:
        """A fresh cookie jar."""
        self.session = requests.Session()

    def request(self, method: str, server: Any, url: str, **kwargs: Any) -> requests.Response:
        """Send to `server` (anything with base_url) a URL of the tool's public address."""
        path = url[len(PUBLIC):] if url.startswith(PUBLIC) else url
        headers = {**FORWARDED, **kwargs.pop("headers", {})}
        return self.session.request(method, server.base_url + path, headers=headers,
                                    allow_redirects=False, timeout=60, **kwargs)

    def get(self, server: Any, url: str, **kwargs: Any) -> requests.Response:
        """GET through the load balancer."""
        return self.request("GET", server, url, **kwargs)

    def post(self, server: Any, url: str, **kwargs: Any) -> requests.Response:
        """POST through the load balancer."""
        return self.request("POST", server, url, **kwargs)

    def authorize(self, web: PlatformWeb, login: requests.Response) -> dict[str, str]:
        """Follow the tool's login redirect to the platform; returns the launch form fields."""
        assert login.status_code == 302, login.text[:500]
        assert login.headers["Location"].startswith(web.base_url + "/auth?")
        answer = self.session.get(login.headers["Location"], allow_redirects=False, timeout=60)
        assert answer.status_code == 200, answer.text[:500]
        return answer.json()

    def launch(self, web: PlatformWeb, login_on: Any, launch_on: Any, user: str,
               role: str = "learner", context: str = "course-1") -> tuple[requests.Response,
                                                                          dict[str, str]]:
        """OIDC login on one server, the platform's auth, the id_token POST to another."""
        web.sign_in(user, role, context)
        form = self.authorize(web, self.get(login_on, web.platform.login_url(user)))
        resp = self.post(launch_on, form["url"],
                         data={"id_token": form["id_token"], "state": form["state"]})
        return resp, form
