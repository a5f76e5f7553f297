"""Import and export of questions: GIFT or Moodle XML into a course bank, GIFT, QTI and Moodle XML out, the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from course.db import db
from course.models import Context
from course.uploads import decode_text
from quizzes.authoring.questions import (
    course_questions,
    create_question,
    current_version,
    used_item_ids,
)
from quizzes.authoring.sanitise import clean_item, clean_text
from quizzes.bank_loader import get_bank
from quizzes.interchange.gift import (
    DEFAULT_MAX_QUESTIONS,
    DEGRADED,
    IMPORTED,
    SKIPPED,
    ReportLine,
    TooManyQuestions,
    parse_gift,
)
from quizzes.interchange.gift_export import export_gift
from quizzes.interchange.moodle_import import MoodleXmlError, parse_moodle_xml
from quizzes.interchange.moodle_xml import export_moodle
from quizzes.interchange.qti import BANK, SHAPES, QuizSettings, export_qti_zip
from quizzes.media.exporting import QTI_BASE, images_for
from quizzes.media.images import ImageRefused
from quizzes.media.importing import ImageStore

MAX_ATTEMPTS, MAX_TIME_LIMIT = 100, 24 * 60  # bounds of a Canvas quiz's settings in a QTI export
MAX_IMPORT_BYTES = 2 * 1024 * 1024  # the CLI's own cap; the web form uses MAX_CONTENT_LENGTH
FORMATS = ("gift", "qti", "moodle")
SOURCES = ("course", "shipped")  # what an export covers: the course bank or the shipped bank


class TransferError(ValueError):
    """A file that cannot be read at all (not text, empty, too large); shown as a 400."""

    status = 400


class TooManyToImport(TransferError):
    """More questions than one import may hold (GIFT_MAX_QUESTIONS); shown as a 413."""

    status = 413


@dataclass
class ImportReport:
    """The per-question outcome of an import and the new question ids (none on a dry run)."""

    lines: list[ReportLine] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    dry_run: bool = False
    tag: str = "gift-import"  # the bank tag the imported questions get (gift-import or moodle-import)

    def count(self, status: str) -> int:
        """How many questions ended with this status."""
        return sum(1 for line in self.lines if line.status == status)

    @property
    def summary(self) -> str:
        """One sentence for people."""
        verb = "would be imported" if self.dry_run else "imported"
        return (f"{self.count(IMPORTED) + self.count(DEGRADED)} question(s) {verb} "
                f"({self.count(DEGRADED)} with losses), {self.count(SKIPPED)} skipped.")


@dataclass(frozen=True)
class ExportFile:
    """An export ready to download or write: bytes, file name, and what was left out and why."""

    data: bytes
    filename: str
    mimetype: str
    skipped: list[tuple[str, str]]
    count: int
    # (item id, note): written, but with something to repair by hand (GIFT's fixed-order items).
    notes: list[tuple[str, str]] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)  # item type -> questions written


def decode_upload(raw: bytes) -> str:
    """GIFT or Moodle XML bytes as text (course.uploads.decode_text), or TransferError."""
    return decode_text(raw, MAX_IMPORT_BYTES, "GIFT or Moodle XML", TransferError)


def _category(raw: str | None, item: dict[str, Any]) -> str:
    """The last part of a GIFT $CATEGORY path, else the item's topic."""
    if raw:
        last = raw.rstrip("/").rsplit("/", 1)[-1].strip()
        if last and last not in ("top", "$course$"):
            return last
    return str(item.get("topic", ""))


def is_moodle_xml(text: str) -> bool:
    """Moodle XML starts with an XML declaration or <quiz>; GIFT never starts with '<'."""
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def import_gift(context_id: int, user_id: int | None, text: str, *, dry_run: bool = False,
                max_questions: int = DEFAULT_MAX_QUESTIONS) -> ImportReport:
    """Import every GIFT (or Moodle XML) question that fits into the course bank; a dry run writes nothing."""
    moodle = is_moodle_xml(text)
    try:
        result = (parse_moodle_xml if moodle else parse_gift)(text, max_questions=max_questions)
    except TooManyQuestions as exc:
        raise TooManyToImport(str(exc)) from exc
    except MoodleXmlError as exc:
        raise TransferError(str(exc)) from exc
    report = ImportReport(list(result.report), dry_run=dry_run, tag="moodle-import" if moodle else "gift-import")
    if dry_run:
        return report
    used = used_item_ids(context_id)  # read once, not once per question
    try:
        images = ImageStore(context_id, user_id)  # Moodle XML's embedded images, per course
        created = [create_question(context_id, user_id,
                                   images.place(question.item, getattr(question, "images", ())),
                                   category=_category(question.category, question.item),
                                   tags=[report.tag], commit=False, used_ids=used)
                   for question in result.questions]
        db.session.flush()  # one batched flush: a flush per question was most of the time
        report.created.extend(q.id for q in created)
        db.session.commit()
    except ImageRefused as exc:
        db.session.rollback()
        raise TooManyToImport(str(exc)) from exc
    except Exception:
        db.session.rollback()  # all or nothing: a half-imported file is worse than none
        raise
    return report


def export_items(context_id: int | None) -> list[dict[str, Any]]:
    """Items to export: a course's live questions (current versions), or the shipped bank.

    Cleaned again on the way out, so no raw HTML reaches another system even from old rows.
    """
    if context_id is None:
        return [clean_item(dict(item)) for item in get_bank().items.values()]
    return [clean_item(dict(current_version(q).data)) for q in reversed(course_questions(context_id))]


