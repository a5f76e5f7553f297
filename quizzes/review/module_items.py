"""Teaching-module items in "Review now" sessions: found by key, checked by modules' own code.

The answer goes through the modules' answer path (modules.progress.record_answer), whose answer
hook writes the schedule, so a review answer and a section-page answer are one and the same.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from modules import progress
from modules.forms import PROBLEMS, read_submission
from modules.loader import LinkStyle, load_course
from modules.practice import check_practice
from modules.schema import Course, Module, PracticeItem, Section
from modules.status import section_item_kind
from quizzes.review.models import ReviewSession
from quizzes.review_schedule import Candidate

PREFIX = "m:"  # quizzes.review.schedule_store.module_key

# A session page is /c/<cid>/quizzes/review/<sid>/, three levels below /c/<cid>/, so the links in
# module text (citations, glossary terms, other sections) are rendered for that place.
REVIEW_LINKS = LinkStyle(section="../../../modules/{module}/{section}",
                         module="../../../modules/{module}/",
                         term="../../../modules/glossary#{anchor}",
                         reference="../../../modules/{module}/references#{anchor}")


@functools.lru_cache(maxsize=1)
def review_course() -> Course:
    """The modules rendered with links that work from a review session page, loaded once."""
    return load_course(links=REVIEW_LINKS)


@dataclass(frozen=True)
class ModuleItem:
    """One practice or check item with the module and section it belongs to."""

    module: Module
    section: Section
    item: PracticeItem

    @property
    def kind(self) -> str:
        """"check" for a knowledge check, else "practice"."""
        return section_item_kind(self.section, self.item)


def is_module_key(key: str) -> bool:
    """Whether a schedule key names a teaching-module item (else a quiz question)."""
    return key.startswith(PREFIX)


def find(course: Course, key: str) -> ModuleItem | None:
    """The module item a schedule key names, or None (not a module key, or gone from the content)."""
    if not is_module_key(key):
        return None
    module_slug, _, item_id = key.removeprefix(PREFIX).partition(":")
    for module in course.modules:
        if module.slug != module_slug:
            continue
        for section in module.sections:
            for item in section.items:
                if item.id == item_id:
                    return ModuleItem(module, section, item)
    return None


def candidates(course: Course, keys: Iterable[str]) -> list[Candidate]:
    """Sessions may show the learner's scheduled module items that are still in the content.

    They carry no NCJMM step or topic, so they come back when due and never as filling.
    """
    return [Candidate(key) for key in keys if find(course, key) is not None]


def place(key: str) -> dict[str, Any]:
    """A module item's entry in a session layout (no question version, case or stage)."""
    return {"key": key, "question_version_id": None, "case_study_id": None, "stage": None}


def check(session: ReviewSession, position: int, found: ModuleItem,
          form: Mapping[str, Any]) -> str:
    """Check one answer once and record it through the modules' answer path; returns a problem code.

    The session's answer and result are set before record_answer commits, so the session, the
    module answer and the schedule (one upsert, from the answer hook) are saved together.
    """
    key = str(position)
    if key in session.results:
        return ""
    submission = read_submission(found.item, form)
    if submission.problem:
        return submission.problem
    result = check_practice(found.item, submission.values)
    session.answers = {**session.answers, key: result.chosen}
    session.results = {**session.results, key: {
        "points": result.score, "max_points": 1.0, "parts": []}}
    progress.record_answer(session.context_id, session.user_id, found.module, found.section,
                           found.item, result)
    return ""


def problem_text(found: ModuleItem, code: str) -> str:
    """The words for a problem code from check()."""
    return PROBLEMS[code].format(n=len(found.item.steps))
