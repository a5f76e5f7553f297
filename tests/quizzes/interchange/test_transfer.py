"""GIFT import with its report page, GIFT/QTI export, and the `flask quizzes` CLI round trip."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select

from course.db import db
from quizzes.authoring.questions import create_question, current_version
from quizzes.interchange.transfer import export_items
from quizzes.models import Question
from tests.quizzes.instructor_helpers import BASE, as_instructor, post, sample_item

GIFT_TYPES = ("mcq", "true_false", "sata", "matching")
GOOD_AND_BAD = """// A small file with one good and one broken question.
::Tone grade:: Which scale grades resistance to passive stretch? {
=Modified Ashworth scale#It grades tone on passive movement.
~MRC scale#The MRC scale grades strength, not tone.
}

::Broken:: This question never closes its answers {
=one
~two
"""


def _trimmed(value):
    """Strings without surrounding whitespace (GIFT does not keep a Markdown block's final newline),
    and ``correct: false`` dropped, since false is its default."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: _trimmed(v) for k, v in value.items() if not (k == "correct" and v is False)}
    if isinstance(value, list):
        return [_trimmed(v) for v in value]
    return value


def _count(app, cid):
    """How many course questions a context has."""
    with app.app_context():
        return db.session.scalar(select(func.count(Question.id)).where(Question.context_id == cid))


def _upload(client, cid, content: bytes, name="questions.gift", dry_run=False):
    """Post a file to the import form."""
    data = {"file": (io.BytesIO(content), name)}
    if dry_run:
        data["dry_run"] = "y"
    return post(client, cid, "/transfer/import", data, content_type="multipart/form-data")


def test_gift_import_shows_a_per_question_report(app, client, platform):
    cid = as_instructor(client, platform)
    resp = _upload(client, cid, GOOD_AND_BAD.encode())
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "1 question(s) imported" in html and "1 skipped" in html
    assert "Syntax error" in html and ">Imported<" in html and ">Skipped<" in html
    assert '<td class="num">7</td>' in html  # the broken question's line number
    assert _count(app, cid) == 1
    with app.app_context():
        q = db.session.scalars(select(Question).where(Question.context_id == cid)).one()
        data = current_version(q).data
        assert data["type"] == "mcq" and "gift-import" in q.tags
        assert any("passive movement" in o["rationale"] for o in data["options"])


def test_dry_run_import_writes_nothing(app, client, platform):
    cid = as_instructor(client, platform)
    html = _upload(client, cid, GOOD_AND_BAD.encode(), dry_run=True).get_data(as_text=True)
    assert "Dry run, nothing was saved" in html and "would be imported" in html
    assert _count(app, cid) == 0


def test_broken_files_give_a_clear_400_never_a_500(app, client, platform):
    cid = as_instructor(client, platform)
    cases = [b"\x89PNG\r\n\x1a\n\x00\x00binary", "Caf\u00e9 {=oui}".encode("latin-1"), b"   \n",
             b"::Only broken:: {=a ~b"]
    for content in cases:
        resp = _upload(client, cid, content)
        assert resp.status_code == 400, content
        html = resp.get_data(as_text=True)
        assert "field-error" in html or "Skipped" in html or "No questions were found" in html
    resp = post(client, cid, "/transfer/import", {})
    assert resp.status_code == 400 and "Choose a file" in resp.get_data(as_text=True)
    assert _count(app, cid) == 0


def test_upload_over_the_size_limit_is_413(app, client, platform):
    cid = as_instructor(client, platform)
    big = b"// padding\n" * (app.config["MAX_CONTENT_LENGTH"] // 11 + 10)
    assert _upload(client, cid, big).status_code == 413


def test_web_export_downloads_gift_and_qti(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        for t in GIFT_TYPES + ("bowtie",):
            create_question(cid, None, sample_item(t))
    gift = client.get(BASE.format(cid=cid) + "/transfer/export?format=gift")
    assert gift.status_code == 200 and "attachment" in gift.headers["Content-Disposition"]
    assert gift.headers["X-Skipped-Items"] == "1" and "::" in gift.get_data(as_text=True)
    qti = client.get(BASE.format(cid=cid) + "/transfer/export?format=qti")
    names = zipfile.ZipFile(io.BytesIO(qti.data)).namelist()
    assert "imsmanifest.xml" in names and len(names) == 2
    page = client.get(BASE.format(cid=cid) + "/transfer").get_data(as_text=True)
    assert "Left out of GIFT" in page and "bowtie" in page
    assert client.get(BASE.format(cid=cid) + "/transfer/export?format=docx").status_code == 400


def test_cli_round_trip_into_another_course(app, client, platform, tmp_path):
    source = as_instructor(client, platform, context="course-a")
    target = as_instructor(app.test_client(), platform, context="course-b")
    with app.app_context():
        originals = [create_question(source, None, sample_item(t)) for t in GIFT_TYPES + ("ordering",)]
        expected = {current_version(q).data["id"]: current_version(q).data for q in originals}
    out = tmp_path / "bank.gift"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quizzes", "export", "--format", "gift", "--out", str(out),
                                 "--context", str(source)])
    assert result.exit_code == 0, result.output
    assert "Wrote 4 question(s)" in result.output and "skipped" in result.output
    dry = runner.invoke(args=["quizzes", "import", str(out), "--context", str(target), "--dry-run"])
    assert dry.exit_code == 0 and "would be imported" in dry.output
    assert _count(app, target) == 0
    result = runner.invoke(args=["quizzes", "import", str(out), "--context", str(target)])
    assert result.exit_code == 0, result.output
    assert "4 question(s) imported (0 with losses), 0 skipped" in result.output
    with app.app_context():
        imported = {d["id"]: d for d in export_items(target)}
    assert set(imported) == {k for k, v in expected.items() if v["type"] != "ordering"}
    for item_id, data in imported.items():
        assert _trimmed(data) == _trimmed(expected[item_id])
    qti_out = tmp_path / "bank.zip"
    result = runner.invoke(args=["quizzes", "export", "--format", "qti", "--out", str(qti_out),
                                 "--context", str(target)])
    assert result.exit_code == 0 and zipfile.is_zipfile(qti_out)


def test_cli_reports_bad_input(app, client, platform, tmp_path):
    cid = as_instructor(client, platform)
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.gift"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = runner.invoke(args=["quizzes", "import", str(bad), "--context", str(cid)])
    assert result.exit_code != 0 and "not" in result.output.lower()
    result = runner.invoke(args=["quizzes", "import", str(bad), "--context", "999999"])
    assert result.exit_code != 0 and "no course context" in result.output
    shipped = tmp_path / "shipped.gift"
    result = runner.invoke(args=["quizzes", "export", "--format", "gift", "--out", str(shipped)])
    assert result.exit_code == 0 and shipped.read_text().count("::") > 10
