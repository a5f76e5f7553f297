"""LTI 1.3 login and launch services: validate through pylti1p3, then record who launched where."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import Response, current_app, request, session, url_for
from pylti1p3.contrib.flask import FlaskCookieService, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from course.db import db, utcnow
from course.extensions import cache
from course.lti import claims, client_state, enrol, known
from course.lti.errors import LaunchRejected, explain, problem
from course.lti.launch import LoginStorage, new_launch
from course.lti.launch_values import context_values, member_values, user_values
from course.lti.tool_conf import DbToolConf, find_registration_row
from course.models import Context, Membership, User
from course.registry import run_launch_hooks
from course.roles import role_for

LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint",
                "lti_deployment_id", "client_id")
LOGIN_TTL_SECONDS = 600


class PartitionedCookieService(FlaskCookieService):
    """pylti1p3's cookies plus `Partitioned`, so Chrome keeps them inside LMS iframes (CHIPS)."""

    def update_response(self, response: Response) -> None:
        """Set each pending cookie; Secure, SameSite=None and Partitioned over HTTPS."""
        # pylti1p3 declares both attributes None on the class; its __init__ sets them.
        secure = bool(self._request.is_secure())  # type: ignore[attr-defined]
        for key, data in self._cookie_data_to_set.items():  # type: ignore[attr-defined]
            response.set_cookie(key, data["value"], max_age=data["exp"], path="/", httponly=True,
                                secure=secure, samesite="None" if secure else "Lax",
                                partitioned=secure)


@dataclass(frozen=True)
class LaunchResult:
    """Who launched into which context, and what they asked for."""

    context_pk: int
    user_pk: int
    role: str
    launch_id: str
    message_type: str
    custom: dict[str, Any] = field(default_factory=dict)
    registration_pk: int = 0
    cookieless: bool = False  # the state came back without its cookie: no cookie session either


def start_login() -> Response:
    """OIDC third-party initiated login (LTI 1.3 section 5.1.1): redirect to the platform."""
    req = FlaskRequest()
    cookies = PartitionedCookieService(req)
    storage = LoginStorage()
    oidc = FlaskOIDCLogin(req, DbToolConf(), cookie_service=cookies, launch_data_storage=storage)
    try:
        target = oidc.get_redirect_object(url_for("lti.launch", _external=True))
    except (LtiException, OIDCException) as exc:
        raise LaunchRejected(explain(exc)) from exc
    redirect_url = target.get_redirect_url()
    query = parse_qs(urlparse(redirect_url).query)
    state = query["state"][0]
    # Kept server-side so a launch whose cookies the browser blocked can restart in a new window;
    # written with the nonce pylti1p3 stored, in one round trip. The id_token must come back
    # within the login's TTL (the state cookie lasts 5 minutes anyway).
    params = {k: value for k in LOGIN_PARAMS if (value := req.get_param(k))}
    cache.set_many({**storage.held, f"lti-login:{state}": params}, timeout=LOGIN_TTL_SECONDS)
    storage_target = req.get_param("lti_storage_target")
    if not client_state.is_framed_login(storage_target):
        return target.do_redirect()
    # Inside a frame the state cookie may never come back: keep the state where a page can.
    response = client_state.login_page(state, query["nonce"][0], redirect_url, storage_target)
    cookies.update_response(response)  # the cookie path stays for browsers that accept it
    return response


def _check_cookies(state: str | None) -> None:
    """Tell a blocked-cookie launch apart from a forged state, and offer a new window."""
    if not state or request.cookies.get(f"lti1p3-{state}"):
        return
    relaunch = client_state.relaunch_url(state)
    if relaunch:
        raise LaunchRejected(problem(
            "cookies_blocked", "Your browser blocked the cookie this launch needs (common inside "
            "an LMS frame). Open the course in a new window to continue.", 400, relaunch))


def complete_launch() -> LaunchResult:
    """Validate the id_token (LTI 1.3 section 5.1.3) and record user, context and membership."""
    nonce = client_state.verified_nonce()  # None unless the state was checked without cookies
    if nonce is None:
        _check_cookies(request.form.get("state"))
    launch = new_launch(state_verified=nonce is not None)
    try:
        body = launch.launch_body()
    except (LtiException, OIDCException) as exc:
        raise LaunchRejected(explain(exc)) from exc
    client_state.check_nonce(body, nonce)
    # The client id the token was checked against, never one the token could name otherwise.
    # The login's relaunch parameters went with the nonce (ToolMessageLaunch.validate_nonce).
    args = (body, launch.get_launch_id(), launch.get_client_id(), nonce is not None)
    try:
        return _record(*args)
    except IntegrityError:
        # One person's first launch twice at once (two tabs, a double click): the other wrote
        # the user or the membership after this one looked. Look again: now it is there.
        db.session.rollback()
        return _record(*args)


