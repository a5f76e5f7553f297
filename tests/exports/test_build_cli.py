"""`flask handouts build`: one PDF per topic, a progress line per file, clinic branding."""

from __future__ import annotations

import pathlib
import re

import pytest
from flask import Flask

from course.db import db
from exports.cli import handouts_cli
from exports.content import get_handouts
from exports.models import ClinicProfile, clinic_dict
from tests.exports.helpers import pdf_text, pdfinfo

PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] ([a-z0-9-]+\.pdf)  \d+ KB  \d+\.\d s$")


@pytest.fixture
def cli_app(app: Flask) -> Flask:
    """The test app with the handouts commands attached (create_app may already do this)."""
    app.cli.add_command(handouts_cli)
    return app


def invoke(app: Flask, *args: str) -> tuple[int, str]:
    """Run a `flask handouts` command; return exit code and combined output."""
    result = app.test_cli_runner().invoke(args=["handouts", *args])
    return result.exit_code, result.output


def test_build_writes_one_pdf_per_topic_with_progress(cli_app: Flask,
                                                      tmp_path: pathlib.Path) -> None:
    topics = ["muscle-loss", "preventing-falls-at-home"]
    code, output = invoke(cli_app, "build", "--topic", topics[0], "--topic", topics[1],
                          "--paper", "a4", "--large-print", "--out", str(tmp_path / "out"))
    assert code == 0, output
    lines = [m for m in (PROGRESS.match(line) for line in output.splitlines()) if m]
    assert [m.group(3) for m in lines] == [f"{t}.pdf" for t in topics]
    assert [(m.group(1), m.group(2)) for m in lines] == [("1", "2"), ("2", "2")]
    for topic in topics:
        path = tmp_path / "out" / f"{topic}.pdf"
        assert pdfinfo(path)["Page size"].startswith("595.276 x 841.89")
        # No clinic profile exists: the generic name, and a blank line instead of a phone phrase.
        assert "Your clinic" in pdf_text(path) and "Ask your care team" not in pdf_text(path)
        assert "Write your care team's phone number on the line." in pdf_text(path)
    assert "no clinic profile with a phone number is set" in output


def test_build_all_uses_the_first_clinic_profile(cli_app: Flask, tmp_path: pathlib.Path) -> None:
    with cli_app.app_context():
        db.session.add(ClinicProfile(name="Lakeside Neurology", phone="555-0142"))
        db.session.commit()
    code, output = invoke(cli_app, "build", "--all", "--out", str(tmp_path))
    assert code == 0, output
    written = sorted(p.stem for p in tmp_path.glob("*.pdf"))
    assert written == sorted(h.slug for h in get_handouts())
    assert "555-0142" in pdf_text(tmp_path / "muscle-loss.pdf")


def test_build_with_a_named_clinic(cli_app: Flask, tmp_path: pathlib.Path) -> None:
    with cli_app.app_context():
        db.session.add_all([ClinicProfile(name="First", phone="1"),
                            ClinicProfile(name="Second Clinic", phone="555-0177")])
        db.session.commit()
        second = db.session.scalar(db.select(ClinicProfile).filter_by(name="Second Clinic"))
        second_id = second.id
    code, output = invoke(cli_app, "build", "--topic", "muscle-loss", "--clinic",
                          str(second_id), "--out", str(tmp_path))
    assert code == 0, output
    assert "555-0177" in pdf_text(tmp_path / "muscle-loss.pdf")


@pytest.mark.parametrize("args, message", [
    (["--out", "x"], "--topic SLUG"),
    (["--all", "--topic", "muscle-loss", "--out", "x"], "not both"),
    (["--topic", "no-such-topic", "--out", "x"], "unknown topic"),
    (["--all", "--clinic", "999", "--out", "x"], "no clinic profile"),
])
def test_build_refuses_bad_arguments(cli_app: Flask, args: list[str], message: str) -> None:
    code, output = invoke(cli_app, "build", *args)
    assert code != 0 and message in output


def test_check_prints_a_grade_per_handout(cli_app: Flask) -> None:
    code, output = invoke(cli_app, "check")
    assert code == 0, output
    for handout in get_handouts():
        assert re.search(rf"^{handout.slug}: Flesch-Kincaid grade \d+\.\d, SMOG", output, re.M)


def test_clinic_dict_is_plain_and_skips_a_broken_logo(app: Flask) -> None:
    with app.app_context():
        profile = ClinicProfile(name="Clinic", phone="1", logo=b"not an image",
                                logo_mime="image/png")
        values = clinic_dict(profile)
    assert values["logo_data_uri"] == "" and values["name"] == "Clinic"
    assert clinic_dict(None)["name"] == "Your clinic"
