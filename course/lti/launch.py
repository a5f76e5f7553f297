"""pylti1p3 2.0.0 message launch, hardened: leeway, one-time nonce, cached JWKS with refetch."""
import hashlib
import json
import os
import time
from functools import lru_cache
from typing import Any, cast

import jwt
import requests
from cachelib.redis import RedisCache
from flask import current_app
from jwt.algorithms import RSAAlgorithm
from pylti1p3.contrib.flask import FlaskCacheDataStorage, FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException
from pylti1p3.registration import Registration

from course.extensions import cache
from course.lti.http import http_session
from course.lti.id_token import decoder
from course.lti.tool_conf import DbToolConf

JWKS_TTL_SECONDS = 3600
# Each process also keeps a key set it read for this long, saving the cache round trip and the
# JSON parse on every launch. A platform's new key still works at once: an unknown kid goes to
# the shared cache and then to the platform (see get_public_key).
KEY_SET_MEMO_SECONDS = 300.0
KEY_SET_MEMO = "lti.key_sets"  # in app.extensions: one memo per app, so per process
# An attacker can send any `kid`; refetching on each one would hammer the platform.
REFETCH_INTERVAL_SECONDS = 60
ALLOWED_ALGS = ["RS256", "RS384", "RS512"]


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch that closes the gaps of pylti1p3 2.0.0 found against a real platform."""

    state_verified = False  # set when course.lti.client_state checked the state without cookies
    launch_saved = False  # set when validate_nonce stored the launch data with the nonce's removal

    def launch_body(self) -> dict[str, Any]:
        """The id_token's claims, read by claim URL (pylti1p3 types them as a few-key TypedDict)."""
        return cast(dict[str, Any], self.get_launch_data())

    def _known_registration(self) -> Registration:
        """The registration validate_registration found; it runs before anything asks here."""
        if self._registration is None:
            raise LtiException("Registration not found.")
        return self._registration

    def validate(self) -> "ToolMessageLaunch":
        """Validate in an order that checks the signature before spending the nonce."""
        if self._restored:
            raise LtiException("Can't validate restored launch")
        self._validated = True
        try:
            # LTI 1.3 section 5.1.3 / Security Framework 5.1.3: state, token, issuer,
            # signature, deployment, message, and only then the one-time nonce.
            (self.validate_state().validate_jwt_format().validate_registration()
             .validate_jwt_signature().validate_deployment().validate_message()
             .validate_nonce().save_launch_data())
        except Exception:
            self._validated = False
            raise
        return self

    def validate_registration(self) -> "ToolMessageLaunch":
        """Find aud[0]'s registration; an `azp` must name that same client (OIDC Core 3.1.3.7).

        Otherwise a token checked against one school's registration on a shared issuer (Canvas
        cloud) could be filed under a sibling registration its azp names.
        """
        super().validate_registration()
        azp = self._get_jwt_body().get("azp")
        if azp is not None and azp != self.get_client_id():
            raise LtiException("Invalid audience: azp names a client other than the audience's")
        return self

    def validate_state(self) -> "ToolMessageLaunch":
        """The state must match this browser's state cookie (OIDC login, LTI 1.3 section 5.1.1).

        pylti1p3 also accepts a state whose id_token it validated before, which costs two cache
        commands per launch and only lets a replay through to the nonce check, which refuses it.
        """
        state = self._get_request_param("state")
        if not state:
            raise LtiException("Missing state param")
        if self.state_verified:
            return self  # checked without cookies (course.lti.client_state), then consumed
        if self._cookie_service.get_cookie(state) != state:
            raise LtiException("State not found")
        return self

    def save_launch_data(self) -> "ToolMessageLaunch":
        """Keep the launch for deep linking and AGS, under its launch id (see validate_state)."""
        if not self.launch_saved:  # validate_nonce saved it with the nonce's removal
            self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self

    def validate_nonce(self) -> "ToolMessageLaunch":
        """Accept a nonce once: only the request that removes its cache entry may go on."""
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LtiException('"nonce" is empty')
        service = self._session_service
        storage = service.data_storage
        # The login's relaunch parameters go in the same round trip: a used state cannot relaunch.
        login = f"lti-login:{self._get_request_param('state')}"
        # So does the launch data (issue 18): a refused nonce removes it again (see consume).
        saved = (storage._prepare_key(service._get_key(self._launch_id, add_prefix=False)),
                 self._jwt["body"], service._launch_data_lifetime)
        if not consume(storage._prepare_key(service._get_key("nonce", nonce)), login, keep=saved):
            raise LtiException("Invalid Nonce: this launch was already used or has expired")
        self.launch_saved = True
        return self

    def validate_jwt_signature(self) -> "ToolMessageLaunch":
        """Verify signature, audience and times with clock-skew leeway (Security 5.1.3 steps 1-8)."""
        # Refuse `alg: none` and HS256 before the key lookup, so the page names the real reason
        # (the library would first fail to match the kid and call it an unknown key).
        claimed = (self._jwt.get("header") or {}).get("alg")
        if claimed not in ALLOWED_ALGS:
            raise LtiException(f"Can't decode id_token: algorithm {claimed} is not allowed")
        public_key, alg = self.get_public_key()
        if alg not in ALLOWED_ALGS:
            raise LtiException(f"Can't decode id_token: algorithm {alg} is not allowed")
        registration = self._known_registration()
        try:
            decoder.decode(self._get_id_token(), public_key, algorithms=[alg],
                           audience=registration.get_client_id(),
                           issuer=registration.get_issuer(),
                           leeway=current_app.config["LTI_LEEWAY_SECONDS"],
                           options={"require": ["exp", "iat", "sub"]})
        except jwt.InvalidTokenError as exc:
            raise LtiException(f"Can't decode id_token: {exc}") from exc
        return self

    def get_public_key(self) -> tuple[Any, str]:
        """The platform key named by the token's `kid`, as a parsed key object, and its alg.

        An unknown kid refetches the key set once (at most once a minute per key set URL).
        """
        registration = self._known_registration()
        static = registration.get_key_set()
        url = registration.get_key_set_url()
        if static is None and not (url and url.startswith(("http://", "https://"))):
            raise LtiException(f"Invalid URL: {url}")
        header = self._jwt.get("header") or {}
        kid, alg = header.get("kid"), header.get("alg")
        if not kid:
            raise LtiException("JWT KID not found")
        if not alg:
            raise LtiException("JWT ALG not found")
        found = _find_key(static or self.fetch_public_key(url or ""), kid, alg)
        if (found is None and static is None and url
                and cache.add(f"jwks-refetch:{_digest(url)}", 1,
                              timeout=REFETCH_INTERVAL_SECONDS)):
            found = _find_key(self.fetch_public_key(url, force=True), kid, alg)
        if found is None:
            raise LtiException("Unable to find public key")
        return found, alg

    def fetch_public_key(self, key_set_url: str, force: bool = False) -> Any:
        """Fetch the platform JWKS through this process's memo and the shared cache, with a timeout."""
        memo: dict[str, tuple[float, Any]] = current_app.extensions.setdefault(KEY_SET_MEMO, {})
        kept = memo.get(key_set_url)
        if kept and not force and kept[0] > time.monotonic():
            return kept[1]
        key = f"jwks:{_digest(key_set_url)}"
        data = None if force else cache.get(key)
        if not data:
            try:
                resp = self._requests_session.get(key_set_url)
                resp.raise_for_status()
                data = resp.json()
            except (requests.RequestException, ValueError) as exc:
                raise LtiException(f"Platform key set unavailable at {key_set_url}: {exc}"
                                   ) from exc
            if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
                raise LtiException(f"Platform key set at {key_set_url} has no 'keys' list")
            cache.set(key, data, timeout=JWKS_TTL_SECONDS)
        memo[key_set_url] = (time.monotonic() + KEY_SET_MEMO_SECONDS, data)
        return data


