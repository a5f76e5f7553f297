"""Spanish handouts out of the app: PDF language and fonts, the pages, the print form, the CLI."""

from __future__ import annotations

import pathlib
import re
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient

import exports.content
import exports.views
from exports.content import Handout, get_handout, get_handouts, load_handouts
from exports.languages import REVIEW_PENDING
from exports.models import ClinicProfile, clinic_dict
from exports.render import RenderOptions, render_html, render_pdf
from tests.conftest import csrf_from, launch_as
from tests.exports.helpers import pdf_text, run
from tests.exports.test_build_cli import cli_app, invoke  # noqa: F401  (fixture)
from tests.exports.test_spanish import spanish, write_es

SLUG = "muscle-loss"
PENDING = REVIEW_PENDING.format(lang="Spanish")
ACCENTS = "á é í ó ú ñ ü ¿ ¡"


def catalog_langs(pdf: bytes) -> list[str]:
    """Every /Lang in the PDF, reading inside compressed object streams too."""
    found: list[str] = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            data = zlib.decompressobj().decompress(pdf[match.end():match.end() + 400_000])
        except zlib.error:
            continue
        found += [m.decode() for m in re.findall(rb"/Lang\s*\(([^)]*)\)", data)]
    return found


def test_spanish_pdf_is_tagged_es_with_every_accent_embedded(tmp_path: pathlib.Path) -> None:
    data = spanish(main_message=f"Lea esto con calma: {ACCENTS}. ¿Tiene preguntas? ¡Llame!")
    library = load_handouts(write_es(tmp_path / "es", data), lang="es")
    pdf = render_pdf(["sample-topic"], {}, handouts=library, lang="es")
    path = tmp_path / "es.pdf"
    path.write_bytes(pdf)
    assert catalog_langs(pdf) == ["es"]
    text = pdf_text(path)
    assert ACCENTS in text and "¿Tiene preguntas? ¡Llame!" in text
    assert "Llame a su equipo de salud si" in text and "Llame al 911" in text
    assert "Tiene derecho a un intérprete gratis" in text and "Página 1 de" in text
    assert "Not yet reviewed" not in text  # the review line is for staff, never printed
    fonts = run("pdffonts", path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb column


def test_bilingual_packet_is_english_then_spanish(tmp_path: pathlib.Path) -> None:
    pdf = render_pdf([SLUG, "spasticity-and-spasms"], {"name": "Lakeside", "phone": "555-0142"},
                     lang="en+es")
    path = tmp_path / "both.pdf"
    path.write_bytes(pdf)
    text = pdf_text(path)
    titles = [get_handout(s, lang=lang).title for lang in ("en", "es")
              for s in (SLUG, "spasticity-and-spasms")]
    # The last mention of each title is its handout's heading (the first is the contents list).
    positions = [text.rindex(t) for t in titles]
    assert positions == sorted(positions)
    assert "In this packet / En este paquete" in text and catalog_langs(pdf) == ["en"]


def test_the_placeholder_clinic_is_named_in_spanish_even_when_cleaned_twice() -> None:
    # The page and the CLI pass clinic_dict(None), already cleaned to "Your clinic".
    html = render_html(["fatigue-and-heat"], clinic_dict(None), RenderOptions(lang="es"))
    assert '<p class="clinic-name">Su clínica</p>' in html and "Your clinic" not in html
    named = render_html(["fatigue-and-heat"], clinic_dict(ClinicProfile(name="Lakeside")),
                        RenderOptions(lang="es"))
    assert '<p class="clinic-name">Lakeside</p>' in named


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language must be one of en, es, en\\+es"):
        RenderOptions(lang="fr")


def test_spanish_page_has_the_staff_line_and_a_link_back(client: FlaskClient,
                                                         platform: object) -> None:
    cid = launch_as(client, platform, "learner")
    page = client.get(f"/c/{cid}/handouts/{SLUG}?lang=es").get_data(as_text=True)
    assert get_handout(SLUG, lang="es").title in page and 'lang="es"' in page
    assert PENDING in page and "For staff, not printed" in page
    assert f"/c/{cid}/handouts/{SLUG}?lang=en" in page
    english = client.get(f"/c/{cid}/handouts/{SLUG}").get_data(as_text=True)
    assert "For staff, not printed" not in english and "Read in Spanish" in english
    listing = client.get(f"/c/{cid}/handouts/").get_data(as_text=True)
    assert listing.count(PENDING) == len(get_handouts("es"))
    assert client.get(f"/c/{cid}/handouts/{SLUG}?lang=fr").status_code == 400
    assert client.get(f"/c/{cid}/handouts/{SLUG}.pdf?lang=xx").status_code == 400


def test_quick_spanish_pdf_and_print_form_languages(client: FlaskClient, platform: object,
                                                    tmp_path: pathlib.Path) -> None:
    cid = launch_as(client, platform, "learner")
    resp = client.get(f"/c/{cid}/handouts/{SLUG}.pdf?lang=es")
    assert resp.status_code == 200 and catalog_langs(resp.data) == ["es"]
    token = csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    resp = client.post(f"/c/{cid}/handouts/print", data={
        "csrf_token": token, "slugs": [SLUG], "paper": "letter", "lang": "en+es"})
    assert resp.status_code == 200
    path = tmp_path / "p.pdf"
    path.write_bytes(resp.data)
    text = pdf_text(path)
    assert get_handout(SLUG).title in text and get_handout(SLUG, lang="es").title in text
    bad = client.post(f"/c/{cid}/handouts/print", data={
        "csrf_token": token, "slugs": [SLUG], "paper": "letter", "lang": "fr"})
    assert bad.status_code == 400


def test_a_topic_with_no_spanish_version_is_a_clear_4xx(client: FlaskClient, platform: object,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Every shipped handout has a Spanish version now, so take one away for this test.
    missing, real = SLUG, get_handouts

    def without_one(lang: str = "en") -> tuple[Handout, ...]:
        return tuple(h for h in real(lang) if lang == "en" or h.slug != missing)

    monkeypatch.setattr(exports.content, "get_handouts", without_one)
    monkeypatch.setattr(exports.views, "get_handouts", without_one)
    cid = launch_as(client, platform, "learner")
    assert client.get(f"/c/{cid}/handouts/{missing}?lang=es").status_code == 404
    token = csrf_from(client.get(f"/c/{cid}/handouts/").get_data(as_text=True))
    resp = client.post(f"/c/{cid}/handouts/print", data={
        "csrf_token": token, "slugs": [missing], "paper": "letter", "lang": "es"})
    assert resp.status_code == 400 and "No Spanish version yet" in resp.get_data(as_text=True)


def test_cli_builds_spanish_and_prints_the_staff_line(cli_app: Flask,  # noqa: F811
                                                      tmp_path: pathlib.Path) -> None:
    code, output = invoke(cli_app, "build", "--topic", SLUG, "--lang", "es",
                          "--out", str(tmp_path))
    assert code == 0, output
    assert (tmp_path / f"{SLUG}.es.pdf").is_file()
    assert f"For staff, not printed: {SLUG}: {PENDING}" in output
    code, output = invoke(cli_app, "build", "--topic", SLUG, "--lang", "en+es",
                          "--out", str(tmp_path))
    assert code == 0 and (tmp_path / f"{SLUG}.en-es.pdf").is_file()
    code, output = invoke(cli_app, "check")
    assert code == 0 and f"es/{SLUG}: Fernández-Huerta" in output
