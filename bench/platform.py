"""A bench LTI 1.3 platform: signs launches for any number of learners and records AGS scores.

The demo platform knows three people; a storm needs hundreds, and counting duplicated scores
needs every score POST, not just the gradebook's latest row. This platform serves its JWKS,
an OAuth2 token endpoint and AGS line items and scores on 127.0.0.1, in a thread of the bench.
"""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://bench-platform.invalid"
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
ROLES = {"learner": "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
         "instructor": "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"}
ITEM_PATH = re.compile(r"^/ags/([\w-]+)/lineitems/(\d+)(/scores)?$")


@dataclass
class Recorder:
    """Everything the tool sent to the platform's services, guarded by one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)

    def score_posts(self, user_ids: set[str]) -> dict[str, int]:
        """How many score POSTs each of these users received, over every line item."""
        with self.lock:
            counts: dict[str, int] = {}
            for score in self.scores:
                if score.get("userId") in user_ids:
                    counts[score["userId"]] = counts.get(score["userId"], 0) + 1
            return counts


class BenchPlatform:
    """Key pair, id_token signing and the service endpoints, started as a context manager."""

    def __init__(self) -> None:
        """Make a fresh RSA key for this run only."""
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.kid = secrets.token_hex(8)
        self.jwk = {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}
        self.recorder = Recorder()
        self._server: PlatformServer | None = None
        self.base_url = ""

    def __enter__(self) -> BenchPlatform:
        """Serve the endpoints on a free 127.0.0.1 port."""
        self._server = PlatformServer(self)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, name="bench-platform",
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def cli_args(self) -> list[str]:
        """`flask lti add-platform` arguments registering this platform with the tool."""
        return ["lti", "add-platform", "--issuer", ISSUER, "--client-id", CLIENT_ID,
                "--auth-url", f"{self.base_url}/auth", "--token-url", f"{self.base_url}/token",
                "--jwks-url", f"{self.base_url}/jwks", "--deployment-id", DEPLOYMENT_ID,
                "--name", "Bench platform"]

    def id_token(self, nonce: str, sub: str, course: str, launch_url: str,
                 role: str = "learner") -> str:
        """A signed LtiResourceLinkRequest for one person in one course (LTI 1.3 section 5.3)."""
        now = int(time.time())
        claims = {
            "iss": ISSUER, "aud": CLIENT_ID, "sub": sub, "iat": now, "exp": now + 300,
            "nonce": nonce, "name": f"Bench {sub}", "email": f"{sub}@bench.invalid",
            LTI + "message_type": "LtiResourceLinkRequest", LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID, LTI + "target_link_uri": launch_url,
            LTI + "resource_link": {"id": f"{course}-link", "title": "MS and muscles"},
            LTI + "roles": [ROLES[role]],
            LTI + "context": {"id": course, "label": course.upper(), "title": f"Bench {course}"},
            AGS_CLAIM: {"scope": AGS_SCOPES,
                        "lineitems": f"{self.base_url}/ags/{course}/lineitems"},
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


class PlatformServer(ThreadingHTTPServer):
    """The HTTP server, carrying the platform its handlers answer for."""

    daemon_threads = True

    def __init__(self, platform: BenchPlatform) -> None:
        """Listen on a free 127.0.0.1 port."""
        super().__init__(("127.0.0.1", 0), Handler)
        self.platform = platform


class Handler(BaseHTTPRequestHandler):
    """JWKS, token and AGS endpoints; quiet, JSON in and out."""

    protocol_version = "HTTP/1.1"
    server: PlatformServer

    @property
    def platform(self) -> BenchPlatform:
        """The platform this server belongs to."""
        return self.server.platform

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the bench prints its own summary."""

    def _send(self, status: int, body: Any = None, media: str = "application/json") -> None:
        """Answer with JSON (or an empty body)."""
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        """The request body."""
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorised(self) -> bool:
        """Whether the bearer token is one this platform issued."""
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        with self.platform.recorder.lock:
            return token in self.platform.recorder.tokens

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """JWKS, or the line items of a course."""
        url = urlsplit(self.path)
        if url.path == "/jwks":
            return self._send(200, {"keys": [self.platform.jwk]})
        match = re.fullmatch(r"/ags/([\w-]+)/lineitems", url.path)
        if not match:
            return self._send(404, {"error": "not found"})
        if not self._authorised():
            return self._send(401, {"error": "invalid token"})
        wanted = parse_qs(url.query).get("resource_id", [None])[0]
        with self.platform.recorder.lock:
            items = [i for i in self.platform.recorder.items if i["course"] == match.group(1)
                     and (wanted is None or i["resourceId"] == wanted)]
        self._send(200, [{k: v for k, v in i.items() if k != "course"} for i in items],
                   "application/vnd.ims.lis.v2.lineitemcontainer+json")

    def do_POST(self) -> None:  # noqa: N802
        """Token, line-item creation or a score."""
        path, raw = urlsplit(self.path).path, self._body()  # read first: keep-alive needs it
        if path == "/token":
            return self._token(raw)
        if not self._authorised():
            return self._send(401, {"error": "invalid token"})
        created = re.fullmatch(r"/ags/([\w-]+)/lineitems", path)
        if created:
            return self._create_item(created.group(1), raw)
        match = ITEM_PATH.match(path)
        if not match or not match.group(3):
            return self._send(404, {"error": "not found"})
        body = json.loads(raw or b"{}")
        with self.platform.recorder.lock:
            self.platform.recorder.scores.append({**body, "line_item": int(match.group(2)),
                                                  "received": time.time()})
        self._send(204)

    def _token(self, raw: bytes) -> None:
        """Client credentials grant: any well-formed assertion from our client id."""
        form = parse_qs(raw.decode())
        try:
            claims = jwt.decode(form.get("client_assertion", [""])[0],
                                options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return self._send(400, {"error": "invalid_request"})
        if claims.get("iss") != CLIENT_ID:
            return self._send(401, {"error": "invalid_client"})
        token = secrets.token_hex(16)
        with self.platform.recorder.lock:
            self.platform.recorder.tokens.add(token)
            self.platform.recorder.token_requests += 1
        self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                         "scope": form.get("scope", [""])[0]})

    def _create_item(self, course: str, raw: bytes) -> None:
        """Create a line item (AGS 3.2.4)."""
        body = json.loads(raw or b"{}")
        with self.platform.recorder.lock:
            item_id = len(self.platform.recorder.items) + 1
            item = {"id": f"{self.platform.base_url}/ags/{course}/lineitems/{item_id}",
                    "label": body.get("label"), "scoreMaximum": body.get("scoreMaximum"),
                    "resourceId": body.get("resourceId", ""), "tag": body.get("tag", ""),
                    "course": course}
            self.platform.recorder.items.append(item)
        self._send(201, {k: v for k, v in item.items() if k != "course"},
                   "application/vnd.ims.lis.v2.lineitem+json")