def _record(body: dict[str, Any], launch_id: str, client_id: str,
            cookieless: bool = False) -> LaunchResult:
    """Upsert the context, user and membership a validated launch describes."""
    reg = find_registration_row(body["iss"], client_id)
    context_claim = body.get(claims.CONTEXT) or {}
    if reg is None:
        raise LaunchRejected(problem("unknown_registration", "No registration for this launch."))
    if not context_claim.get("id"):
        raise LaunchRejected(problem("context_missing", "This tool must be launched from inside "
                                     "a course: the launch has no context claim."))
    roles = [r for r in body.get(claims.ROLES, []) if isinstance(r, str)]
    role = role_for(roles, current_app.config.get("LTI_SYSTEM_ADMIN_IS_INSTRUCTOR", True),
                    current_app.config.get("LTI_INSTITUTION_ADMIN_IS_INSTRUCTOR", False))
    now = utcnow()
    # A new member of a known course is enrolled by the read itself on PostgreSQL (issue 18),
    # unless this browser launched before: then it most likely comes back to a course it knows.
    joining = {**user_values(body, {"name": None, "email": None}),
               **member_values(role, roles, None, now)}
    found = known.find(reg.id, str(context_claim["id"]), str(body["sub"]), joining,
                       relaunch=bool(session.get("grants")))
    def result(context_pk: int, user_pk: int) -> LaunchResult:
        """What the launch recorded, for the view."""
        return LaunchResult(context_pk, user_pk, role, launch_id,
                            body.get(claims.MESSAGE_TYPE, ""), dict(body.get(claims.CUSTOM) or {}),
                            reg.id, cookieless)

    if _unchanged(found, context_claim, body, role, roles, now):
        # Nothing to write (issue 18): no ORM rows and nothing in the session, so the commit
        # below takes no connection.
        ctx = _hooked(found[0], body)
        if db.session.registry.has():  # only if something used the session (a hook that wrote)
            db.session.commit()
        return result(ctx.id, found[1]["id"])
    return result(*_record_rows(reg.id, found, body, role, roles, now))


def _hooked(context: dict[str, Any], body: dict[str, Any]) -> Context:
    """A known, unchanged context, detached (no SQL), after the launch hooks ran on it."""
    ctx = Context(**context)
    make_transient_to_detached(ctx)
    run_launch_hooks(ctx, body, False)
    return ctx


def _record_rows(reg_id: int, found: tuple[dict[str, Any], ...], body: dict[str, Any],
                 role: str, roles: list[str], now: datetime) -> tuple[int, int]:
    """Write through the ORM session: a new course, a change, or SQLite; the two ids."""
    user, member = (_attach(model, values)
                    for (model, _), values in zip(known.READ[1:], found[1:], strict=True))
    ctx, created = _upsert_context(reg_id, body.get(claims.CONTEXT) or {}, body,
                                   _attach(Context, found[0]))
    user = _upsert_user(reg_id, body, user)
    if member is None:  # linked when written: by enrol.at_once, else through the session
        member = Membership(role=role)
    for name, value in member_values(role, roles, member.last_launch_at, now).items():
        setattr(member, name, value)
    run_launch_hooks(ctx, body, created)  # e.g. a new course gets its quizzes, in this commit
    if member.id is None and (created or not enrol.at_once(user, member, ctx.id)):
        member.user, member.context = user, ctx
        db.session.add(member)  # and a new user with it, through the relationship
    if user.id is None:
        # One flush writes the new user and then the membership (a flush of its own for the
        # user's id cost about 2 ms of unit-of-work per first launch, issue 18).
        db.session.flush()
    context_pk, user_pk = ctx.id, user.id  # read now: a commit may expire the objects
    db.session.commit()  # sends nothing when nothing changed and no hook touched the database
    return context_pk, user_pk


def _unchanged(found: tuple[dict[str, Any], ...], claim: dict[str, Any], body: dict[str, Any],
               role: str, roles: list[str], now: datetime) -> bool:
    """Whether the launch finds context, user and membership and would change none of them."""
    ctx, user, member = found
    if member["id"] is None:  # (the membership is only found with its context and user)
        return False
    fresh = (context_values(claim, body, ctx), user_values(body, user),
             member_values(role, roles, member["last_launch_at"], now))
    return all(row[name] == value for row, values in zip(found, fresh) for name, value in
               values.items())


def _attach(model: type[Any], values: dict[str, Any]) -> Any:
    """A row read as plain columns, put in the session as if loaded (no SQL); None if absent."""
    if values["id"] is None:
        return None
    obj = model(**values)
    make_transient_to_detached(obj)  # the values count as loaded: only real changes are written
    db.session.add(obj)
    return obj


def _upsert_context(reg_id: int, claim: dict[str, Any], body: dict[str, Any],
                    ctx: Context | None) -> tuple[Context, bool]:
    """Find or create the course context, refresh its titles and endpoints; True when created."""
    created = ctx is None
    if ctx is None:
        ctx = Context(registration_id=reg_id, context_id=str(claim["id"]),
                      title=str(claim.get("title") or "Course")[:255])
        try:
            with db.session.begin_nested():  # a race rolls back this savepoint, not the launch
                db.session.add(ctx)
        except IntegrityError:
            # A class opening a new course at once: another launch created it a moment ago.
            ctx = db.session.scalars(select(Context).where(
                Context.registration_id == reg_id, Context.context_id == str(claim["id"]))).one()
            created = False
    current = {"title": ctx.title, "label": ctx.label}
    for name, value in context_values(claim, body, current).items():
        setattr(ctx, name, value)
    return ctx, created


def _upsert_user(reg_id: int, body: dict[str, Any], user: User | None) -> User:
    """Find or create the user by (registration, sub) and refresh the display name."""
    sub = str(body["sub"])
    if user is None:  # in no session yet: _record writes it with its membership
        user = User(registration_id=reg_id, sub=sub)
    for name, value in user_values(body, {"name": user.name, "email": user.email}).items():
        setattr(user, name, value)
    return user
