"""Hypothesis strategies for hostile form posts and uploads, and the suite's settings profiles.

Profiles: "security" (default: a modest, derandomised run that fits the suite's time budget)
and "security-deep" (SECURITY_FUZZ_PROFILE=security-deep: many more random examples).
"""
from __future__ import annotations

import io
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.security.helpers import Form

settings.register_profile(
    "security", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture])
settings.register_profile(
    "security-deep", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture])
PROFILE = os.environ.get("SECURITY_FUZZ_PROFILE", "security")


def fuzz_settings(examples: int | None = None) -> settings:
    """The active profile, optionally with fewer examples for an expensive endpoint."""
    base = settings.get_profile(PROFILE)
    if examples is None or PROFILE != "security":
        return settings(base)
    return settings(base, max_examples=examples)


# Values people and attackers type: numbers of every shape, ids, paths, markup, injection.
SPECIAL = ["", " ", "0", "-1", "1.5", "1e309", "NaN", "inf", "9" * 40, "q:0", "q:-1", "s:",
           "s:../../etc/passwd", "up", "down", "save", "finish", "add", "add:options", "cancel",
           "y", "on", "true", "\x00", "\r\n", "../../etc/passwd", "<script>alert(1)</script>",
           "{{7*7}}", "%s%n", "' OR 1=1 --", "javascript:alert(1)", "\u202e\u0000\ufeff",
           "🧠💪", "a" * 300,
           # Numbers past an INTEGER column, WTForms' float checks and int()'s digit limit.
           str(2 ** 31), str(-2 ** 31 - 1), "9" * 400, "-" + "9" * 400, "9" * 5000, "1e400",
           "-0.5", "sNaN", "\u00b2", "\u0663", "q:" + "9" * 30, "q:\u00b2", "options-\u00b2-text"]
TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(SPECIAL),
    st.integers(-(2 ** 70), 2 ** 70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(2_000, 60_000).map(lambda n: "Ä" * n),  # long, multi-byte
)
MAGIC = [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"<svg xmlns='http://www.w3.org/2000/svg'>",
         b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><svg>&e;",
         b"\xef\xbb\xbf::Q:: Stem {=a ~b}\n\n", b"PK\x03\x04", b"GIF89a"]
UPLOAD = st.builds(lambda head, body, name: (head + body, name),
                   st.sampled_from(MAGIC), st.binary(max_size=3000),
                   st.sampled_from(["logo.png", "q.gift.txt", "x.svg", "", "../../x", "a" * 300,
                                    "файл.txt"]))


def _mutate(pairs: list[tuple[str, Any]], names: list[str], files: list[str],
            ops: list[tuple[str, int, Any, Any]], token: str) -> MultiDict:
    """Apply drawn operations to a baseline form, keep the valid CSRF token, add uploads."""
    data: list[tuple[str, Any]] = list(pairs)
    for op, index, value, upload in ops:
        name = names[index % len(names)] if names else "field"
        if op == "drop":
            data = [p for p in data if p[0] != name]
        elif op == "set":
            data = [p for p in data if p[0] != name] + [(name, value)]
        elif op == "repeat":
            data += [(name, value), (name, value)]
        elif op == "extra":
            data.append((str(value)[:60] or "x", value))
        elif op == "file":  # into the form's file field, or where no upload is expected
            target = files[index % len(files)] if files else name
            data.append((target, (io.BytesIO(upload[0]), upload[1])))
    data = [p for p in data if p[0] != "csrf_token"] + [("csrf_token", token)]
    return MultiDict(data)


def form_data(form: Form | None, token: str) -> st.SearchStrategy[MultiDict]:
    """A post built from the page's own form (or nothing), damaged in drawn ways."""
    pairs = form.baseline() if form else []
    names = [n for n in (form.names() if form else []) if n != "csrf_token"]
    files = form.file_fields() if form else []
    # The form's own choices too, so valid-looking posts get past the first checks.
    offered = form.choices() if form else []
    value = st.one_of(TEXT, st.sampled_from(offered)) if offered else TEXT
    op = st.tuples(st.sampled_from(["drop", "set", "repeat", "extra", "file"]),
                   st.integers(0, 500), value, UPLOAD)
    return st.builds(_mutate, st.just(pairs), st.just(names), st.just(files),
                     st.lists(op, max_size=6), st.just(token))


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)


def json_body(form: MultiDict) -> st.SearchStrategy[Any]:
    """A form's fields as a JSON body, some values swapped for any JSON, or not an object at all."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    swapped = st.fixed_dictionaries({k: st.one_of(st.just(v), JSON_VALUE) for k, v in fields.items()})
    return st.one_of(swapped, swapped, JSON_VALUE)