def export_file(fmt: str, items: list[dict[str, Any]], title: str, *, shape: str = BANK,
                quiz: QuizSettings | None = None, context_id: int | None = None) -> ExportFile:
    """Build a GIFT text file or a QTI 1.2 zip from items; unsupported types are listed, not mangled."""
    title = clean_text(title).strip() or "questions"  # a platform's course title is not trusted either
    stem = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-") or "questions"
    if fmt == "gift":
        out = export_gift(items)
        return ExportFile(out.text.encode("utf-8"), f"{stem}.gift.txt", "text/plain; charset=utf-8",
                          out.skipped, len(items) - len(out.skipped), out.notes)
    if fmt == "moodle":
        xml = export_moodle(items, images_for(context_id, items))  # the course's images, base64
        return ExportFile(xml.data, f"{stem}.moodle.xml", "application/xml", xml.skipped,
                          sum(xml.written.values()), xml.notes, dict(sorted(xml.written.items())))
    if fmt == "qti":
        images = images_for(context_id, items)  # packaged under images/ (quizzes.media.exporting)
        data, skipped = export_qti_zip(title, images.rewrite(items, QTI_BASE), shape=shape, settings=quiz,
                                       images={f.name: f.data for f in images.files_in(items)})
        return ExportFile(data, f"{stem}.qti.zip", "application/zip", skipped, len(items) - len(skipped))
    raise TransferError(f"Unknown format {fmt!r}: use gift, qti or moodle.")


def quiz_settings(attempts: str | None, time_limit: str | None) -> QuizSettings:
    """Quiz settings from a form: attempts 0 (unlimited) to MAX_ATTEMPTS, an optional time limit in minutes."""
    try:
        tries = int(attempts or 1)
        limit = (time_limit or "").strip()
        minutes = int(limit) if limit else None
    except ValueError as exc:
        raise TransferError("Attempts and the time limit must be whole numbers.") from exc
    if not 0 <= tries <= MAX_ATTEMPTS:
        raise TransferError(f"Attempts must be from 0 (unlimited) to {MAX_ATTEMPTS}.")
    if minutes is not None and not 1 <= minutes <= MAX_TIME_LIMIT:
        raise TransferError(f"The time limit must be from 1 to {MAX_TIME_LIMIT} minutes.")
    return QuizSettings(tries, minutes)


# --- CLI ---------------------------------------------------------------------------------------

cli = AppGroup("quizzes", help="Import and export quiz questions (GIFT, Moodle XML, QTI 1.2).")


def _context(context_pk: int) -> Context:
    """The course context by database id, or a usage error."""
    ctx = db.session.get(Context, context_pk)
    if ctx is None:
        raise click.BadParameter(f"no course context with id {context_pk}", param_hint="--context")
    return ctx


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="gift, qti or moodle (Moodle XML)")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--context", "context_pk", type=int, default=None,
              help="Course context id (database id); default: the shipped bank.")
@click.option("--shape", type=click.Choice(SHAPES), default=BANK, show_default=True,
              help="QTI only: a Canvas question bank, or a quiz with --attempts and --time-limit.")
@click.option("--attempts", type=click.IntRange(0, MAX_ATTEMPTS), default=1, show_default=True,
              help="QTI quiz: attempts allowed (0 = unlimited).")
@click.option("--time-limit", "time_limit", type=click.IntRange(1, MAX_TIME_LIMIT), default=None,
              help="QTI quiz: time limit in minutes (default: none).")
def export_command(fmt: str, out: Path, context_pk: int | None, shape: str, attempts: int,
                   time_limit: int | None) -> None:
    """Export a course bank (or the shipped bank) as GIFT text, Moodle XML or a QTI 1.2 zip."""
    title = _context(context_pk).title or f"Course {context_pk}" if context_pk is not None else "MS muscle course bank"
    result = export_file(fmt, export_items(context_pk), title, shape=shape, context_id=context_pk,
                         quiz=QuizSettings(attempts, time_limit))
    out.write_bytes(result.data)
    click.echo(f"Wrote {result.count} question(s) to {out}.")
    for kind, count in result.written.items():
        click.echo(f"  {kind}: {count}")
    for item_id, note in result.notes:
        click.echo(f"note {item_id}: {note}")
    for item_id, reason in result.skipped:
        click.echo(f"skipped {item_id}: {reason}")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--context", "context_pk", type=int, required=True, help="Course context id (database id).")
@click.option("--dry-run", is_flag=True, help="Report what would be imported; write nothing.")
def import_command(path: Path, context_pk: int, dry_run: bool) -> None:
    """Import a GIFT or Moodle XML file into a course's question bank, with a per-question report."""
    ctx = _context(context_pk)
    try:
        text = decode_upload(path.read_bytes())
        report = import_gift(ctx.id, None, text, dry_run=dry_run,
                             max_questions=current_app.config.get("GIFT_MAX_QUESTIONS",
                                                                  DEFAULT_MAX_QUESTIONS))
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in report.lines:
        click.echo(f"line {line.line}: {line.status}: {line.title}: {line.reason}")
    click.echo(report.summary)


def register_cli(app: Any) -> None:
    """Add the `flask quizzes` group to an app."""
    app.cli.add_command(cli)
