"""Flask's signed cookie session, its signing serializer built once per key, not per request."""
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSession(SecureCookieSessionInterface):
    """The same cookie, salt, HMAC and keys as Flask's; only the serializer object is reused.

    Flask builds a URLSafeTimedSerializer on every open and every save, and each build encodes
    an empty dict to test the serializer: three builds per launch, about 0.1 ms (issue 18). The
    serializer holds nothing per request, so one per (secret key, fallbacks) serves them all;
    a changed key (rotation, a test's config) builds a new one.
    """

    def __init__(self) -> None:
        """Nothing built yet."""
        self._kept: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's current keys, built when they first appear."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]


def register(app: Flask) -> None:
    """Use the kept serializer for this app's session cookie."""
    app.session_interface = KeptSerializerSession()
