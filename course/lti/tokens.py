"""OAuth2 access tokens for LTI Advantage services, cached per registration and scope set.

LTI Security Framework 4.1: the tool proves who it is with a JWT client assertion signed by its
own key (RFC 7523), and gets a short-lived bearer token for the scopes it asks for.
"""
import hashlib
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from requests.utils import parse_header_links

from course.extensions import cache
from course.lti import keys
from course.lti.http import http_session
from course.models import Registration

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300
# Refresh this long before the platform says the token expires, so a call never carries a
# token that dies in flight (Security Framework 4.1: tokens are short-lived, about an hour).
EXPIRY_MARGIN = 60
DEFAULT_LIFETIME = 3600
MAX_PAGES = 200  # a platform whose "next" links loop must not keep a worker busy forever


CONFIG = "config"  # ServiceError.problem: a platform setting refuses the tool; wait and explain


class ServiceError(Exception):
    """A failed call to a platform service; `retryable` says whether trying later may help.

    `problem` names a class of failure callers treat apart: CONFIG for a refusal that a setting
    in the platform causes (and that ends when an admin changes it).
    """

    def __init__(self, message: str, retryable: bool, status: int | None = None,
                 retry_after: float | None = None, problem: str | None = None) -> None:
        """Keep the explanation, the retry verdict, the HTTP status and any Retry-After."""
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.problem = problem


def _now() -> float:
    """Wall-clock seconds for the token cache; a function so tests can move its time forward."""
    return time.time()


def _cache_key(reg: Registration, scopes: Sequence[str]) -> str:
    """One cache entry per (issuer, client_id, sorted scopes): never shared across tenants."""
    raw = "\n".join([reg.issuer, reg.client_id, *sorted(set(scopes))])
    return "lti-token:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def client_assertion(reg: Registration) -> str:
    """The signed JWT that authenticates the tool at the token endpoint (RFC 7523 section 3)."""
    key = keys.signing_key()
    now = int(time.time())
    claims = {"iss": reg.client_id, "sub": reg.client_id,
              "aud": reg.auth_audience or reg.auth_token_url,
              "iat": now, "exp": now + ASSERTION_LIFETIME, "jti": uuid.uuid4().hex}
    # The parsed key object: handing PyJWT the PEM would parse (and check) the RSA key again.
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


