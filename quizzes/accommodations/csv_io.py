"""Accommodations as CSV, keyed by the learner's LMS id: export, and an all-or-nothing import."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from course.db import db
from course.models import Membership, User
from course.roles import LEARNER
from course.uploads import decode_text
from quizzes.accommodations.models import LearnerGroup, QuizOverride, override_key
from quizzes.accommodations.queries import course_overrides
from quizzes.accommodations.service import OverrideError, OverrideInput, apply_override
from quizzes.models import Quiz, aware
from quizzes.overrides import Rule

COLUMNS = ("learner_id", "email", "name", "group", "quiz", "time_multiplier", "extra_minutes",
           "unlimited_time", "extra_attempts", "open_at", "close_at", "note")
EVERY_QUIZ = "*"
MAX_BYTES = 512 * 1024
MAX_LINES = 2000
YES, NO = {"yes", "y", "true", "1"}, {"", "no", "n", "false", "0"}


class CsvError(Exception):
    """The file as a whole cannot be read; ``message`` is shown above the form."""

    def __init__(self, message: str) -> None:
        """Keep the message for the page."""
        super().__init__(message)
        self.message = message


def _iso(value: datetime | None) -> str:
    """A date as ISO 8601 UTC, e.g. 2025-05-01T09:00:00Z."""
    found = aware(value)
    return found.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if found else ""


def _number(value: float | int | None) -> str:
    """A number without a trailing .0."""
    return "" if value is None else f"{value:g}"


def export_csv(context_id: int) -> str:
    """Every override of the course, one line each; a learner by LMS id (sub), email and name."""
    quizzes = {qid: slug for qid, slug in db.session.execute(select(Quiz.id, Quiz.slug).where(
        Quiz.context_id == context_id))}
    people = {u.id: u for u in db.session.scalars(select(User).join(
        QuizOverride, QuizOverride.user_id == User.id).where(QuizOverride.context_id == context_id))}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in course_overrides(context_id):
        user = people.get(row.user_id or 0)
        writer.writerow([
            user.sub if user else "", user.email if user else "", user.name if user else "",
            row.group.name if row.group else "", quizzes.get(row.quiz_id or 0, EVERY_QUIZ),
            _number(row.time_multiplier), _number(row.extra_minutes),
            "yes" if row.unlimited_time else "", _number(row.extra_attempts),
            _iso(row.open_at), _iso(row.close_at), row.note])
    return out.getvalue()


@dataclass
class ReportLine:
    """What one line of an import did or would do."""

    line: int
    who: str
    quiz: str
    outcome: str  # added, changed, unchanged, error
    message: str = ""


@dataclass
class ImportReport:
    """The line-numbered report; nothing is saved when any line has an error or on a dry run."""

    lines: list[ReportLine] = field(default_factory=list)
    dry_run: bool = False
    saved: bool = False

    @property
    def errors(self) -> int:
        """Lines with an error."""
        return sum(1 for line in self.lines if line.outcome == "error")


def decode(raw: bytes) -> str:
    """Uploaded bytes as CSV text (course.uploads.decode_text), or CsvError."""
    return decode_text(raw, MAX_BYTES, "CSV", CsvError, save_as="CSV UTF-8")


def _date(text: str, name: str) -> datetime | None:
    """An ISO 8601 date and time; without a zone it is read as UTC."""
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a date such as 2025-05-01T09:00Z.") from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _whole(text: str, name: str) -> int | None:
    """A small whole number or nothing."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        raise ValueError(f"{name} {text!r} is not a whole number.")
    return int(text)


def parse_rule(cells: dict[str, str]) -> Rule:
    """The rule columns of one line (ValueError says which cell is wrong)."""
    multiplier = cells.get("time_multiplier", "").removesuffix("x").removesuffix("×").strip()
    unlimited = cells.get("unlimited_time", "").lower()
    if unlimited not in YES | NO:
        raise ValueError(f"unlimited_time {unlimited!r} must be yes or no.")
    try:
        factor = float(multiplier) if multiplier else None
    except ValueError:
        raise ValueError(f"time_multiplier {multiplier!r} is not a number such as 1.5.") from None
    if factor is not None and not factor == factor:  # NaN
        raise ValueError("time_multiplier must be a number such as 1.5.")
    return Rule(time_multiplier=factor, extra_minutes=_whole(cells.get("extra_minutes", ""), "extra_minutes"),
                unlimited_time=unlimited in YES,
                extra_attempts=_whole(cells.get("extra_attempts", ""), "extra_attempts"),
                open_at=_date(cells.get("open_at", ""), "open_at"),
                close_at=_date(cells.get("close_at", ""), "close_at"))


