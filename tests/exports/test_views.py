"""Handout web pages: reading, printing PDFs, and the instructor's clinic profile form."""

from __future__ import annotations

import io
import pathlib

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from exports.content import get_handouts
from tests.conftest import csrf_from, launch_as
from tests.exports.helpers import pdf_text

SLUG = "muscle-loss"


def png() -> bytes:
    """A small real PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "#0b3d6b").save(buffer, format="PNG")
    return buffer.getvalue()


def text_of(pdf: bytes, tmp_path: pathlib.Path) -> str:
    """Extract a PDF's text with poppler."""
    path = tmp_path / "got.pdf"
    path.write_bytes(pdf)
    return pdf_text(path)


def save_clinic(client: FlaskClient, cid: int, **fields: object) -> object:
    """Post the clinic form as an instructor would."""
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "name": "Lakeside Neurology", "phone": "555-0142",
            **fields}
    return client.post(f"/c/{cid}/handouts/clinic", data=data,
                       content_type="multipart/form-data")


def test_pages_need_a_launch(client: FlaskClient) -> None:
    assert client.get("/c/1/handouts/").status_code == 401
    assert client.get(f"/c/1/handouts/{SLUG}.pdf").status_code == 401


def test_learner_lists_and_reads_handouts(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "learner")
    page = client.get(f"/c/{cid}/handouts/").get_data(as_text=True)
    for handout in get_handouts():
        assert handout.title in page
    assert "Edit clinic details" not in page
    read = client.get(f"/c/{cid}/handouts/weakness-and-staying-active")
    html = read.get_data(as_text=True)
    assert read.status_code == 200
    assert "Get emergency help if" in html and "Call your care team if" in html
    assert 'src="/static/exports/exports/figures/foot-drop-aids.svg"' in html
    assert client.get("/static/exports/exports/figures/foot-drop-aids.svg").status_code == 200
    assert client.get(f"/c/{cid}/handouts/no-such-handout").status_code == 404


def test_course_home_links_to_handouts(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    home = client.get(f"/c/{cid}/").get_data(as_text=True)
    assert "Patient handouts" in home and f"/c/{cid}/handouts/clinic" in home


def test_quick_pdf_link(client: FlaskClient, platform: object, tmp_path: pathlib.Path) -> None:
    cid = launch_as(client, platform, "learner")
    resp = client.get(f"/c/{cid}/handouts/{SLUG}.pdf?paper=a4&large=1")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert f'filename="{SLUG}.pdf"' in resp.headers["Content-Disposition"]
    assert "Your clinic" in text_of(resp.data, tmp_path)
    assert client.get(f"/c/{cid}/handouts/{SLUG}.pdf?paper=legal").status_code == 400


def test_print_form_makes_a_packet_with_notes(client: FlaskClient, platform: object,
                                               tmp_path: pathlib.Path) -> None:
    cid = launch_as(client, platform, "learner")
    token = csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    resp = client.post(f"/c/{cid}/handouts/print", data={
        "csrf_token": token, "slugs": [SLUG, "preventing-falls-at-home"], "paper": "letter",
        "notes": "Your next visit is in May.",
    })
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert 'filename="ms-handouts.pdf"' in resp.headers["Content-Disposition"]
    text = text_of(resp.data, tmp_path)
    assert "In this packet" in text and "Your next visit is in May." in text


def test_print_form_errors(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "learner")
    token = csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    none = client.post(f"/c/{cid}/handouts/print", data={"csrf_token": token, "paper": "a4"})
    assert none.status_code == 400 and "Choose at least one handout" in none.get_data(as_text=True)
    long = client.post(f"/c/{cid}/handouts/print",
                       data={"csrf_token": token, "slugs": [SLUG], "notes": "x" * 1001})
    assert long.status_code == 400 and "1000 characters" in long.get_data(as_text=True)
    bad = client.post(f"/c/{cid}/handouts/print", data={"csrf_token": token, "slugs": ["nope"]})
    assert bad.status_code == 400
    no_csrf = client.post(f"/c/{cid}/handouts/print", data={"slugs": [SLUG]})
    assert no_csrf.status_code == 400


def test_only_instructors_edit_the_clinic(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "learner")
    assert client.get(f"/c/{cid}/handouts/clinic").status_code == 403


def test_instructor_saves_clinic_and_it_prints(app: Flask, platform: object,
                                                tmp_path: pathlib.Path) -> None:
    client = app.test_client()
    cid = launch_as(client, platform, "instructor")
    resp = save_clinic(client, cid, logo=(io.BytesIO(png()), "logo.png"))
    assert resp.status_code == 302
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    assert 'value="Lakeside Neurology"' in page and "data:image/png;base64," in page
    text = text_of(client.get(f"/c/{cid}/handouts/{SLUG}.pdf").data, tmp_path)
    assert "Lakeside Neurology" in text and "555-0142" in text
    # Another course on the same platform keeps the placeholder: profiles are per context.
    other = app.test_client()
    cid_b = launch_as(other, platform, "learner", context="course-b", user="bob")
    assert "Your clinic" in text_of(other.get(f"/c/{cid_b}/handouts/{SLUG}.pdf").data, tmp_path)


def test_bad_logo_is_refused_with_a_message(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    resp = save_clinic(client, cid, logo=(io.BytesIO(b"GIF89a not allowed"), "logo.gif"))
    assert resp.status_code == 400
    assert "PNG, JPEG or SVG" in resp.get_data(as_text=True)


def test_svg_logo_is_stored_sanitised(client: FlaskClient, platform: object) -> None:
    cid = launch_as(client, platform, "instructor")
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
           b'<image href="file:///etc/passwd"/><rect width="4" height="4"/></svg>')
    assert save_clinic(client, cid, logo=(io.BytesIO(svg), "logo.svg")).status_code == 302
    page = client.get(f"/c/{cid}/handouts/clinic").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page
    import base64
    import re
    stored = base64.b64decode(re.search(r"data:image/svg\+xml;base64,([^\"]+)", page).group(1))
    assert b"script" not in stored and b"onload" not in stored and b"passwd" not in stored
