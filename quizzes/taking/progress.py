"""Read side for learners: quiz status, grade per the grading method, history and sync state."""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Integer, Select, and_, bindparam, or_, select
from sqlalchemy.orm import joinedload

from course.db import db, utcnow
from quizzes import grading
from quizzes.accommodations.models import QuizOverride
from quizzes.accommodations.queries import applies_to_learner, base_of, limits_by_quiz, limits_from
from quizzes.models import IN_PROGRESS, SUBMITTED, Attempt, Quiz, aware
from quizzes.overrides import NOT_OPEN, OPEN, Limits, resolve
from quizzes.scores.outbox import SyncState, sync_states


@dataclass
class QuizStatus:
    """One learner's standing in one quiz."""

    quiz: Quiz
    attempts: list[Attempt] = field(default_factory=list)  # in attempt order
    sync: SyncState | None = None
    limits: Limits | None = None  # this learner's limits; None = the quiz's own settings
    preview: bool = False  # an instructor: may start outside the open and close dates

    # Cached: label, can_start and the templates ask for it several times per quiz, and the
    # quiz and limits it resolves do not change within a request.
    @functools.cached_property
    def mine(self) -> Limits:
        """The learner's effective limits (quiz settings with their accommodations)."""
        return self.limits if self.limits is not None else resolve(base_of(self.quiz))

    @property
    def window(self) -> str:
        """Whether a new attempt may start now: not_open, open or closed."""
        return self.mine.window(utcnow())

    @property
    def submitted(self) -> list[Attempt]:
        """Submitted attempts, in order."""
        return [a for a in self.attempts if a.state == SUBMITTED]

    @property
    def open_attempt(self) -> Attempt | None:
        """The attempt in progress, if any."""
        return next((a for a in self.attempts if a.state == IN_PROGRESS), None)

    @property
    def overdue(self) -> bool:
        """The open attempt's time is up: the worker, or the learner's next start, submits it."""
        current = self.open_attempt
        return current is not None and grading.overdue(aware(current.deadline_at), utcnow())

    @property
    def used(self) -> int:
        """Attempts started so far."""
        return len(self.attempts)

    @property
    def left(self) -> int | None:
        """Attempts still available (None = unlimited)."""
        return grading.attempts_left(self.mine.attempts_allowed, self.used)

    @property
    def grade(self) -> float | None:
        """The quiz grade under the quiz's grading method."""
        return grading.quiz_grade(self.quiz.grading, [a.score or 0.0 for a in self.submitted])

    @property
    def passed(self) -> bool | None:
        """Whether the grade reaches the pass mark (None before any submission)."""
        return grading.passed(self.grade, self.quiz.pass_mark)

    @property
    def label(self) -> str:
        """Not started, in progress, or completed."""
        if self.open_attempt is not None:
            return "Time is up: being submitted" if self.overdue else "In progress"
        if self.window != OPEN and self.left != 0:
            return "Not open yet" if self.window == NOT_OPEN else "Closed"
        if not self.submitted:
            return "Not started"
        return "Completed" if self.left == 0 else "Submitted"

    @property
    def can_start(self) -> bool:
        """Whether a new attempt may be started (or the open one resumed)."""
        return self.open_attempt is not None or (
            self.left != 0 and (self.window == OPEN or self.preview))

    def visibility(self, attempt: Attempt) -> grading.ReviewVisibility:
        """What the learner may see of one of their attempts."""
        return grading.review_visibility(self.quiz.review, self.quiz.review_when,
                                         attempt.state == SUBMITTED, self.used,
                                         self.mine.attempts_allowed)


# Built once with bound values: building a select() costs more than SQLite takes to run it,
# and these run on the course home, the quiz pages and every attempt page.
_LEARNER_ATTEMPTS = (select(Attempt).where(Attempt.context_id == bindparam("cid"),
                                           Attempt.user_id == bindparam("uid"))
                     .order_by(Attempt.quiz_id, Attempt.number))
# The quiz comes with it: every page of an attempt reads its quiz (mode, title, review);
# page_read.py reads the attempt page's columns under the same owner check.
OWN_ATTEMPT = (select(Attempt).options(joinedload(Attempt.quiz))
               .where(Attempt.id == bindparam("aid"), Attempt.context_id == bindparam("cid"),
                      Attempt.user_id == bindparam("uid")))
