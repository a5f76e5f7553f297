"""Templates' CSRF token (issue 18): flask_wtf's token byte for byte, its serializer built once."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import itsdangerous
import itsdangerous.timed
from flask import Flask, g
from flask_wtf.csrf import generate_csrf, validate_csrf

from course.csrf_tokens import csrf_token
from tests.conftest import csrf_from, launch_as
from tests.platform import TestPlatform


def test_the_token_is_flask_wtfs_own(app: Flask, monkeypatch: Any) -> None:
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(itsdangerous.timed, "time", frozen)
    with app.test_request_context("/"):
        ours = csrf_token()
        assert generate_csrf() == ours  # one token per request, whoever asks first
        del g.csrf_token
        assert generate_csrf() == ours  # and the same bytes flask_wtf signs
        validate_csrf(ours, time_limit=None)


def test_pages_print_a_token_without_building_a_serializer(app: Flask, platform: TestPlatform,
                                                           monkeypatch: Any) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    assert client.get(f"/c/{cid}/").status_code == 200
    built: list[int] = []
    real = itsdangerous.URLSafeTimedSerializer.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(itsdangerous.URLSafeTimedSerializer, "__init__", counted)
    tokens = {csrf_from(client.get(f"/c/{cid}/").get_data(as_text=True)) for _ in range(3)}
    assert built == [] and all(tokens)  # flask_wtf built one per page
    # The printed token still works: Sign out is a CSRF-protected POST.
    assert client.post("/sign-out", data={"csrf_token": tokens.pop()}).status_code == 200
    assert client.get(f"/c/{cid}/").status_code == 401