def _request_token(reg: Registration, scopes: Sequence[str]) -> dict[str, Any]:
    """POST the client-credentials grant and return the token response (RFC 6749 4.4)."""
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(reg), "scope": " ".join(sorted(set(scopes)))}
    try:
        resp = http_session().post(reg.auth_token_url, data=form,
                                   headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ServiceError(f"The platform's token endpoint could not be reached: "
                           f"{exc.__class__.__name__}.", retryable=True) from exc
    if not resp.ok:
        raise _token_failure(resp)
    try:
        data = resp.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or not data.get("access_token"):
        raise ServiceError("The platform's token endpoint answered without an access_token.",
                           retryable=True, status=resp.status_code)
    return data


def _token_failure(resp: requests.Response) -> ServiceError:
    """Explain a refused token request; 5xx and 429 may pass, a refused client will not."""
    try:
        body = resp.json()
        reason = f"{body.get('error', '')} {body.get('error_description', '')}".strip()
    except (ValueError, AttributeError):
        reason = ""
    retryable = resp.status_code >= 500 or resp.status_code == 429
    hint = "" if retryable else (" Check the tool's client id, token URL and JWKS URL in the "
                                 "platform's registration, and the scopes it allows.")
    # A refused token (invalid_scope, unauthorized_client, invalid_client, 401, 403...) is never
    # about one call: it is the registration or a switch in the platform, e.g. Moodle 4.5 with
    # grade sync off answers 400 invalid_scope. An admin can fix it, so it is not final.
    problem = None if retryable else CONFIG
    return ServiceError(f"The platform refused the token request (HTTP {resp.status_code}"
                        f"{': ' + reason if reason else ''}).{hint}", retryable,
                        resp.status_code, retry_after_seconds(resp), problem)


def access_token(reg: Registration, scopes: Sequence[str]) -> str:
    """A bearer token for these scopes, from the shared cache while it has life left."""
    key = _cache_key(reg, scopes)
    cached = cache.get(key)
    if isinstance(cached, dict) and cached.get("expires_at", 0) - EXPIRY_MARGIN > _now():
        return str(cached["token"])
    data = _request_token(reg, scopes)
    try:
        lifetime = int(data.get("expires_in", DEFAULT_LIFETIME))
    except (TypeError, ValueError):
        lifetime = DEFAULT_LIFETIME
    token = str(data["access_token"])
    ttl = lifetime - EXPIRY_MARGIN
    if ttl > 0:
        cache.set(key, {"token": token, "expires_at": _now() + lifetime}, timeout=ttl)
    return token


def drop_token(reg: Registration, scopes: Sequence[str]) -> None:
    """Forget a cached token the platform no longer accepts."""
    cache.delete(_cache_key(reg, scopes))


def service_request(reg: Registration, scopes: Sequence[str], method: str, url: str,
                    **kwargs: Any) -> requests.Response:
    """An authorised call; on 401 drop the cached token and try once more with a fresh one."""
    headers = dict(kwargs.pop("headers", None) or {})
    resp = None
    for attempt in range(2):
        headers["Authorization"] = "Bearer " + access_token(reg, scopes)
        try:
            resp = http_session().request(method, url, headers=headers, **kwargs)
        except requests.Timeout as exc:
            raise ServiceError(f"The platform did not answer in time ({method} {_short(url)}).",
                               retryable=True) from exc
        except requests.RequestException as exc:
            raise ServiceError(f"Could not connect to the platform ({method} {_short(url)}): "
                               f"{exc.__class__.__name__}.", retryable=True) from exc
        if resp.status_code != 401 or attempt:
            return resp
        drop_token(reg, scopes)
    assert resp is not None  # the loop always returns or raises
    return resp


def retry_after_seconds(resp: requests.Response) -> float | None:
    """The Retry-After header in seconds, when it is a number (RFC 9110 10.2.3)."""
    value = resp.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def next_link(resp: requests.Response) -> str | None:
    """The rel="next" URL of a Link header, with its case kept (pylti1p3 2.0.0 lowercases it)."""
    header = resp.headers.get("Link", "")
    if not header:
        return None
    for link in parse_header_links(header.replace("\n", " ")):
        if "next" in str(link.get("rel", "")).lower().split() and link.get("url"):
            return str(link["url"])
    return None


def _short(url: str) -> str:
    """Scheme, host and path of a URL, for messages (query strings can be long)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _same_origin(a: str, b: str) -> bool:
    """Whether two URLs share scheme and host, so a bearer token never leaves the platform."""
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc.lower()) == (pb.scheme, pb.netloc.lower())


def get_pages(reg: Registration, scopes: Sequence[str], url: str,
              accept: str) -> Iterator[requests.Response]:
    """GET a paged container, following Link rel="next" ourselves (AGS 3.2, NRPS 2.4.2)."""
    seen: set[str] = set()
    current: str | None = url
    while current:
        if current in seen or len(seen) >= MAX_PAGES:
            raise ServiceError(f"The platform's pages for {_short(url)} do not end "
                               f"(a 'next' link repeats or there are over {MAX_PAGES}).", False)
        if not _same_origin(url, current):
            raise ServiceError(f"The platform's 'next' page link leaves {_short(url)}; "
                               "the tool will not send its token elsewhere.", False)
        seen.add(current)
        resp = service_request(reg, scopes, "GET", current, headers={"Accept": accept})
        yield resp
        current = next_link(resp) if resp.ok else None


def page_list(resp: requests.Response, what: str, error: type[ServiceError],
              key: str | None = None) -> list[Any]:
    """One service page's JSON array (under ``key`` when the page is an object), else ``error``."""
    try:
        data = resp.json()
    except ValueError as exc:  # a truncated or proxy-error body may pass: retryable
        raise error(f"The platform's {what} page is not JSON.", True) from exc
    found = data if key is None else (data.get(key) if isinstance(data, dict) else None)
    if not isinstance(found, list):
        shape = "is not a JSON array" if key is None else f"has no '{key}' list"
        raise error(f"The platform's {what} page {shape}.", False)
    return found
