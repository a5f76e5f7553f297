"""The CSRF token templates print: flask_wtf's generate_csrf with its serializer built once per key.

Every course page prints a token (the Sign out form in course/base.html). flask_wtf builds a
URLSafeTimedSerializer for each one, and each build encodes an empty dict to test the serializer,
then signs with a pure-Python HMAC: about 40 µs a page (issue 18). The token here is the same
one, byte for byte: the same raw token in the session, salt, key, timestamp and HMAC-SHA1 (given
as hashlib.sha1, so OpenSSL computes it), cached in g for the request as flask_wtf caches it, so
a FlaskForm in the same request prints the same token and flask_wtf's own check accepts it.
"""
from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, current_app, g, session
from itsdangerous import URLSafeTimedSerializer

SALT = "wtf-csrf-token"  # flask_wtf.csrf's salt
_kept: tuple[Any, URLSafeTimedSerializer] | None = None  # (secret key, its serializer)


def _serializer(secret: Any) -> URLSafeTimedSerializer:
    """The token serializer for this secret key, built when the key first appears."""
    global _kept
    kept = _kept
    if kept is None or kept[0] != secret:
        kept = _kept = (secret, URLSafeTimedSerializer(
            secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha1}))
    return kept[1]


def csrf_token() -> str:
    """flask_wtf.csrf.generate_csrf() with the app's settings, its serializer kept."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    found = g.get(field)
    if found is None:
        secret = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
        if secret is None or field is None:
            raise RuntimeError("A secret key is required to use CSRF.")
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        try:
            found = _serializer(secret).dumps(session[field])
        except TypeError:  # as flask_wtf: a raw token that is not a string is replaced
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            found = _serializer(secret).dumps(session[field])
        setattr(g, field, found)
    return str(found)


def register(app: Flask) -> None:
    """Templates' csrf_token() becomes this one (after CSRFProtect.init_app set its own)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    # CSRFProtect also adds a context processor that puts its own generate_csrf in every
    # template's context, over the global: drop it, since the global now serves every template.
    processors = app.template_context_processors[None]
    processors[:] = [fn for fn in processors if fn.__module__ != "flask_wtf.csrf"]
