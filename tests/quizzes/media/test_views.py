"""The course images page and URL: upload limits, alt text, tenant isolation, caching and safe
serving, and images rendered in a stem, an option and a case chart tab."""

from __future__ import annotations

import io
import re

from flask import g, render_template
from sqlalchemy import select

from course.db import db
from course.models import Context
from exports.imagelimits import MAX_IMAGE_BYTES
from quizzes.media.models import QuestionImage
from tests.conftest import csrf_from
from tests.quizzes.instructor_helpers import (
    BASE,
    as_instructor,
    as_learner,
    form_data,
    post,
    sample_item,
)
from tests.quizzes.media import images_data as data

IMG_SRC = re.compile(r'<img src="(/c/\d+/quizzes/images/[^"?]+)[^"]*" alt="([^"]*)"')


def upload(client, cid, raw, name="knee.png", alt="Knee bent to 90 degrees", decorative=False):
    """POST one file to the images page."""
    page = client.get(f"{BASE.format(cid=cid)}/images").get_data(as_text=True)
    body = {"csrf_token": csrf_from(page), "alt": alt, "image": (io.BytesIO(raw), name)}
    if decorative:
        body["decorative"] = "y"
    return client.post(f"{BASE.format(cid=cid)}/images", data=body, content_type="multipart/form-data")


def stored(app, cid):
    """The images of one course, newest first, as (id, url file name, mime, alt)."""
    with app.app_context():
        rows = db.session.scalars(select(QuestionImage).where(QuestionImage.context_id == cid)
                                  .order_by(QuestionImage.id.desc())).all()
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}
        return [(r.id, f"{r.id}-{r.sha256[:16]}.{ext[r.mime]}", r.mime, r.alt) for r in rows]


def test_upload_lists_the_image_with_its_reference(app, client, platform):
    cid = as_instructor(client, platform)
    resp = upload(client, cid, data.png(text="secret"))
    assert resp.status_code == 302
    [(image_id, filename, mime, alt)] = stored(app, cid)
    assert (mime, alt) == ("image/png", "Knee bent to 90 degrees")
    page = client.get(f"{BASE.format(cid=cid)}/images").get_data(as_text=True)
    assert f"![Knee bent to 90 degrees](image:{image_id})" in page
    assert f'src="/c/{cid}/quizzes/images/{filename}" alt="Knee bent to 90 degrees"' in page


def test_alt_text_is_required_and_decorative_stores_none(app, client, platform):
    cid = as_instructor(client, platform)
    resp = upload(client, cid, data.png(), alt="  ")
    assert resp.status_code == 400
    assert "Describe the image in the alt text, or mark it as decorative." in resp.get_data(as_text=True)
    assert stored(app, cid) == []
    assert upload(client, cid, data.png(), alt="a divider line", decorative=True).status_code == 302
    assert stored(app, cid)[0][3] == ""


