"""The missing-feedback rule for practice and check items: every wrong option says why it is wrong.

A ``choice`` option must already carry a ``why``; the graded scales (MRC, Modified Ashworth, EMG
pattern, atrophy type) may leave grades out of their ``why`` map, so this content check names
every wrong grade without feedback. Ladder steps are explained by the item's explanation.
"""

from __future__ import annotations

from typing import Any

from course.content import ContentError
from modules.loader import get_course
from modules.schema import Course, PracticeItem


def missing(item: PracticeItem) -> list[str]:
    """Ids of the wrong options of one item that have no feedback of their own."""
    return [o.id for o in item.options if not o.correct and not o.why_html.strip()]


def check(course: Course | None = None) -> dict[str, Any]:
    """Count the wrong options checked; raise ContentError naming every one without feedback."""
    course = get_course() if course is None else course
    lines, gaps, checked = [], 0, 0
    for module in course.modules:
        for section in module.sections:
            for item in section.items:
                checked += sum(not o.correct for o in item.options)
                if ids := missing(item):
                    gaps += len(ids)
                    lines.append(f"  module {module.slug}, section {section.slug}, item {item.id}: "
                                 f"why for {', '.join(ids)}")
    if lines:
        raise ContentError(f"modules/content: {gaps} wrong option(s) in {len(lines)} practice or check item(s) "
                           "have no feedback (add each to the item's why map; modules/content/SCHEMA.md "
                           "section 5):\n" + "\n".join(lines))
    return {"module_wrong_options_explained": checked}
