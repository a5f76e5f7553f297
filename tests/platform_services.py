"""LTI Advantage services of the independent test platform: token, AGS, NRPS, deep-link return.

Built on lti1p3platform (token issue and check, deep-linking response validation) with a small
Flask adapter, like tests/platform.py. It records what it receives and can fail on purpose, so
tests prove retries and exactly-once delivery:

    from tests.platform_services import services  # the fixture
    def test_x(client, platform, services):
        cid = launch_with_services(client, platform, services, "learner")
        services.fail_next(2, status=503)           # or services.timeout_next(1)
        ... services.scores, services.line_items, services.token_requests ...
"""
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlparse

import jwt
import pytest
import requests
from flask import Flask, Response, jsonify, request
from lti1p3platform.deep_linking import LtiDeepLinking

from course.lti import http
from tests.conftest import launch, launch_as
from tests.platform import (
    INSTRUCTOR,
    LEARNER,
    TOOL,
    FlaskAdapter,
    PlatformConf,
    TestPlatform,
    platform_app,
)

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
GROUPS_SCOPE = "https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly"
GROUPS_CLAIM = "https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice"
GROUP_CONTAINER = "application/vnd.ims.lti-gs.v1.contextgroupcontainer+json"
AGS_SCOPES = "https://purl.imsglobal.org/spec/lti-ags/scope/"
RESULT_SCOPE = AGS_SCOPES + "result.readonly"
NOT_A_STUDENT = "User not found in course or is not a student"  # Canvas's 422, word for word


class ServicesConf(PlatformConf):
    """lti1p3platform configuration that reaches the tool's JWKS through the tool app."""

    def init_platform_config(self, **kwargs: Any) -> None:
        """Keep the registration and the session that reaches the tool."""
        super().init_platform_config(**kwargs)
        self._tool_session = kwargs["tool_session"]

    def fetch_public_key(self, key_set_url: str) -> Any:
        """GET the tool's JWKS over (in-process) HTTP, as a real platform would."""
        return self._tool_session.get(key_set_url, timeout=5).json()


@dataclass
class Fault:
    """A planned failure for the next matching calls."""

    count: int
    kind: str  # "status", "timeout_before", "timeout_after", "disconnect"
    status: int = 503
    path: str = ""
    body: bytes = b""
    after: int = 0  # matching calls to let through first (e.g. fail only page 2 of a roster)