def _learner(context_id: int, sub: str, email: str) -> int:
    """The learner of this course with this LMS id, or else this email."""
    query = select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.context_id == context_id, Membership.role == LEARNER)
    if sub:
        found = list(db.session.scalars(query.where(User.sub == sub)))
    else:
        found = list(db.session.scalars(query.where(func.lower(User.email) == email.lower())))
    if len(found) != 1:
        who = f"learner_id {sub!r}" if sub else f"email {email!r}"
        raise ValueError(f"No learner of this course has {who} (learners appear once they have "
                         "opened the tool)." if not found else f"Several learners have {who}.")
    return found[0]


def _subject(context_id: int, cells: dict[str, str]) -> tuple[int | None, int | None, str]:
    """(user id, group id, who in words) from the learner_id/email or group columns."""
    sub, email, group = cells.get("learner_id", ""), cells.get("email", ""), cells.get("group", "")
    if group and (sub or email):
        raise ValueError("Give a learner or a group on a line, not both.")
    if group:
        found = db.session.scalar(select(LearnerGroup.id).where(
            LearnerGroup.context_id == context_id, LearnerGroup.name == group))
        if found is None:
            raise ValueError(f"There is no group called {group!r} in this course.")
        return None, found, f"group {group}"
    if not (sub or email):
        raise ValueError("Give the learner's learner_id (LMS id) or email, or a group.")
    return _learner(context_id, sub, email), None, sub or email


def _quiz(context_id: int, slug: str) -> int | None:
    """The quiz id for a slug, or None for every quiz."""
    if slug in ("", EVERY_QUIZ):
        return None
    found = db.session.scalar(select(Quiz.id).where(Quiz.context_id == context_id, Quiz.slug == slug))
    if found is None:
        raise ValueError(f"There is no quiz {slug!r} in this course.")
    return found


def _rows(text: str) -> csv.DictReader:
    """A reader over the file, after checking the header names."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or not {"learner_id", "email", "group"} & set(header):
        raise CsvError("The first line must name the columns: " + ", ".join(COLUMNS)
                       + (f" (unknown: {', '.join(unknown)})." if unknown else "."))
    reader.fieldnames = header
    return reader


def import_csv(context_id: int, actor_id: int | None, text: str, dry_run: bool = False) -> ImportReport:
    """Apply every line, or nothing: any error (or a dry run) rolls the whole file back."""
    report, seen = ImportReport(dry_run=dry_run), dict[str, int]()
    reader = _rows(text)
    for cells in reader:
        line = reader.line_num  # the file's line, also when a quoted cell spans several
        if len(report.lines) >= MAX_LINES:
            raise CsvError(f"The file has more than {MAX_LINES} lines; split it.")
        cells = {k: (v or "").strip() for k, v in cells.items() if isinstance(v, str)}
        entry = ReportLine(line, cells.get("learner_id") or cells.get("email") or cells.get("group", ""),
                           cells.get("quiz") or EVERY_QUIZ, "error")
        report.lines.append(entry)
        try:
            user_id, group_id, entry.who = _subject(context_id, cells)
            quiz_id = _quiz(context_id, cells.get("quiz", ""))
            key = override_key(quiz_id, user_id, group_id)
            if key in seen:
                raise ValueError(f"This repeats line {seen[key]} (same learner or group and quiz).")
            seen[key] = line
            data = OverrideInput(quiz_id, user_id, group_id, parse_rule(cells), cells.get("note", ""))
            entry.outcome = apply_override(context_id, actor_id, data, replace=True)[1]
        except (ValueError, OverrideError) as exc:
            entry.message = getattr(exc, "message", None) or str(exc)
    if report.errors or dry_run or not report.lines:
        db.session.rollback()
    else:
        db.session.commit()
        report.saved = True
    return report


def csv_report_summary(report: ImportReport) -> str:
    """One sentence for the top of the report."""
    counts: dict[str, int] = {}
    for line in report.lines:
        counts[line.outcome] = counts.get(line.outcome, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no lines"
    if report.errors:
        return f"Nothing was saved: fix the {report.errors} line(s) with an error and import again ({parts})."
    if report.dry_run:
        return f"Dry run, nothing was saved: {parts}."
    return f"Saved: {parts}." if report.saved else "The file has no lines to import."

