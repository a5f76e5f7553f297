"""Images leave with their items: QTI packages them (images/, webcontent resources,
$IMS-CC-FILEBASE$ references); Moodle XML gets each file's name, type, base64 and rewritten text."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET
import zipfile

from quizzes.authoring.questions import create_question
from quizzes.interchange.qti import export_qti_zip
from quizzes.media.exporting import MOODLE_BASE, QTI_BASE, ExportImages, ImageFile, images_for
from quizzes.media.refs import image_ids, reference, rewrite, src_id
from quizzes.media.service import save_image
from tests.quizzes.instructor_helpers import BASE, as_instructor, sample_item
from tests.quizzes.media import images_data as data

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def test_refs_are_found_and_rewritten_anywhere_in_an_item():
    item = {"stem": "See ![a](image:3) and ![](image:7)", "options": [{"text": "![b](image:3)"}],
            "n": 4, "note": "[link](image:9) is a link, not an image"}
    assert image_ids(item) == [3, 7]
    out = rewrite(item, lambda i, alt: (f"u/{i}", alt or "stored") if i == 3 else None)
    assert out["stem"] == "See ![a](u/3) and ![](image:7)"
    assert out["options"][0]["text"] == "![b](u/3)" and out["n"] == 4
    assert item["stem"].startswith("See ![a](image:3)")  # the original is not changed
    assert reference(12, "Knee [left]") == "![Knee (left)](image:12)"
    assert (src_id("image:12"), src_id("image:x"), src_id("https://a/b.png")) == (12, None, None)


def _files() -> ExportImages:
    return ExportImages({5: ImageFile(5, "5-knee.png", "image/png", data.png(), "Knee"),
                         6: ImageFile(6, "6-line.svg", "image/svg+xml", data.SVG_OK, "")})


def test_moodle_gets_names_bytes_and_plugin_file_references():
    files = _files()
    text = "Look ![](image:5), then ![Mine](image:6); ![x](image:99) is unknown."
    assert files.rewrite(text, MOODLE_BASE) == ("Look ![Knee](@@PLUGINFILE@@/5-knee.png), then "
                                                "![Mine](@@PLUGINFILE@@/6-line.svg); ![x](image:99) is unknown.")
    [knee, line] = files.files_in(text)
    assert (knee.name, knee.mime, base64.b64decode(knee.base64)) == ("5-knee.png", "image/png", data.png())
    assert line.mime == "image/svg+xml" and line.alt == ""


def test_qti_packages_images_and_points_at_them():
    files = _files()
    item = dict(sample_item("mcq"))
    item["stem"] = "Which joint? ![](image:5)"
    item["options"] = [dict(o) for o in item["options"]]
    item["options"][0]["text"] = "![Drawing](image:6) Knee"
    zipped, skipped = export_qti_zip("Images", [files.rewrite(item, QTI_BASE)],
                                     images={f.name: f.data for f in files.files_in(item)})
    assert skipped == []
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    assert archive.read("images/5-knee.png") == data.png()
    assert archive.read("images/6-line.svg") == data.SVG_OK
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    web = [r for r in manifest.iter(f"{CP}resource") if r.get("type") == "webcontent"]
    assert sorted(r.get("href") for r in web) == ["images/5-knee.png", "images/6-line.svg"]
    assert all(r.find(f"{CP}file").get("href") == r.get("href") for r in web)
    document = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")
                    and n != "imsmanifest.xml")
    assert 'src="$IMS-CC-FILEBASE$/images/5-knee.png" alt="Knee"' in document
    assert 'src="$IMS-CC-FILEBASE$/images/6-line.svg" alt="Drawing"' in document


def test_qti_refuses_unsafe_package_names():
    zipped, _ = export_qti_zip("x", [], images={"../evil.png": b"x", "ok.png": b"y", "a b.png": b"z"})
    assert sorted(n for n in zipfile.ZipFile(io.BytesIO(zipped)).namelist() if n.startswith("images")) \
        == ["images/ok.png"]


def test_images_for_reads_only_this_courses_images(app, client, platform):
    one = as_instructor(client, platform, context="course-1")
    two = as_instructor(client, platform, context="course-2")
    with app.app_context():
        mine = save_image(one, None, data.png(), "Knee.png", "Knee", False)
        theirs = save_image(two, None, data.png(), "x.png", "Other", False)
        items = [{"stem": f"![](image:{mine.id}) ![](image:{theirs.id})"}]
        found = images_for(one, items)
        assert list(found.files) == [mine.id]
        assert found.files[mine.id].name == f"{mine.id}-knee.png" and found.files[mine.id].alt == "Knee"
        assert images_for(None, items).files == {}  # the shipped bank has no course images


def test_canvas_download_packages_the_course_images(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        image = save_image(cid, None, data.png(), "Knee.png", "Knee", False)
        item = sample_item("mcq")
        item["stem"] += f"\n\n![](image:{image.id})"
        create_question(cid, None, item, category="Images")
        stored = image.data
    resp = client.get(f"{BASE.format(cid=cid)}/transfer/export-qti?shape=bank")
    archive = zipfile.ZipFile(io.BytesIO(resp.data))
    name = f"images/{image.id}-knee.png"
    assert archive.read(name) == stored
    document = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")
                    and n != "imsmanifest.xml")
    assert f'src="$IMS-CC-FILEBASE$/{name}" alt="Knee"' in document
    plain = client.get(f"{BASE.format(cid=cid)}/transfer/export?format=qti")
    assert name in zipfile.ZipFile(io.BytesIO(plain.data)).namelist()
