"""The Canvas QTI choice on the transfer page and the CLI: a question bank, or a quiz with its settings."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from quizzes.authoring.questions import create_question
from quizzes.interchange.transfer import TransferError, quiz_settings
from tests.quizzes.instructor_helpers import BASE, as_instructor, sample_item

NS = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}


def _document(data: bytes) -> ET.Element:
    """The QTI document inside an exported zip."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    name = next(n for n in archive.namelist() if n != "imsmanifest.xml")
    return ET.fromstring(archive.read(name))


def _settings(document: ET.Element) -> dict[str, str]:
    """The assessment's qtimetadata fields."""
    return {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
            for f in document.iterfind("q:assessment/q:qtimetadata/q:qtimetadatafield", NS)}


def test_transfer_page_offers_bank_or_quiz(app, client, platform):
    cid = as_instructor(client, platform)
    page = client.get(BASE.format(cid=cid) + "/transfer").get_data(as_text=True)
    assert 'name="shape" value="bank" checked' in page and 'name="shape" value="quiz"' in page
    assert 'for="qti-attempts"' in page and 'for="qti-time"' in page


def test_web_download_as_bank_or_quiz(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        for kind in ("mcq", "matching", "bowtie"):
            create_question(cid, None, sample_item(kind))
    url = BASE.format(cid=cid) + "/transfer/export-qti"
    bank = client.get(url + "?shape=bank")
    assert bank.status_code == 200 and bank.headers["X-Skipped-Items"] == "1"
    assert ".bank.qti.zip" in bank.headers["Content-Disposition"]
    document = _document(bank.data)
    assert document.find("q:objectbank", NS) is not None and document.find("q:assessment", NS) is None
    quiz = client.get(url + "?shape=quiz&attempts=3&time_limit=40")
    assert quiz.status_code == 200 and ".quiz.qti.zip" in quiz.headers["Content-Disposition"]
    assert _settings(_document(quiz.data)) == {
        "cc_maxattempts": "3", "qmd_timelimit": "40", "qmd_assessmenttype": "Examination"}
    unlimited = client.get(url + "?shape=quiz&attempts=0&time_limit=")
    assert _settings(_document(unlimited.data))["cc_maxattempts"] == "unlimited"
    for bad in ("shape=folder", "shape=quiz&attempts=many", "shape=quiz&attempts=500", "shape=quiz&time_limit=0"):
        assert client.get(f"{url}?{bad}").status_code == 400, bad


@pytest.mark.parametrize(("attempts", "minutes", "expected"), [
    (None, None, (1, None)), ("0", "", (0, None)), ("100", "1440", (100, 1440)), (" 2 ", " 30 ", (2, 30)),
])
def test_quiz_settings_read_from_a_form(attempts, minutes, expected):
    settings = quiz_settings(attempts, minutes)
    assert (settings.attempts, settings.time_limit_minutes) == expected


@pytest.mark.parametrize(("attempts", "minutes"), [("-1", None), ("101", None), ("1.5", None), ("1", "1441"),
                                                   ("1", "0"), ("1", "soon")])
def test_quiz_settings_refuse_out_of_range(attempts, minutes):
    with pytest.raises(TransferError):
        quiz_settings(attempts, minutes)


def test_cli_exports_a_quiz_with_settings(app, tmp_path):
    out = tmp_path / "quiz.zip"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quizzes", "export", "--format", "qti", "--out", str(out), "--shape", "quiz",
                                 "--attempts", "0", "--time-limit", "90"])
    assert result.exit_code == 0, result.output
    assert _settings(_document(out.read_bytes())) == {
        "cc_maxattempts": "unlimited", "qmd_timelimit": "90", "qmd_assessmenttype": "Examination"}
    bank = tmp_path / "bank.zip"
    assert runner.invoke(args=["quizzes", "export", "--format", "qti", "--out", str(bank)]).exit_code == 0
    assert _document(bank.read_bytes()).find("q:objectbank", NS) is not None
    refused = runner.invoke(args=["quizzes", "export", "--format", "qti", "--out", str(bank), "--shape", "pile"])
    assert refused.exit_code != 0
