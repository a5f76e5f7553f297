"""`flask handouts ...` commands: bulk-build handout PDFs and report reading grades."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from course.content import ContentError
from course.db import db
from exports.build import build_handouts
from exports.content import get_handouts
from exports.languages import CHOICES, review_line
from exports.models import ClinicProfile, clinic_dict
from exports.readability import spanish_summary, summary

NO_CLINIC_WARNING = ("Warning: no clinic profile with a phone number is set, so the handouts "
                     "print a blank line for the clinic's phone number. Set a clinic profile "
                     "(Handouts > Clinic details in the course) and pass --clinic ID.")
handouts_cli = AppGroup("handouts", help="Patient handout PDFs.")


@handouts_cli.command("build")
@click.option("--topic", "topics", multiple=True, metavar="SLUG",
              help="Handout to build; repeat for several.")
@click.option("--all", "all_topics", is_flag=True, help="Build every handout.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter",
              show_default=True)
@click.option("--large-print", is_flag=True, help="18 pt body text instead of 14 pt.")
@click.option("--clinic", "clinic_id", type=int, help="ClinicProfile id for the branding.")
@click.option("--lang", type=click.Choice(list(CHOICES)), default="en", show_default=True,
              help="en, es, or en+es for one bilingual PDF per topic (English, then Spanish).")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=pathlib.Path))
def build_command(topics: tuple[str, ...], all_topics: bool, paper: str, large_print: bool,
                  clinic_id: int | None, lang: str, out_dir: pathlib.Path) -> None:
    """Write one PDF per topic into --out, printing a progress line per file."""
    by_lang = {one: get_handouts(one) for one in CHOICES[lang]}
    handouts = tuple(h for items in by_lang.values() for h in items)
    # A topic must exist in every language asked for.
    known = [h.slug for h in get_handouts() if all(
        any(t.slug == h.slug for t in items) for items in by_lang.values())]
    if all_topics == bool(topics):
        raise click.UsageError("give --topic SLUG (one or more) or --all, not both")
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise click.BadParameter(f"unknown topic(s) {', '.join(unknown)}; "
                                 f"choose from {', '.join(known)}", param_hint="--topic")
    _check_readability()
    if "es" in CHOICES[lang]:
        _check_readability(spanish_summary)
    clinic = _clinic(clinic_id)
    if clinic["has_phone"]:
        click.echo(f"Clinic: {clinic['name']} ({clinic['phone']})")
    else:
        click.echo(NO_CLINIC_WARNING, err=True)
    results = build_handouts(list(topics) or known, out_dir, clinic, paper=paper,
                             large_print=large_print, progress=click.echo,
                             handouts=handouts, lang=lang)
    click.echo(f"Wrote {len(results)} PDF(s) to {out_dir}")
    built = {r.slug for r in results}
    for handout in handouts:
        note = review_line(handout.lang, handout.review_status, handout.reviewed_by)
        if note and handout.slug in built:
            click.echo(f"For staff, not printed: {handout.slug}: {note}")


@handouts_cli.command("check")
def check_command() -> None:
    """Print each handout's Flesch-Kincaid grade and SMOG index; fail above grade 8."""
    report = _check_readability()
    for slug, grade in report["handout_grades"].items():
        smog = report["handout_smog"][slug]
        click.echo(f"{slug}: Flesch-Kincaid grade {grade:.1f}, SMOG {smog:.1f}")
    spanish = _check_readability(spanish_summary)
    for slug, huerta in spanish["handout_fernandez_huerta"].items():
        inflesz = spanish["handout_szigriszt_pazos"][slug]
        click.echo(f"es/{slug}: Fernández-Huerta {huerta:.1f}, Szigriszt-Pazos (INFLESZ) "
                   f"{inflesz:.1f}")


def _check_readability(gate: Callable[[], dict[str, Any]] = summary) -> dict[str, Any]:
    """Run a readability gate; content that fails it stops the command."""
    try:
        return gate()
    except ContentError as exc:
        raise click.ClickException(str(exc)) from exc


def _clinic(clinic_id: int | None) -> dict[str, Any]:
    """The clinic asked for, else the first profile, else the generic placeholder."""
    if clinic_id is not None:
        profile = db.session.get(ClinicProfile, clinic_id)
        if profile is None:
            raise click.BadParameter(f"no clinic profile with id {clinic_id}",
                                     param_hint="--clinic")
        return clinic_dict(profile)
    try:
        profile = db.session.scalars(
            select(ClinicProfile).order_by(ClinicProfile.id).limit(1)).first()
    except SQLAlchemyError:
        # No clinic_profile table yet (database not migrated): print with the placeholder.
        db.session.rollback()
        click.echo("Could not read clinic profiles (is the database migrated?); "
                   "using the generic placeholder.", err=True)
        profile = None
    return clinic_dict(profile)