def test_too_big_and_hostile_files_are_refused_with_a_message(app, client, platform):
    cid = as_instructor(client, platform)
    big = upload(client, cid, b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_IMAGE_BYTES)
    assert big.status_code == 413 and "at most 512 KB" in big.get_data(as_text=True)
    bomb = upload(client, cid, data.png_bomb(3000, 3000))
    assert bomb.status_code == 413 and "limit is 4 million pixels" in bomb.get_data(as_text=True)
    entities = upload(client, cid, data.SVG_ENTITIES, "x.svg")
    assert entities.status_code == 400 and "DOCTYPE or entities" in entities.get_data(as_text=True)
    fake = upload(client, cid, b"<html><body onload=alert(1)>", "x.png")
    assert fake.status_code == 400 and "PNG, JPEG or SVG" in fake.get_data(as_text=True)
    assert stored(app, cid) == []
    # Over the request limit (MAX_CONTENT_LENGTH) the server answers 413 before the view runs.
    huge = upload(client, cid, b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert huge.status_code == 413 and "larger than the limit" in huge.get_data(as_text=True)


def test_serving_headers_cache_and_etag(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.png())
    [(_, filename, _, _)] = stored(app, cid)
    resp = client.get(f"/c/{cid}/quizzes/images/{filename}")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    assert resp.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in resp.headers["Content-Security-Policy"]
    etag = resp.headers["ETag"]
    again = client.get(f"/c/{cid}/quizzes/images/{filename}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # A URL whose hash or type does not match the stored image is not the image.
    image_id, digest = filename.split("-")[0], filename.split("-")[1].split(".")[0]
    for wrong in (f"{image_id}-{'0' * 16}.png", f"{image_id}-{digest}.jpg", f"{image_id}.png", "x"):
        assert client.get(f"/c/{cid}/quizzes/images/{wrong}").status_code == 404


def test_svg_is_served_sanitised_and_sandboxed(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.SVG_HOSTILE, "drawing.svg", alt="A drawing")
    [(_, filename, mime, _)] = stored(app, cid)
    resp = client.get(f"/c/{cid}/quizzes/images/{filename}")
    assert resp.mimetype == "image/svg+xml" == mime
    assert b"script" not in resp.data and b"onload" not in resp.data and b"evil.example" not in resp.data
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp


def test_tenant_isolation(app, client, platform):
    cid = as_instructor(client, platform, context="course-1")
    upload(client, cid, data.png())
    [(image_id, filename, _, _)] = stored(app, cid)
    other = as_instructor(client, platform, context="course-2")
    # The same browser holds both courses: course 2's URL with course 1's image finds nothing.
    assert client.get(f"/c/{other}/quizzes/images/{filename}").status_code == 404
    assert client.post(f"{BASE.format(cid=other)}/images/{image_id}",
                       data={"csrf_token": csrf_from(client.get(f"{BASE.format(cid=other)}/images")
                                                     .get_data(as_text=True)),
                             "action": "delete"}).status_code == 404
    assert len(stored(app, cid)) == 1
    # A question in course 2 naming course 1's image shows no image.
    item = sample_item("mcq")
    item["stem"] = f"Look: ![x](image:{image_id})"
    frag = post(client, other, "/questions/preview/mcq", form_data(item)).get_data(as_text=True)
    assert "<img" not in frag and "[image not available: x]" in frag
    # A browser that never launched into course 1 cannot fetch its images.
    stranger = app.test_client()
    as_learner(stranger, platform, context="course-2", user="learner-9")
    assert stranger.get(f"/c/{cid}/quizzes/images/{filename}").status_code == 401


def test_learners_see_images_but_cannot_upload(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.png())
    [(_, filename, _, _)] = stored(app, cid)
    learner = app.test_client()
    as_learner(learner, platform)
    assert learner.get(f"/c/{cid}/quizzes/images/{filename}").status_code == 200
    assert learner.get(f"{BASE.format(cid=cid)}/images").status_code == 403


def test_image_in_a_stem_and_an_option(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.png(), alt="Stored description")
    upload(client, cid, data.jpeg(), "foot.jpg", alt="Foot", decorative=True)
    [(deco_id, deco_file, _, _), (image_id, filename, _, _)] = stored(app, cid)
    item = sample_item("mcq")
    item["stem"] = f"Which joint is shown?\n\n![](image:{image_id})"
    item["options"][0]["text"] = f"![The knee, written here](image:{image_id}) Knee"
    item["options"][1]["text"] = f"![Foot](image:{deco_id}) Ankle"
    frag = post(client, cid, "/questions/preview/mcq", form_data(item)).get_data(as_text=True)
    found = IMG_SRC.findall(frag)
    expected = f"/c/{cid}/quizzes/images/{filename}"
    assert (expected, "Stored description") in found  # empty written alt: the stored alt
    assert (expected, "The knee, written here") in found  # written alt wins
    assert (f"/c/{cid}/quizzes/images/{deco_file}", "") in found  # decorative: alt=""
    assert frag.index("Stored description") < frag.index("The knee, written here")  # stem, then options


def test_the_editor_lists_references_to_insert(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.png(), alt="Knee")
    [(image_id, _, _, _)] = stored(app, cid)
    page = client.get(f"{BASE.format(cid=cid)}/questions/new/mcq").get_data(as_text=True)
    assert "Insert an image (1 in this course)" in page and f"![Knee](image:{image_id})" in page


def test_image_in_a_case_chart_tab(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.png(), alt="Wound on the left heel")
    [(image_id, filename, _, _)] = stored(app, cid)
    case = {"title": "Ms A", "scenario": "A client with MS.", "stage_title": None,
            "tabs": [{"id": "notes", "label": "Nurse's notes", "table": None,
                      "text": f"Heel on admission:\n\n![](image:{image_id})"}]}
    with app.test_request_context(f"/c/{cid}/quizzes/"):
        g.context = db.session.get(Context, cid)
        html = render_template("quizzes/_case.html", case=case)
    assert f'<img src="/c/{cid}/quizzes/images/{filename}" alt="Wound on the left heel">' in html


def test_alt_text_can_be_changed_and_the_image_deleted(app, client, platform):
    cid = as_instructor(client, platform)
    upload(client, cid, data.png())
    [(image_id, filename, _, _)] = stored(app, cid)
    url = f"{BASE.format(cid=cid)}/images/{image_id}"
    token = csrf_from(client.get(f"{BASE.format(cid=cid)}/images").get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "alt": "", "action": "save"}).status_code == 400
    assert client.post(url, data={"csrf_token": token, "alt": "Knee, side view"}).status_code == 302
    assert stored(app, cid)[0][3] == "Knee, side view"
    assert client.post(url, data={"alt": "x", "action": "delete"}).status_code == 400  # no CSRF token
    assert client.post(url, data={"csrf_token": token, "action": "delete"}).status_code == 302
    assert stored(app, cid) == []
    assert client.get(f"/c/{cid}/quizzes/images/{filename}").status_code == 404