MAX_POSITIONS = 500  # more positions than any quiz holds: a forged number (keeps it an INTEGER)


def quiz_statuses(context_id: int, user_id: int, quizzes: Iterable[Quiz]) -> list[QuizStatus]:
    """Status of each quiz for one learner, with two queries whatever the number of quizzes."""
    quizzes = list(quizzes)
    by_quiz: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in db.session.scalars(_LEARNER_ATTEMPTS, {"cid": context_id, "uid": user_id}):
        by_quiz[attempt.quiz_id].append(attempt)
    states = sync_states(context_id, user_id)
    limits = limits_by_quiz(context_id, user_id, quizzes)
    return [QuizStatus(q, by_quiz.get(q.id, []), states.get((q.id, user_id)), limits[q.id])
            for q in quizzes]


@functools.cache
def _course_rows() -> Select[Quiz, Attempt, QuizOverride]:
    """Every quiz of a course with the learner's attempts and overrides, built once."""
    cid, uid = bindparam("cid", type_=Integer), bindparam("uid", type_=Integer)
    # One statement for three reads on the course home (issue 18): a quiz row repeats per
    # attempt and per override, a handful at most, and the rows are taken apart below.
    return (select(Quiz, Attempt, QuizOverride).where(Quiz.context_id == cid)
            .outerjoin(Attempt, and_(Attempt.quiz_id == Quiz.id, Attempt.context_id == cid,
                                     Attempt.user_id == uid))
            .outerjoin(QuizOverride, and_(applies_to_learner(cid, uid),
                                          or_(QuizOverride.quiz_id == Quiz.id,
                                              QuizOverride.quiz_id.is_(None))))
            .order_by(Quiz.position, Quiz.title, Quiz.id, Attempt.number, QuizOverride.id))


def course_statuses(context_id: int, user_id: int, drafts: bool,
                    sync: bool = True) -> list[QuizStatus]:
    """Each quiz of the course for one learner in display order (``drafts``: unpublished too).

    One statement, and one more for the gradebook sync states when ``sync``.
    """
    quizzes: dict[int, Quiz] = {}
    attempts: dict[int, dict[int, Attempt]] = defaultdict(dict)
    overrides: dict[int, QuizOverride] = {}
    for quiz, attempt, override in db.session.execute(_course_rows(),
                                                      {"cid": context_id, "uid": user_id}):
        quizzes.setdefault(quiz.id, quiz)
        if attempt is not None:
            attempts[quiz.id].setdefault(attempt.id, attempt)
        if override is not None:
            overrides.setdefault(override.id, override)
    shown = [q for q in quizzes.values() if drafts or q.published]
    limits = limits_from(shown, overrides.values())
    states = sync_states(context_id, user_id) if sync else {}
    return [QuizStatus(q, list(attempts[q.id].values()), states.get((q.id, user_id)),
                       limits[q.id]) for q in shown]


def quiz_status(quiz: Quiz, user_id: int, preview: bool = False) -> QuizStatus:
    """Status of one quiz for one learner (``preview``: an instructor trying it)."""
    status = quiz_statuses(quiz.context_id, user_id, [quiz])[0]
    status.preview = preview
    return status


def find_quiz(context_id: int, slug: str, published_only: bool = True) -> Quiz | None:
    """A quiz of this course by slug (learners see published quizzes only)."""
    query = select(Quiz).where(Quiz.context_id == context_id, Quiz.slug == slug)
    if published_only:
        query = query.where(Quiz.published.is_(True))
    return db.session.scalars(query).first()


def own_attempt(context_id: int, user_id: int, attempt_id: int) -> Attempt | None:
    """An attempt only if it belongs to this user in this course (tenant and owner checks)."""
    return db.session.scalars(OWN_ATTEMPT, {"aid": attempt_id, "cid": context_id,
                                            "uid": user_id}).first()


def history(context_id: int, user_id: int) -> list[Attempt]:
    """Every attempt of a learner in a course, newest first."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.context_id == context_id, Attempt.user_id == user_id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())))
