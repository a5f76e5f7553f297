"""Flask's signed cookie session: its serializer built once per key, a verified cookie opened once."""
import hashlib
import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_OPENED = 4096  # verified cookies remembered per key; a few hundred bytes each


class KeptSerializerSession(SecureCookieSessionInterface):
    """The same cookie, salt, HMAC and keys as Flask's; the work of opening one is done once.

    Flask builds a URLSafeTimedSerializer on every open and every save, and each build encodes
    an empty dict to test the serializer: three builds per launch, about 0.1 ms (issue 18). The
    serializer holds nothing per request, so one per (secret key, fallbacks) serves them all;
    a changed key (rotation, a test's config) builds a new one.

    Opening a cookie (base64, HMAC in pure Python, zlib, JSON) cost about 50 µs on every page,
    and a browser sends the same cookie until the session changes. So a cookie whose signature
    was verified with these keys is remembered by its exact text with its signing time: the
    next request with the same text gets a fresh copy of its data (from JSON, so no request
    can change another's), after the same age check itsdangerous makes. Any other text is
    verified as Flask does.
    """

    # The same HMAC-SHA1 as Flask's (_lazy_sha1 wraps hashlib.sha1); given directly, hmac takes
    # OpenSSL's HMAC instead of its pure-Python one, so a new cookie is also signed for less.
    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        """Nothing built yet."""
        self._kept: tuple[Any, URLSafeTimedSerializer | None, dict[str, tuple[int, str]]] | None = None

    def _kept_for(self, app: Flask) -> tuple[Any, URLSafeTimedSerializer | None,
                                             dict[str, tuple[int, str]]]:
        """The serializer and the opened cookies for the app's current keys."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app), {})
        return kept

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's current keys, built when they first appear."""
        return self._kept_for(app)[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's open_session, remembering each cookie text it verified (see the class)."""
        _keys, signer, opened = self._kept_for(app)
        if signer is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        hit = opened.get(val)
        # itsdangerous's own check: whole seconds, too old or from the future is refused.
        if hit is not None and 0 <= int(time.time()) - hit[0] <= max_age:
            return self.session_class(self.serializer.loads(hit[1]))
        try:
            data, signed_at = signer.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(opened) >= MAX_OPENED:
            opened.clear()
        opened[val] = (int(signed_at.timestamp()), self.serializer.dumps(data))
        return self.session_class(data)


def register(app: Flask) -> None:
    """Use the kept serializer for this app's session cookie."""
    app.session_interface = KeptSerializerSession()