class FaultyAdapter(FlaskAdapter):
    """The in-process adapter, able to answer an error, hang or drop the next N calls."""

    def __init__(self, app: Flask, services: "PlatformServices") -> None:
        """Wrap the platform app."""
        super().__init__(app)
        self.services = services

    def send(self, req: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Apply the first matching fault, else pass the call to the platform app."""
        path = urlparse(req.url).path
        fault = self.services.take_fault(path)
        if fault is None:
            return super().send(req, **kwargs)
        if fault.kind == "status":
            out = requests.Response()
            out.status_code, out._content, out.url, out.request = (fault.status, fault.body,
                                                                   req.url, req)
            return out
        if fault.kind == "disconnect":
            raise requests.ConnectionError("connection reset by test platform")
        if fault.kind == "timeout_after":
            super().send(req, **kwargs)  # the platform did the work; the answer is lost
        raise requests.ReadTimeout("test platform did not answer in time")


@dataclass
class PlatformServices:
    """What the platform received, and switches to make it misbehave."""

    platforms: list[TestPlatform]
    tool_app: Flask
    query: str = "type_id=5"  # Moodle puts ?type_id= on its AGS URLs
    page_size: int = 10
    token_lifetime: int = 3600
    honour_filters: bool = True  # False: ignore ?resource_id= like some platforms do
    scores: list[dict[str, Any]] = field(default_factory=list)  # applied, one per timestamp
    received: list[dict[str, Any]] = field(default_factory=list)  # every score POST
    line_items: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Course groups per context, as Canvas keeps them: {"id", "name", "members": [user_id, ...]}.
    # The groups service lists id and name (filtered by ?user_id=); the roster carries each
    # member's `group_enrollments` unless this is False (then the tool must ask per learner).
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    group_enrollments: bool = True
    group_requests: list[str] = field(default_factory=list)  # every groups-service URL asked
    group_tokens: set[str] = field(default_factory=set)  # tokens granted the groups scope
    deep_links: list[list[dict[str, Any]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    # Real Moodle 4.5 with the tool's "IMS LTI Assignment and Grade Services" set to "Do not
    # use this service" refuses at the token endpoint: 400 {"error": "invalid_scope"} for any
    # AGS scope. It never issues a token that /scores then rejects.
    grade_sync: bool = True
    not_students: set[str] = field(default_factory=set)  # Canvas: 422 for these userIds
    refused_tokens: int = 0  # token requests refused while grade sync was off

    def __post_init__(self) -> None:
        """Build the platform app with its service routes and route https:// to it."""
        self.tool_session = requests.Session()
        self.tool_session.mount(TOOL, FlaskAdapter(self.tool_app))
        self.app = platform_app(self.platforms)
        add_routes(self.app, self)
        self.adapter = FaultyAdapter(self.app, self)
        http.mount("https://", self.adapter)

    # --- switches -------------------------------------------------------------------------
    def fail_next(self, n: int, status: int = 503, path: str = "", body: bytes = b"",
                  after: int = 0) -> None:
        """Answer n calls whose path contains `path` (not JWKS) with `status`, after `after` pass."""
        self.faults.append(Fault(n, "status", status, path, body, after))

    def timeout_next(self, n: int, processed: bool = True, path: str = "") -> None:
        """Time out the next n calls; `processed`: the platform acted but the reply was lost."""
        self.faults.append(Fault(n, "timeout_after" if processed else "timeout_before", path=path))

    def disconnect_next(self, n: int, path: str = "") -> None:
        """Drop the connection on the next n calls before the platform sees them."""
        self.faults.append(Fault(n, "disconnect", path=path))

    def revoke_tokens(self) -> None:
        """Forget every issued access token, so the next service call gets a 401.

        A generic platform that revokes tokens early; not how Moodle refuses grade sync (that is
        `grade_sync = False`, refused at the token endpoint).
        """
        self.valid_tokens.clear()

    def take_fault(self, path: str) -> Fault | None:
        """The fault to apply to a call on this path, counting it down."""
        if path.endswith("/jwks"):
            return None
        for fault in self.faults:
            if fault.count > 0 and fault.path in path:
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.count -= 1
                return fault
        return None

    # --- platform helpers -----------------------------------------------------------------
    def conf(self, platform: TestPlatform) -> ServicesConf:
        """lti1p3platform configuration for one registration."""
        conf = ServicesConf(registration=platform.registration(), tool_session=self.tool_session)
        conf.get_registration()
        return conf

    def platform_for(self, host: str, client_id: str | None) -> TestPlatform | None:
        """The registration on this host with this client id."""
        return next((p for p in self.platforms
                     if p.host == host and (client_id is None or p.client_id == client_id)), None)

    def lineitems_url(self, platform: TestPlatform, context: str) -> str:
        """The context's line items endpoint, Moodle-style with a query."""
        query = f"?{self.query}" if self.query else ""
        return f"{platform.issuer}/ags/{context}/lineitems{query}"

    def add_line_item(self, platform: TestPlatform, context: str, label: str,
                      resource_id: str = "", score_maximum: float = 100) -> dict[str, Any]:
        """A line item that already exists on the platform (made by a teacher, say)."""
        n = len(self.line_items) + 1
        url = f"{platform.issuer}/ags/{context}/lineitems/{n}/lineitem"
        item = {"id": url + (f"?{self.query}" if self.query else ""), "label": label,
                "scoreMaximum": score_maximum, "resourceId": resource_id,
                "_context": context, "_client_id": platform.client_id, "_n": n}
        self.line_items.append(item)
        return item

    def claims(self, platform: TestPlatform, context: str, lineitem: str | None = None,
               deep_link: bool = False, data: Any = None, multiple: bool = True,
               custom: dict[str, str] | None = None, groups: bool = False) -> Callable[[Any], None]:
        """An `extra` callback for TestPlatform.authorize adding AGS, NRPS, groups, deep linking."""
        def extra(launch_: Any) -> None:
            """Set the service claims on the launch."""
            launch_.set_ags(self.lineitems_url(platform, context), lineitem_url=lineitem)
            launch_.set_nrps(f"{platform.issuer}/nrps/{context}/memberships")
            if groups:  # LTI Course Groups 1.0, as Canvas sends it
                launch_.set_extra_claims({GROUPS_CLAIM: {
                    "context_groups_url": f"{platform.issuer}/groups/{context}",
                    "scope": [GROUPS_SCOPE], "service_versions": ["1.0"]}})
            if custom:
                launch_.set_custom_parameters_claim(custom)
            if deep_link:
                # tests.platform's Launch signs get_launch_data() itself, which skips
                # lti1p3platform's deep-linking branch: set its claim and message type here.
                claim = LtiDeepLinking(f"{platform.issuer}/deep-link-return") \
                    .get_lti_deep_linking_launch_claim("Add content", "", {"ltiResourceLink"},
                                                       data)
                next(iter(claim.values()))["accept_multiple"] = multiple
                launch_.set_extra_claims({**claim, MESSAGE_TYPE: "LtiDeepLinkingRequest"})
        return extra

    def next_link(self, base: str, params: dict[str, str], page: int, pages: int) -> str | None:
        """A mixed-case `next` URL; the platform refuses it if a client changes its case."""
        if page >= pages:
            return None
        query = urlencode({**params, "cursor": f"Page{page + 1}Of{pages}"})
        return f'<{base}?{query}>; rel="next"'


CURSOR = re.compile(r"^Page(\d+)Of(\d+)$")


def platform_services(platforms: list[TestPlatform], tool_app: Flask,
                      **options: Any) -> PlatformServices:
    """Add the service endpoints to a fresh platform app and route the tool's calls to it."""
    return PlatformServices(platforms, tool_app, **options)


@pytest.fixture
def services(app: Flask, platforms: list[TestPlatform]) -> PlatformServices:
    """The test platform's LTI Advantage services for the `app` under test."""
    return platform_services(platforms, app)


def launch_with_services(client: Any, platform: TestPlatform, services_: PlatformServices,
                         role: str = "learner", context: str = "course-1", **kwargs: Any) -> int:
    """Launch with AGS and NRPS claims; returns the context id. kwargs go to claims()."""
    user = kwargs.pop("user", f"{role}-1")
    return launch_as(client, platform, role, user=user, context=context,
                     extra=services_.claims(platform, context, **kwargs))


def deep_link_launch(client: Any, platform: TestPlatform, services_: PlatformServices,
                     role: str = "instructor", context: str = "course-1", **kwargs: Any) -> Any:
    """A deep-linking launch; returns the tool's response (a redirect to the picker)."""
    roles = (INSTRUCTOR,) if role == "instructor" else (LEARNER,)
    user = kwargs.pop("user", f"{role}-1")
    return launch(client, platform, user=user, roles=roles, context=context,
                  extra=services_.claims(platform, context, deep_link=True, **kwargs))


def unverified(token: str) -> dict[str, Any]:
    """A JWT's claims without checking it (only to pick which registration to check it with)."""
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return {}


def json_error(status: int, message: str) -> Response:
    """A JSON error answer."""
    resp = jsonify({"error": message})
    resp.status_code = status
    return resp


def _authorise(svc: PlatformServices, *scopes: str) -> tuple[TestPlatform, str] | Response:
    """The registration behind a bearer token that holds one of the scopes, or a 401."""
    auth = request.headers.get("Authorization", "").split()
    if len(auth) != 2 or auth[0].lower() != "bearer" or auth[1] not in svc.valid_tokens:
        return json_error(401, "invalid or expired access token")
    platform = svc.platform_for(request.host, str(unverified(auth[1]).get("sub", "")))
    try:
        ok = platform is not None and svc.conf(platform).validate_token(auth[1], list(scopes))
    except Exception:  # PyJWT errors, and lti1p3platform's own LtiException
        ok = False
    if not ok or platform is None:
        return json_error(401, "token not valid for this service")
    return platform, platform.client_id


def _page(items: list[Any], size: int) -> tuple[list[Any], int, int] | Response:
    """The requested page of a list, from a case-sensitive cursor."""
    cursor = request.args.get("cursor")
    pages = max(1, -(-len(items) // size))
    page = 1
    if cursor:
        match = CURSOR.match(cursor)
        if not match:
            return json_error(400, f"unknown cursor {cursor!r} (was the link's case changed?)")
        page = int(match.group(1))
    return items[(page - 1) * size:page * size], page, pages


def _paged(svc: PlatformServices, items: list[Any], wrap: Callable[[list[Any]], Any],
           media_type: str) -> Response:
    """A JSON page with a Link rel="next" header when more pages follow."""
    found = _page(items, svc.page_size)
    if isinstance(found, Response):
        return found
    chunk, page, pages = found
    resp = jsonify(wrap(chunk))
    resp.mimetype = media_type
    params = {k: v for k, v in request.args.items() if k != "cursor"}
    link = svc.next_link(request.base_url, params, page, pages)
    if link:
        resp.headers["Link"] = link
    return resp


def _with_groups(svc: PlatformServices, context: str, person: dict[str, Any]) -> dict[str, Any]:
    """A roster entry with its `group_enrollments` when the course has groups (as Canvas adds)."""
    if not svc.group_enrollments or not svc.groups.get(context):
        return person
    mine = [{"group_id": grp["id"]} for grp in svc.groups[context]
            if person.get("user_id") in grp.get("members", [])]
    return {**person, "group_enrollments": mine}


def _public(item: dict[str, Any]) -> dict[str, Any]:
    """A line item without the platform's private bookkeeping keys."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def add_routes(app: Flask, svc: PlatformServices) -> None:
    """Token, AGS, NRPS and deep-link-return endpoints on the platform app."""

    # /mod/lti/token.php: Moodle's token URL, so a registration can look like Moodle's.
    @app.post("/token")
    @app.post("/mod/lti/token.php")
    def token() -> Response:
        """Client-credentials grant with a JWT assertion (Security Framework 4.1)."""
        if not svc.grade_sync and AGS_SCOPES in request.form.get("scope", ""):
            svc.refused_tokens += 1
            return json_error(400, "invalid_scope")
        assertion = request.form.get("client_assertion", "")
        claims = unverified(assertion)
        platform = svc.platform_for(request.host, str(claims.get("iss", "")))
        if platform is None or claims.get("sub") != platform.client_id:
            return json_error(401, "invalid_client")
        if claims.get("aud") not in (request.base_url, [request.base_url]):
            return json_error(401, "invalid_client: assertion audience is not this endpoint")
        try:
            answer = dict(svc.conf(platform).get_access_token(request.form.to_dict()))
        except Exception as exc:  # lti1p3platform and PyJWT raise many types
            return json_error(401, f"invalid_client: {exc.__class__.__name__}")
        answer["expires_in"] = svc.token_lifetime
        svc.valid_tokens.add(answer["access_token"])
        if GROUPS_SCOPE in request.form.get("scope", "").split():
            # lti1p3platform drops scopes it does not know, so the groups grant is kept here.
            svc.group_tokens.add(answer["access_token"])
        svc.token_requests.append({"client_id": platform.client_id,
                                   "scope": request.form.get("scope", "")})
        return jsonify(answer)

    @app.route("/ags/<context>/lineitems", methods=["GET", "POST"])
    def lineitems(context: str) -> Response:
        """List (paged, filtered by resource_id) or create line items (AGS 3.2)."""
        scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"]
        if request.method == "GET":
            scopes.append("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly")
        who = _authorise(svc, *scopes)
        if isinstance(who, Response):
            return who
        platform, client_id = who
        if request.method == "POST":
            body = request.get_json(force=True)
            item = svc.add_line_item(platform, context, body["label"], body.get("resourceId", ""),
                                     body["scoreMaximum"])
            item["tag"] = body.get("tag", "")
            resp = jsonify(_public(item))
            resp.status_code = 201
            return resp
        wanted = request.args.get("resource_id")
        items = [_public(i) for i in svc.line_items
                 if i["_context"] == context and i["_client_id"] == client_id
                 and (not wanted or not svc.honour_filters or i["resourceId"] == wanted)]
        return _paged(svc, items, lambda chunk: chunk,
                      "application/vnd.ims.lis.v2.lineitemcontainer+json")

    @app.post("/ags/<context>/lineitems/<int:n>/lineitem/scores")
    def scores(context: str, n: int) -> Response:
        """Receive a score (AGS 3.4); same or older timestamps change nothing."""
        who = _authorise(svc, "https://purl.imsglobal.org/spec/lti-ags/scope/score")
        if isinstance(who, Response):
            return who
        if request.mimetype != SCORE_TYPE:
            return json_error(415, f"scores must be {SCORE_TYPE}")
        item = next((i for i in svc.line_items if i["_n"] == n and i["_context"] == context
                     and i["_client_id"] == who[1]), None)
        if item is None:
            return json_error(404, "no such line item")
        score = {**request.get_json(force=True), "lineitem": item["id"], "client_id": who[1],
                 "query": request.query_string.decode()}
        svc.received.append(score)
        if score.get("userId") in svc.not_students:
            return jsonify({"errors": [{"message": NOT_A_STUDENT}]}), 422
        same = [s for s in svc.scores
                if s["lineitem"] == item["id"] and s["userId"] == score["userId"]]
        if not any(s["timestamp"] >= score["timestamp"] for s in same):
            svc.scores.append(score)
        return Response(status=204)

    @app.get("/ags/<context>/lineitems/<int:n>/lineitem/results")
    def results(context: str, n: int) -> Response:
        """The line item's results (AGS 3.3): the newest applied score per user, paged."""
        who = _authorise(svc, RESULT_SCOPE)
        if isinstance(who, Response):
            return who
        newest: dict[str, dict[str, Any]] = {}
        for score in svc.scores:
            if score["lineitem"].split("?")[0].endswith(f"/{context}/lineitems/{n}/lineitem"):
                newest[score["userId"]] = score
        found = [{"id": f"{request.base_url}/{uid}", "userId": uid,
                  "resultScore": s["scoreGiven"], "resultMaximum": s["scoreMaximum"],
                  "scoreOf": s["lineitem"]} for uid, s in newest.items()]
        return _paged(svc, found, lambda chunk: chunk,
                      "application/vnd.ims.lis.v2.resultcontainer+json")

    @app.get("/nrps/<context>/memberships")
    def memberships(context: str) -> Response:
        """The roster (NRPS 2.0), paged with Link rel="next"."""
        who = _authorise(svc, NRPS_SCOPE)
        if isinstance(who, Response):
            return who
        people = [_with_groups(svc, context, p) for p in svc.members.get(context, [])]
        return _paged(svc, people, lambda chunk: {
            "id": request.base_url, "context": {"id": context, "title": f"Course {context}"},
            "members": chunk}, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")

    @app.get("/groups/<context>")
    def course_groups(context: str) -> Response:
        """The course's groups (LTI Course Groups 1.0), ?user_id= for one user's, paged."""
        auth = request.headers.get("Authorization", "").split()
        if len(auth) != 2 or auth[1] not in svc.group_tokens & svc.valid_tokens:
            return json_error(401, "token not valid for the course groups service")
        svc.group_requests.append(request.url)
        user = request.args.get("user_id")
        found = [{"id": grp["id"], "name": grp["name"]} for grp in svc.groups.get(context, [])
                 if user is None or user in grp.get("members", [])]
        return _paged(svc, found, lambda chunk: {"id": request.base_url, "groups": chunk},
                      GROUP_CONTAINER)

    @app.post("/deep-link-return")
    def deep_link_return() -> Response:
        """Validate the tool's signed LtiDeepLinkingResponse and record its items (DL 2.0 4.5)."""
        token = request.form.get("JWT", "")
        claims = unverified(token)
        platform = svc.platform_for(request.host, str(claims.get("iss", "")))
        if platform is None:
            return json_error(400, "unknown tool")
        try:
            items = svc.conf(platform).validate_deeplinking_resp({"JWT": token})
        except Exception as exc:  # signature, expiry, message type: all refusals
            return json_error(400, f"invalid deep-linking response: {exc.__class__.__name__}")
        # lti1p3platform checks neither audience nor deployment; a real platform must.
        aud = claims.get("aud")
        if platform.issuer not in (aud if isinstance(aud, list) else [aud]):
            return json_error(400, "deep-linking response is for another platform")
        deployment = claims.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
        if deployment != platform.deployment_id:
            return json_error(400, "deep-linking response names another deployment")
        svc.deep_links.append(items)
        return jsonify({"items": items,
                        "data": claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/data")})
