"""The demo platform's LTI Advantage service routes: token, AGS, NRPS, deep-link return, gradebook.

Built on lti1p3platform: it issues and checks access tokens and validates the tool's signed
deep-linking response. The tool reaches these endpoints over HTTP, exactly as it reaches an LMS.
"""
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Response, abort, jsonify, render_template, request, url_for
from sqlalchemy import select

from course.db import db
from course.extensions import csrf
from course.lti.demo import platform as demo
from course.lti.demo.embed import demo_root
from course.lti.demo.models import DemoLineItem, DemoScore
from course.routes import Routes

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
DL_DATA_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
MAX_PAGE = 100
# On the roster but has never opened the tool: the gradebook roster must still list them.
NEVER_LAUNCHED = demo.DemoPerson("demo-learner-3", "Riley Chen", "learner")
routes = Routes()  # added to the `demo` blueprint by course/lti/demo/blueprint.py


def _conf() -> demo.DemoPlatformConf:
    """lti1p3platform configuration for the demo registration, at the configured address."""
    conf = demo.DemoPlatformConf(root=demo_root())
    conf.get_registration()
    return conf


def _here() -> str:
    """This request's URL without the query, at the configured address (not the Host header)."""
    return demo_root() + request.path.lstrip("/")


def _error(status: int, message: str) -> Response:
    """A JSON error for the tool (it is a service client, not a person)."""
    resp = jsonify({"error": message})
    resp.status_code = status
    return resp


def _authorised(*scopes: str) -> Response | None:
    """None when the bearer token is the demo platform's and holds one of the scopes."""
    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return _error(401, "missing bearer token")
    try:
        ok = _conf().validate_token(parts[1], list(scopes))
    except Exception:  # PyJWT and lti1p3platform raise several types for a bad token
        ok = False
    return None if ok else _error(401, "invalid or expired access token")


def _course(course: str) -> str:
    """A known demo course id, or 404."""
    if course not in demo.COURSES:
        abort(404)
    return course


