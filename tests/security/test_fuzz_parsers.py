"""Every parser of uploaded or authored input raises only its documented error, on any bytes.

Uploads: GIFT files (`decode_upload` raises TransferError, `parse_gift` never raises and reports
per question) and clinic logos (`validate_logo` and `sanitize_svg` raise LogoError). Authored
Markdown is cleaned by `clean_text` (never raises, leaves no tag). tests/quizzes/interchange/test_gift.py
already fuzzes parse_gift with text; here it gets what decode_upload lets through from raw bytes,
and the CLI import gets random files. Module and handout content loaders only read the
repository's own files, so they are checked by `flask content check`, not fuzzed.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.db import db
from course.models import Context, Registration
from exports.logo import LOGO_TYPES, SVG_ELEMENTS, LogoError, sanitize_svg, validate_logo
from quizzes.authoring.sanitise import _TAG, clean_text
from quizzes.interchange.gift import DEGRADED, IMPORTED, SKIPPED, parse_gift
from quizzes.interchange.transfer import TransferError, decode_upload, import_gift, is_moodle_xml
from tests.security.fuzz_data import MAGIC, fuzz_settings

GIFT_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda head, text: head + text.encode("utf-8", "surrogatepass"),
              st.sampled_from([b"", b"\xef\xbb\xbf", b"$CATEGORY: top/x\n\n", b"::T:: "]),
              st.text(alphabet=st.sampled_from(list("{}=~#:%-0123456789TF\\/\n abc[]<>\x00\u00a0")),
                      max_size=300)),
)


@fuzz_settings(200)
@given(raw=GIFT_BYTES)
def test_gift_upload_raises_only_transfer_error_and_reports_every_question(raw):
    try:
        text = decode_upload(raw)
    except TransferError as exc:
        assert str(exc)
        return
    result = parse_gift(text)
    assert all(line.status in (IMPORTED, DEGRADED, SKIPPED) and line.line >= 1 and line.reason
               or line.status == IMPORTED for line in result.report)
    assert len(result.questions) <= len(result.report)
    try:
        report = import_gift(0, None, text, dry_run=True)  # a dry run never touches the database
    except TransferError as exc:  # text starting with '<' is read as Moodle XML, whose bad files are a 400
        assert is_moodle_xml(text) and exc.status == 400
        return
    assert report.created == [] and report.summary


@fuzz_settings(200)
@given(head=st.sampled_from(MAGIC), body=st.binary(max_size=4000))
def test_logo_upload_raises_only_logo_error(head, body):
    try:
        clean, mime = validate_logo(head + body)
    except LogoError as exc:
        assert str(exc)
        return
    assert mime in LOGO_TYPES
    assert validate_logo(clean) == (clean, mime)  # what is stored passes again on the way out


HOSTILE_TAGS = ["script", "foreignObject", "style", "a", "iframe", "set", "animate", "handler"]
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["onload", "onclick", "href", "xlink:href", "style", "fill", "d", "id",
                     "transform", "filter", "begin", "x"]),
    st.sampled_from(["javascript:alert(1)", "https://evil.test/x.png", "#ok", "url(#g)",
                     "url(https://evil.test/t)", "@import 'x'", "red", "M0 0L1 1",
                     "data:image/png;base64,AAAA", "data:text/html,<script>"]),
    max_size=3)


def _element(tag: str, attrs: dict[str, str], children: list[str]) -> str:
    """One SVG element as markup."""
    attr = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<{tag}{attr}>{''.join(children)}</{tag}>"


SVG_TREE = st.recursive(
    st.builds(_element, st.sampled_from(sorted(SVG_ELEMENTS) + HOSTILE_TAGS), ATTRIBUTES,
              st.just([])),
    lambda inner: st.builds(_element, st.sampled_from(sorted(SVG_ELEMENTS) + HOSTILE_TAGS),
                            ATTRIBUTES, st.lists(inner, max_size=3)),
    max_leaves=8)


@fuzz_settings(150)
@given(children=st.lists(SVG_TREE, max_size=3), attrs=ATTRIBUTES)
def test_svg_logo_keeps_no_script_no_handler_and_no_outside_link(children, attrs):
    markup = _element("svg", {"xmlns": "http://www.w3.org/2000/svg",
                              "xmlns:xlink": "http://www.w3.org/1999/xlink", **attrs}, children)
    try:
        clean = sanitize_svg(markup.encode()).decode()
    except LogoError:
        return
    lowered = clean.lower()
    assert "<script" not in lowered and "foreignobject" not in lowered
    assert not re.search(r"\son[a-z]+=", lowered) and "javascript:" not in lowered
    assert not re.search(r"url\(\s*['\"]?\s*[^#'\"\s)]", lowered) and "@import" not in lowered
    assert not re.search(r"href\s*=\s*['\"](?!#|data:image/(?:png|jpeg);base64,)", lowered)
    assert sanitize_svg(clean.encode()).decode() == clean


NESTED = st.recursive(st.sampled_from(["script", "<b>", "x", "<", ">", "/"]),
                      lambda inner: st.builds(lambda a, b: f"<{a}{b}>", inner, inner), max_leaves=12)


@fuzz_settings(300)
@given(text=st.one_of(st.text(max_size=200), NESTED,
                      st.integers(1, 40).map(lambda n: "<" * n + "script>" * n + "alert(1)"),
                      st.lists(st.sampled_from(["<", "script", ">", "</", "[a](", "javascript:",
                                                "<!--", "-->", "x"]), max_size=30).map("".join)))
def test_authored_markdown_is_left_with_no_tag(text):
    clean = clean_text(text)
    assert not _TAG.search(clean), clean
    assert not re.search(r"\]\(\s*<?\s*javascript:", clean, re.IGNORECASE), clean


@pytest.fixture(scope="module")
def context_pk(sec_app: Any) -> int:
    """A course context to import into."""
    with sec_app.app_context():
        reg = Registration(issuer="https://p.test", client_id="c", auth_login_url="https://p.test/a",
                           auth_token_url="https://p.test/t")
        db.session.add(reg)
        db.session.flush()
        ctx = Context(registration_id=reg.id, context_id="import-course")
        db.session.add(ctx)
        db.session.commit()
        return ctx.id


@fuzz_settings(15)
@given(raw=GIFT_BYTES, dry=st.booleans())
def test_cli_import_of_any_file_exits_cleanly(sec_app, context_pk, tmp_path_factory, raw, dry):
    path = tmp_path_factory.mktemp("gift") / "upload.gift"
    path.write_bytes(raw)
    args = ["quizzes", "import", str(path), "--context", str(context_pk)] + (["--dry-run"] if dry
                                                                          else [])
    result = sec_app.test_cli_runner().invoke(args=args)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.output.strip()
