"""The modules' clinical consistency check: course.item_rules over every practice and check item."""

from __future__ import annotations

from typing import Any

from course.content import ContentError
from course.item_rules import mas_problems, mrc_problems, steroid_key_problems, visit_grade_problems
from modules.loader import get_course
from modules.schema import Course, PracticeItem


def practice_problems(item: PracticeItem) -> list[str]:
    """Every rule's problems for one practice or check item."""
    stem = item.prompt_html
    problems = (mrc_problems(stem, asks=item.type == "mrc") + visit_grade_problems(stem)
                + mas_problems(stem, item.answer if item.type == "ashworth" else None))
    if item.type == "atrophy" and item.answer == "steroid":
        problems += steroid_key_problems(stem)
    return problems


def modules_lint(course: Course | None = None) -> dict[str, Any]:
    """Raise ContentError naming every item with a problem; else report how many items passed."""
    course = get_course() if course is None else course
    problems, count = [], 0
    for module in course.modules:
        for section in module.sections:
            for item in section.items:
                count += 1
                problems += [f"{module.slug}/{section.slug} item {item.id!r}: {p}"
                             for p in practice_problems(item)]
    if problems:
        raise ContentError("modules/content:\n  - " + "\n  - ".join(problems))
    return {"module_items_linted": count}