def _find_key(key_set: Any, kid: str, alg: str) -> Any:
    """The parsed key with this kid and alg in a JWKS (a key without alg means RS256), or None."""
    keys = key_set.get("keys") if isinstance(key_set, dict) else None
    for jwk in keys if isinstance(keys, list) else []:
        if isinstance(jwk, dict) and jwk.get("kid") == kid and jwk.get("alg", "RS256") == alg:
            try:
                return _verifying_key(json.dumps(jwk, sort_keys=True))
            except (ValueError, TypeError, KeyError, jwt.InvalidKeyError) as exc:
                raise LtiException("Can't convert JWT key to a public key") from exc
    return None


@lru_cache(maxsize=64)
def _verifying_key(jwk_json: str) -> Any:
    """A platform's RSA public key from its JWK: parsed once per process, not on every launch."""
    return RSAAlgorithm.from_jwk(jwk_json)


def consume(key: str, *also: str, keep: tuple[str, Any, int] | None = None) -> bool:
    """Delete a cache entry and say whether this call removed it, atomically across workers.

    The `also` entries are deleted too (in the same round trip with Redis), whatever the answer.
    `keep` (key, value, timeout) is stored only when this call removed the entry: with Redis
    in the same round trip, and removed again (one more round trip) when it did not.
    """
    backend = cache.cache
    if isinstance(backend, RedisCache):
        # DEL answers how many keys it removed: one command, and only one caller gets 1.
        if not also and keep is None:
            return bool(backend.delete(key))
        prefix = backend._get_prefix()
        pipe = backend._write_client.pipeline(transaction=False)
        for name in (key, *also):
            pipe.delete(f"{prefix}{name}")
        if keep is not None:
            timeout = backend._normalize_timeout(keep[2])
            pipe.set(f"{prefix}{keep[0]}", backend.serializer.dumps(keep[1]),
                     ex=timeout if timeout != -1 else None)
        removed = bool(pipe.execute()[0])
        if not removed and keep is not None:
            # A refused launch leaves nothing behind: its launch id was never handed out.
            backend.delete(keep[0])
        return removed
    for name in also:
        cache.delete(name)
    removed = _remove(key, backend)
    if removed and keep is not None:
        cache.set(keep[0], keep[1], timeout=keep[2])
    return removed


