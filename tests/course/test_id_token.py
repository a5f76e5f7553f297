"""The id_token's decoder (course/lti/id_token.py): PyJWT's segment rules, without a call per byte."""
from __future__ import annotations

import base64
import os
import sys
from typing import Any

import pytest
from flask import Flask
from jwt.api_jws import PyJWS
from jwt.exceptions import DecodeError

from course.lti.id_token import SegmentCheckedJWS
from tests.conftest import launch
from tests.platform import LEARNER, TestPlatform


def outcome(decode: Any, segment: bytes) -> tuple[str, Any]:
    """What a decoder makes of a segment: the bytes, or the error's message."""
    try:
        return "ok", decode(segment, "payload")
    except DecodeError as exc:
        return "error", str(exc)


def segments() -> list[bytes]:
    """Good segments of every length mod 4 and the ways PyJWT refuses one, byte by byte."""
    found: list[bytes] = []
    for size in range(0, 13):
        good = base64.urlsafe_b64encode(os.urandom(size))
        found += [good, good.rstrip(b"="), good.rstrip(b"=") + b"=", good + b"=", good + b"==="]
    # Every byte value at the start, middle and end of a good segment: the alphabet check.
    body = base64.urlsafe_b64encode(os.urandom(30)).rstrip(b"=")
    for value in range(256):
        for at in (0, 17, len(body) - 1):
            found.append(body[:at] + bytes([value]) + body[at + 1:])
    # Non-canonical last characters (unused low bits set), '=' inside, a length of 4n + 1.
    found += [b"QR", b"QQ", b"QUI", b"QUJ", b"QU=I", b"A", b"AAAAA", b"====", b"QQ==", b"QQ=",
              b"+/+/", b"-_-_", b"QQ==\n", b" QQ", b""]
    return found


def test_the_segment_check_is_pyjwts_own() -> None:
    # The same bytes or the same error as the installed PyJWT, for each case; a newer PyJWT that
    # adds a rule fails here.
    for segment in segments():
        mine = outcome(SegmentCheckedJWS._decode_base64url_segment, segment)
        assert mine == outcome(PyJWS._decode_base64url_segment, segment), segment


def test_a_launch_checks_no_id_token_byte_by_byte(app: Flask, platform: TestPlatform) -> None:
    # PyJWT's generator ran once per byte of the id_token (about 2,000 Python calls a launch,
    # issue 18). The launch still validates the signature with PyJWT's decode, through this JWS.
    seen: list[str] = []

    def spy(frame: Any, event: str, arg: Any) -> None:
        """Note every Python function entered."""
        if event == "call":
            seen.append(frame.f_code.co_qualname)

    client = app.test_client()
    sys.setprofile(spy)
    try:
        done = launch(client, platform)
    finally:
        sys.setprofile(None)
    assert done.status_code == 302
    assert "SegmentCheckedJWS._decode_base64url_segment" in seen
    assert not [name for name in seen if name.endswith("_decode_base64url_segment.<locals>.<genexpr>")]


@pytest.mark.parametrize("where", [1, -2])
def test_a_signed_token_with_a_byte_outside_the_alphabet_is_refused(
        app: Flask, platform: TestPlatform, where: int) -> None:
    # A '!' in the header or the signature: refused before any row is written, as PyJWT refuses.
    client = app.test_client()
    start = client.get(platform.login_url("learner-1"))
    form = platform.authorize(start.location, "learner-1", [LEARNER], "course-1")
    token = form["id_token"]
    at = where % len(token)
    spoiled = token[:at] + "!" + token[at + 1:]
    done = client.post(form["url"], data={"id_token": spoiled, "state": form["state"]})
    assert done.status_code == 400, done.status_code
    assert client.post(form["url"], data={"id_token": token, "state": form["state"]}
                       ).status_code == 302  # the nonce was not spent by the refusal
