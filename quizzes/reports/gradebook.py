"""Gradebook queries: learners x quizzes with grade, attempts, time and LMS sync; CSV export."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from course.db import db
from course.models import Context, Membership
from quizzes import grading
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, Quiz, aware
from quizzes.reports.roster import Learner, Roster, course_roster
from quizzes.scores.outbox import SyncState, sync_states

DANGEROUS_LEADS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cell:
    """One learner's standing in one quiz."""

    quiz_id: int
    grade: float | None
    submitted: int
    in_progress: bool
    seconds: int | None
    passed: bool | None
    sync: SyncState | None


@dataclass(frozen=True)
class Line:
    """One learner's row: identity, one cell per quiz, module progress."""

    learner: Learner
    cells: tuple[Cell, ...]
    modules_done: int | None = None


@dataclass(frozen=True)
class Gradebook:
    """The whole table for a course."""

    quizzes: tuple[Quiz, ...]
    lines: tuple[Line, ...]
    roster: Roster
    modules_total: int | None = None
    notices: list[str] = field(default_factory=list)


def attempt_seconds(attempt: Attempt) -> int | None:
    """How long a submitted attempt took, in whole seconds."""
    start, end = aware(attempt.started_at), aware(attempt.submitted_at)
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def graded_attempt(method: str, submitted: Sequence[Attempt]) -> Attempt | None:
    """The attempt whose score is the grade (None for "average", which uses them all)."""
    if not submitted or method == "average":
        return None
    if method == "first":
        return submitted[0]
    if method == "last":
        return submitted[-1]
    best = max((a.score or 0.0) for a in submitted)
    return next(a for a in submitted if (a.score or 0.0) == best)


def make_cell(quiz: Quiz, attempts: Sequence[Attempt], sync: SyncState | None) -> Cell:
    """The cell for one quiz from a learner's attempts there (in attempt order)."""
    submitted = [a for a in attempts if a.state == SUBMITTED]
    grade = grading.quiz_grade(quiz.grading, [a.score or 0.0 for a in submitted])
    used = graded_attempt(quiz.grading, submitted)
    if used is not None:
        seconds = attempt_seconds(used)
    else:
        times = [t for t in (attempt_seconds(a) for a in submitted) if t is not None]
        seconds = sum(times) if times else None
    return Cell(quiz.id, grade, len(submitted), any(a.state == IN_PROGRESS for a in attempts), seconds,
                grading.passed(grade, quiz.pass_mark), sync)


def _module_progress(context_id: int) -> tuple[dict[int, int], int] | None:
    """Modules completed per user and the number of modules, when the modules package offers it."""
    try:
        from modules.loader import get_course
        from modules.progress import activity_by_user
        course = get_course()
        activity = activity_by_user(context_id)
    except Exception:  # modules not installed or its content broken: the gradebook still works
        return None
    done = {uid: sum(act.status(m).complete for m in course.modules) for uid, act in activity.items()}
    return done, len(course.modules)


def build_gradebook(context: Context, quizzes: Iterable[Quiz]) -> Gradebook:
    """Every learner on the roster against every quiz; three queries whatever the course size."""
    quizzes = tuple(quizzes)
    roster = course_roster(context)
    by_key: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    for attempt in db.session.scalars(select(Attempt).where(Attempt.context_id == context.id)
                                      .order_by(Attempt.user_id, Attempt.quiz_id, Attempt.number)):
        by_key[(attempt.user_id, attempt.quiz_id)].append(attempt)
    states = sync_states(context.id)
    progress = _module_progress(context.id)
    lines = []
    for learner in roster.learners:
        uid = learner.user_id
        cells = tuple(make_cell(q, by_key.get((uid, q.id), []) if uid else [],
                                states.get((q.id, uid)) if uid else None) for q in quizzes)
        done = progress[0].get(uid or 0, 0) if progress else None
        lines.append(Line(learner, cells, done))
    notices = [roster.notice] if roster.notice else []
    return Gradebook(quizzes, tuple(lines), roster, progress[1] if progress else None, notices)


def learner_in_course(context_id: int, user_id: int) -> bool:
    """Whether a user is a learner of this course (drill-down guard)."""
    return db.session.scalars(select(Membership.id).where(
        Membership.context_id == context_id, Membership.user_id == user_id)).first() is not None


def learner_attempts(context_id: int, user_id: int) -> list[Attempt]:
    """A learner's attempts in this course, by quiz then number."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.context_id == context_id, Attempt.user_id == user_id)
        .order_by(Attempt.quiz_id, Attempt.number)))


def course_attempt(context_id: int, attempt_id: int) -> Attempt | None:
    """Any learner's attempt, but only in this course."""
    return db.session.scalars(select(Attempt).where(
        Attempt.id == attempt_id, Attempt.context_id == context_id)).first()


def neutralise(value: Any) -> Any:
    """Make a spreadsheet read a cell as text: a leading apostrophe before =, +, -, @, tab or CR."""
    if isinstance(value, str) and value.startswith(DANGEROUS_LEADS):
        return "'" + value
    return value


def duration(seconds: int | None) -> str:
    """Seconds as minutes and seconds for people ("12 min 5 s"); an em dash when unknown."""
    if seconds is None:
        return "\u2014"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _csv_header(book: Gradebook) -> list[str]:
    """Column titles: identity, then four per quiz, then module progress."""
    head = ["Name", "Email", "Platform user id", "Opened the tool"]
    for quiz in book.quizzes:
        head += [f"{quiz.title}: grade (%)", f"{quiz.title}: attempts", f"{quiz.title}: time (s)",
                 f"{quiz.title}: LMS sync"]
    if book.modules_total is not None:
        head.append(f"Modules completed (of {book.modules_total})")
    return head


def _csv_line(book: Gradebook, line: Line) -> list[Any]:
    """One learner's cells for the CSV."""
    row: list[Any] = [line.learner.name, line.learner.email, line.learner.sub,
                      "yes" if line.learner.launched else "no"]
    for cell in line.cells:
        grade = "" if cell.grade is None else round(cell.grade * 100, 2)
        row += [grade, cell.submitted, "" if cell.seconds is None else cell.seconds,
                cell.sync.label if cell.sync else ""]
    if book.modules_total is not None:
        row.append(line.modules_done or 0)
    return row


def gradebook_csv(book: Gradebook) -> str:
    """The gradebook as CSV text with every formula-like cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in _csv_header(book)])
    for line in book.lines:
        writer.writerow([neutralise(c) for c in _csv_line(book, line)])
    return out.getvalue()