def _remove(key: str, backend: Any) -> bool:
    """consume's removal on a cache other than Redis."""
    if cache.get(key) is None:  # missing, or expired but not yet pruned
        return False
    filename = getattr(backend, "_get_filename", None)
    if filename is None:  # an in-memory cache: one process, no race worth closing
        return bool(cache.delete(key))
    # cachelib's FileSystemCache.delete says True for a missing file, so two racing requests
    # would both pass; os.remove succeeds for exactly one of them.
    try:
        os.remove(filename(key))
    except FileNotFoundError:
        return False
    return True


def _digest(text: str) -> str:
    """Short stable cache-key fragment for a URL."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def launch_storage() -> FlaskCacheDataStorage:
    """Launch data lives in the shared cache, never in the cookie session."""
    return FlaskCacheDataStorage(cache)


class LoginStorage(FlaskCacheDataStorage):
    """The OIDC login's storage: holds what pylti1p3 writes (the nonce) for one batched write."""

    def __init__(self) -> None:
        """Nothing held yet."""
        super().__init__(cache)
        self.held: dict[str, Any] = {}

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        """Hold the entry under its final key; start_login writes it with its own entry."""
        self.held[self._prepare_key(key)] = value


def new_launch(request_data: dict | None = None, state_verified: bool = False
               ) -> ToolMessageLaunch:
    """A launch bound to the current request, the database config and the shared cache."""
    req = FlaskRequest(request_data=request_data)
    launch = ToolMessageLaunch(req, DbToolConf(), launch_data_storage=launch_storage(),
                               requests_session=http_session())
    launch.state_verified = state_verified
    return launch


def restore_launch(launch_id: str) -> ToolMessageLaunch:
    """A launch restored from the cache by id (deep linking, AGS)."""
    # pylti1p3 annotates from_cache as returning its base class; it returns cls(...).
    return ToolMessageLaunch.from_cache(  # type: ignore[return-value]
        launch_id, FlaskRequest(), DbToolConf(), launch_data_storage=launch_storage(),
        requests_session=http_session())