@routes.post("/token")
@csrf.exempt
def token() -> Response:
    """OAuth2 client credentials with a signed JWT assertion (LTI Security Framework 4.1)."""
    form = request.form.to_dict()
    try:
        claims = jwt.decode(form.get("client_assertion", ""), options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return _error(400, "invalid_request: client_assertion is not a JWT")
    # lti1p3platform checks the signature but not who signed for whom, nor the audience.
    if claims.get("iss") != demo.CLIENT_ID or claims.get("sub") != demo.CLIENT_ID:
        return _error(401, "invalid_client")
    if claims.get("aud") not in (_here(), [_here()]):
        return _error(401, "invalid_client: the assertion is for another token endpoint")
    try:
        return jsonify(_conf().get_access_token(form))
    except Exception as exc:  # missing claims, wrong grant, bad signature: all refusals
        return _error(401, f"invalid_client: {exc.__class__.__name__}")


def _line_item_json(item: DemoLineItem) -> dict[str, Any]:
    """A line item as AGS 3.2 shows it."""
    return {"id": demo_root() + url_for("demo.line_item", course=item.course,
                                        item_id=item.id).lstrip("/"),
            "label": item.label, "scoreMaximum": item.score_maximum,
            "resourceId": item.resource_id, "tag": item.tag,
            "resourceLinkId": item.resource_link_id}


def _paged(rows: list[Any], render: Callable[[list[Any]], Any], media_type: str) -> Response:
    """One page of rows (?limit=&page=) with a Link rel="next" header when more follow."""
    try:
        limit = min(MAX_PAGE, max(1, int(request.args.get("limit", MAX_PAGE))))
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        abort(400, "limit and page must be whole numbers")
    resp = jsonify(render(rows[(page - 1) * limit:page * limit]))
    resp.mimetype = media_type
    if page * limit < len(rows):
        args = {**request.args.to_dict(), "limit": limit, "page": page + 1}
        resp.headers["Link"] = f'<{_here()}?{urlencode(args)}>; rel="next"'
    return resp


@routes.route("/ags/<course>/lineitems", methods=["GET", "POST"])
@csrf.exempt
def line_items(course: str) -> Response:
    """List line items (filtered by resource_id, resource_link_id, tag) or create one (AGS 3.2)."""
    _course(course)
    denied = _authorised(SCOPE_LINEITEM, *(() if request.method == "POST"
                                           else (SCOPE_LINEITEM_READONLY,)))
    if denied:
        return denied
    if request.method == "POST":
        return _create_line_item(course)
    stmt = select(DemoLineItem).where(DemoLineItem.course == course).order_by(DemoLineItem.id)
    filters = {"resource_id": DemoLineItem.resource_id, "tag": DemoLineItem.tag,
               "resource_link_id": DemoLineItem.resource_link_id}
    for arg, column in filters.items():
        if request.args.get(arg):
            stmt = stmt.where(column == request.args[arg])
    rows = list(db.session.scalars(stmt))
    return _paged(rows, lambda chunk: [_line_item_json(i) for i in chunk],
                  "application/vnd.ims.lis.v2.lineitemcontainer+json")


def _create_line_item(course: str) -> Response:
    """Store a new line item from the tool's JSON (AGS 3.2.4)."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict) or not str(body.get("label") or "").strip():
        return _error(400, "a line item needs a label")
    maximum = body.get("scoreMaximum")
    if not isinstance(maximum, (int, float)) or maximum <= 0:
        return _error(400, "scoreMaximum must be a number above 0")
    item = DemoLineItem(course=course, label=str(body["label"])[:255],
                        score_maximum=float(maximum),
                        resource_id=str(body.get("resourceId") or "")[:255],
                        tag=str(body.get("tag") or "")[:255],
                        resource_link_id=str(body.get("resourceLinkId") or "")[:255])
    db.session.add(item)
    db.session.commit()
    resp = jsonify(_line_item_json(item))
    resp.status_code, resp.mimetype = 201, "application/vnd.ims.lis.v2.lineitem+json"
    return resp


def _item(course: str, item_id: int) -> DemoLineItem:
    """A line item of this course, or 404."""
    item = db.session.get(DemoLineItem, item_id)
    if item is None or item.course != _course(course):
        abort(404)
    return item


@routes.get("/ags/<course>/lineitems/<int:item_id>")
def line_item(course: str, item_id: int) -> Response:
    """One line item."""
    denied = _authorised(SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
    return denied or jsonify(_line_item_json(_item(course, item_id)))


def _parse_score(body: Any) -> tuple[dict[str, Any], datetime] | str:
    """The score's fields and its timestamp in UTC, or a reason to refuse it."""
    if not isinstance(body, dict) or not body.get("userId"):
        return "a score needs a userId"
    try:
        stamp = datetime.fromisoformat(str(body.get("timestamp", "")))
    except ValueError:
        return "a score needs an ISO 8601 timestamp"
    if stamp.tzinfo is None:
        return "the timestamp must carry a time zone"
    given = body.get("scoreGiven")
    if given is not None and not isinstance(given, (int, float)):
        return "scoreGiven must be a number"
    return body, stamp.astimezone(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive values (stored as UTC); PostgreSQL hands back aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@routes.post("/ags/<course>/lineitems/<int:item_id>/scores")
@csrf.exempt
def scores(course: str, item_id: int) -> Response:
    """Receive a score (AGS 3.4): a newer timestamp replaces, the same or older changes nothing."""
    denied = _authorised(SCOPE_SCORE)
    if denied:
        return denied
    item = _item(course, item_id)
    if request.mimetype != SCORE_TYPE:
        return _error(415, f"scores must be sent as {SCORE_TYPE}")
    parsed = _parse_score(request.get_json(force=True, silent=True))
    if isinstance(parsed, str):
        return _error(400, parsed)
    body, stamp = parsed
    row = db.session.scalars(select(DemoScore).where(
        DemoScore.line_item_id == item.id, DemoScore.user_id == str(body["userId"]))).first()
    if row is not None and _utc(row.timestamp) >= stamp:
        return Response(status=204)  # a repeat or a stale score: already have this or newer
    if row is None:
        row = DemoScore(line_item_id=item.id, user_id=str(body["userId"])[:255])
        db.session.add(row)
    row.score_given, row.timestamp = body.get("scoreGiven"), stamp
    row.score_maximum = body.get("scoreMaximum")
    row.activity_progress = str(body.get("activityProgress") or "")[:32]
    row.grading_progress = str(body.get("gradingProgress") or "")[:32]
    row.comment = str(body.get("comment") or "")[:1000]
    db.session.commit()
    return Response(status=204)


@routes.get("/gradebook")
def gradebook() -> str:
    """Every score the demo platform has received, newest first."""
    rows = list(db.session.scalars(select(DemoScore).join(DemoLineItem)
                                   .order_by(DemoScore.timestamp.desc())))
    people = {**{p.sub: p.name for p in demo.PEOPLE.values()},
              NEVER_LAUNCHED.sub: NEVER_LAUNCHED.name}
    return render_template("demo/gradebook.html", rows=rows, people=people,
                           courses=demo.COURSES)


def _member(person: demo.DemoPerson) -> dict[str, Any]:
    """One NRPS member entry (NRPS 2.2)."""
    return {"user_id": person.sub, "name": person.name, "email": f"{person.sub}@demo.invalid",
            "roles": [demo.ROLE_URIS[person.role]], "status": "Active"}


@routes.get("/nrps/<course>/memberships")
def memberships(course: str) -> Response:
    """The demo course roster, including a learner who never launched the tool (NRPS 2.0)."""
    _course(course)
    denied = _authorised(SCOPE_NRPS)
    if denied:
        return denied
    people = [*demo.PEOPLE.values(), NEVER_LAUNCHED]
    return _paged(people, lambda chunk: {
        "id": _here(),
        "context": {"id": course, "label": course.upper(), "title": demo.COURSES[course]},
        "members": [_member(p) for p in chunk]},
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")


@routes.post("/deep-link-return")
@csrf.exempt
def deep_link_return() -> tuple[str, int] | str:
    """Check the tool's signed LtiDeepLinkingResponse and show the items it adds (DL 2.0 4.5)."""
    token = request.form.get("JWT", "")
    try:
        items = _conf().validate_deeplinking_resp({"JWT": token})
        claims = jwt.decode(token, options={"verify_signature": False})
    except Exception as exc:  # bad signature, expired, wrong message type, unsupported item
        return render_template("demo/deep_link_return.html", items=[], error=str(exc)
                               or exc.__class__.__name__), 400
    # lti1p3platform verifies the signature only; audience and deployment are checked here.
    aud = claims.get("aud")
    if demo.ISSUER not in (aud if isinstance(aud, list) else [aud]) or \
            claims.get("iss") != demo.CLIENT_ID or \
            claims.get(DEPLOYMENT_CLAIM) != demo.DEPLOYMENT_ID:
        return render_template("demo/deep_link_return.html", items=[],
                               error="The response is not addressed to this platform."), 400
    return render_template("demo/deep_link_return.html", items=items, error=None)
