"""A course session without cookies: a signed token carried in the tool's own URLs and forms.

When the browser blocks the tool's cookies inside the LMS iframe (Safari, iPads, Chrome with
third-party cookies blocked), the launch issues a token bound to the registration, user,
context and launch. Requests carry it as `?cst=`, a form field or the X-Course-Session header;
it becomes the request's grant (never saved as a cookie), so load_identity applies the same
membership check and idle/absolute lifetimes (course.session_lifetime) as the cookie session.
"""
import hashlib
import hmac
import secrets
import time
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import BadSignature, URLSafeSerializer

from course.extensions import cache

PARAM = "cst"
HEADER = "X-Course-Session"
SALT = "course-session-token"
SIGN_OUT = "course.signed_out"  # the one course endpoint without the course id in its URL


def _serializer() -> URLSafeSerializer:
    """Signs tokens with the app secret; lifetimes are checked from the payload, not here."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _seen_key(jti: str) -> str:
    """Cache key holding a token's last use (the idle timeout needs server-side state)."""
    return f"cookieless-seen:{jti}"


def issue(registration_pk: int, context_pk: int, user_pk: int, role: str, launch_id: str) -> str:
    """A new token for one launch; its last use starts now."""
    now = int(time.time())
    jti = secrets.token_urlsafe(12)
    max_seconds = int(current_app.config.get("SESSION_MAX_HOURS", 24)) * 3600
    cache.set(_seen_key(jti), now, timeout=max_seconds)
    return _serializer().dumps({"g": registration_pk, "c": context_pk, "u": user_pk, "r": role,
                                "l": launch_id, "i": now, "j": jti})


def begin(registration_pk: int, context_pk: int, user_pk: int, role: str, launch_id: str) -> None:
    """Enter cookieless mode for the rest of this request, so its redirect carries the token."""
    token = issue(registration_pk, context_pk, user_pk, role, launch_id)
    data = read(token) or {}
    session["grants"] = {**session.get("grants", {}), str(context_pk): {
        "u": user_pk, "r": role, "l": launch_id, "i": data.get("i"), "s": data.get("i")}}
    g.cookieless = {"token": token, "cid": context_pk, "jti": data.get("j"), "seen": data.get("i")}


def read(token: str) -> dict[str, Any] | None:
    """The token's payload, or None when it was not signed by this tool."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and {"c", "u", "r", "i", "j"} <= data.keys() else None


def csrf_secret(token: str) -> str:
    """The CSRF secret of a cookieless session: derived from its token, so bound to it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


def _token_from_request() -> str | None:
    """The token from the header, the query string or a posted form, in that order."""
    return (request.headers.get(HEADER) or request.args.get(PARAM)
            or (request.form.get(PARAM) if request.method == "POST" else None))


def _adopt(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Turn a valid token for this URL's course into the request's grant (cookie grant first)."""
    cid = (values or {}).get("cid")
    if (cid is None and endpoint != SIGN_OUT) or str(cid) in session.get("grants", {}):
        return
    token = _token_from_request()
    data = read(token) if token else None
    if data is not None and cid is None:
        cid = data["c"]  # sign out: the one course URL without the course in it
    if token is None or data is None or data["c"] != cid:
        return  # no grant for this course: load_identity answers 401
    seen = cache.get(_seen_key(data["j"]))
    if seen is None:
        return  # signed out, ended, or past its absolute lifetime (the entry's timeout)
    grant = {"u": data["u"], "r": data["r"], "l": data.get("l"), "i": data["i"], "s": int(seen)}
    session["grants"] = {**session.get("grants", {}), str(cid): grant}
    # Flask-WTF keeps its secret in the session: here it is derived from the token.
    session["csrf_token"] = csrf_secret(token)
    flashes = cache.get(f"cookieless-flash:{data['j']}")
    if flashes:
        session["_flashes"] = flashes
        cache.delete(f"cookieless-flash:{data['j']}")
    g.cookieless = {"token": token, "cid": cid, "jti": data["j"], "seen": grant["s"]}


def _add_token(endpoint: str, values: dict[str, Any]) -> None:
    """Every url_for to the token's own course carries the token while in cookieless mode."""
    state = g.get("cookieless")
    if state and values.get("cid") == state["cid"] and not endpoint.endswith(".static"):
        values.setdefault(PARAM, state["token"])


def _finish(resp: Response) -> Response:
    """Keep the last use and pending messages server-side; never set a cookie for this mode."""
    state = g.get("cookieless")
    if not state:
        return resp
    grant = session.get("grants", {}).get(str(state["cid"]))
    if grant is None:
        # Signed out, or ended by its lifetime or a lost membership: the token is dead too.
        cache.delete(_seen_key(state["jti"]))
    elif grant.get("s", 0) != state["seen"]:
        max_seconds = int(current_app.config.get("SESSION_MAX_HOURS", 24)) * 3600
        cache.set(_seen_key(state["jti"]), grant["s"], timeout=max_seconds)
    if session.get("_flashes"):
        cache.set(f"cookieless-flash:{state['jti']}", session["_flashes"], timeout=600)
    session.modified = False  # the grant came from the token: no Set-Cookie for it
    # The token is in this page's URL: it must not leave the tool's origin in a Referer.
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def register(app: Flask) -> None:
    """URL processors and the response hook of cookieless mode."""
    # A URL value preprocessor runs before every before_request hook, CSRF's included, so
    # Flask-WTF already finds the token-bound secret when it checks a posted form.
    app.url_value_preprocessor(_adopt)
    app.url_defaults(_add_token)
    app.after_request(_finish)
