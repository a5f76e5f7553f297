"""OIDC state without cookies: kept in the platform (LTI Platform Storage) or the frame's storage.

A framed login (the platform sent `lti_storage_target`, or the browser says the request is for an
iframe) answers with a small page whose script stores state and nonce through `lti.put_data`
postMessages, or in the frame's sessionStorage, before going on to the platform. The launch that
comes back without the state cookie gets a page whose script reads them back and posts them to
the tool from the tool's own origin; only then is the id_token validated. The state cookie is
still set, so browsers that accept it use the cookie path unchanged.
"""
import hmac
import re
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import Response, make_response, render_template, request, url_for

from course.extensions import cache
from course.lti.errors import LaunchProblem, LaunchRejected
from course.lti.launch import consume

TTL_SECONDS = 600
FOUND = {"platform", "local", "none"}
# `_parent` or a frame name such as Canvas's `post_message_forwarding`; anything else is ignored.
TARGET = re.compile(r"_parent|[A-Za-z0-9_-]{1,64}")


def _key(state: str) -> str:
    """Cache key of one framed login's state."""
    return f"lti-client:{state}"


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_framed_login(storage_target: str | None) -> bool:
    """Whether the login should go through the page that can keep state without cookies."""
    return bool(storage_target) or request.headers.get("Sec-Fetch-Dest") == "iframe"


def login_page(state: str, nonce: str, redirect_url: str, storage_target: str | None) -> Response:
    """Remember the framed login, then answer with the page that stores its state."""
    target = storage_target if storage_target and TARGET.fullmatch(storage_target) else ""
    platform = origin_of(redirect_url)
    cache.set(_key(state), {"nonce": nonce, "origin": platform, "target": target},
              timeout=TTL_SECONDS)
    html = render_template("lti/client_state.html", step="login", state=state, nonce=nonce,
                           target=target, origin=platform, redirect_url=redirect_url)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def verification_page() -> Response | None:
    """For the platform's launch POST without the state cookie: the page that reads it back."""
    state = request.form.get("state", "")
    if not state or request.cookies.get(f"lti1p3-{state}") or "lti_storage_found" in request.form:
        return None
    entry = cache.get(_key(state))
    if entry is None:
        return None
    # Who posted this id_token: checked when no storage can vouch for the browser (see below).
    entry["posted_by"] = request.headers.get("Origin", "")
    cache.set(_key(state), entry, timeout=TTL_SECONDS)
    html = render_template("lti/client_state.html", step="launch", state=state,
                           nonce=entry["nonce"], target=entry["target"], origin=entry["origin"],
                           id_token=request.form.get("id_token", ""))
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def relaunch_url(state: str) -> str | None:
    """The tool's login URL with this login's parameters, to restart it in a new window."""
    params = cache.get(f"lti-login:{state}") if state else None
    return url_for("lti.login", _external=True) + "?" + urlencode(params) if params else None


def _refuse(detail: str) -> LaunchRejected:
    """The launch's state could not be tied to this browser."""
    state = request.form.get("state", "")
    return LaunchRejected(LaunchProblem(
        "state_not_verified", "This launch could not be tied to the browser that started it. "
        "Open the activity again from your course, or open it in a new window.", 400, detail,
        relaunch_url(state)))


def _from_tool_page() -> bool:
    """Whether this POST came from one of the tool's own pages (no other site can forge it)."""
    origin = request.headers.get("Origin")
    if origin:
        return origin == request.host_url.rstrip("/")
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def verified_nonce() -> str | None:
    """The launch's nonce when its state was verified without cookies; None for the cookie path.

    The page's script reports where it found the state. Platform storage and the frame's own
    storage hold only what this browser's login page put there. When the frame may use no
    storage at all (Chrome with third-party cookies blocked, on a platform without platform
    storage), the id_token must at least have been posted by the platform's own page.
    """
    found = request.form.get("lti_storage_found")
    if found is None:
        return None
    state = request.form.get("state", "")
    entry = cache.get(_key(state)) if state else None
    if entry is None:
        raise _refuse("unknown or already used state")
    if not _from_tool_page():
        raise _refuse("state check not posted by the tool's own page")
    if found not in FOUND:
        raise _refuse("state found in no storage")
    if found == "none":
        if entry.get("posted_by") != entry["origin"]:
            raise _refuse("id_token not posted by the platform's page")
    elif not (hmac.compare_digest(request.form.get("lti_storage_state", ""), state)
              and hmac.compare_digest(request.form.get("lti_storage_nonce", ""), entry["nonce"])):
        raise _refuse(f"state or nonce in {found} storage does not match")
    if not consume(_key(state)):  # one use, even when two posts race
        raise _refuse("state already used")
    return str(entry["nonce"])


def check_nonce(body: dict[str, Any], nonce: str | None) -> None:
    """A cookieless launch's id_token must carry the nonce stored with its state."""
    if nonce is not None and not hmac.compare_digest(str(body.get("nonce", "")), nonce):
        raise _refuse("the id_token's nonce is not the one stored with its state")
