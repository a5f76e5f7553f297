"""What quizzes offer the LTI layer and the CLI: the quiz page as a launch target, the shipped
quizzes for deep linking (each with its grade column), and the bank's content check."""
from typing import Any

from flask import Flask

from course.content import ContentError
from course.lti.ags import SCORE_MAXIMUM
from course.lti.deep_link import Choice
from course.registry import add_content_check, add_deep_link_source, add_launch_target
from modules.loader import get_course
from quizzes.bank_loader import get_bank, summary
from quizzes.item_lint import bank_lint
from quizzes.option_rationales import check_bank


def register(app: Flask) -> None:
    """Register the quiz launch target, the deep-linking group and the content check."""
    add_launch_target(app, "quiz", "quizzes.quiz", "slug")
    add_deep_link_source(app, "Quizzes", quiz_choices)
    add_content_check(app, content_check)
    add_content_check(app, check_bank)  # every option a learner can pick wrongly explains itself
    add_content_check(app, bank_lint)


def quiz_choices() -> list[Choice]:
    """Every shipped quiz; the platform makes a grade column for each one placed."""
    return [Choice("quiz", q.slug, q.title, q.description or "", score_maximum=SCORE_MAXIMUM)
            for q in get_bank().quizzes]


def content_check() -> dict[str, Any]:
    """The bank's summary, once every quiz names a module that exists and every ordering item its rule."""
    slugs = {m.slug for m in get_course().modules}
    for quiz in get_bank().quizzes:
        if quiz.module and quiz.module not in slugs:
            raise ContentError(f"quizzes/bank/quizzes.yaml: quiz {quiz.slug} names module "
                               f"'{quiz.module}', which does not exist ({', '.join(sorted(slugs))})")
    for item in get_bank().items.values():
        # Absent means per position (for items saved before the setting); shipped items choose.
        if item["type"] == "ordering" and "scoring" not in item:
            raise ContentError(f"quizzes/bank: item {item['id']}: scoring: missing; write all_or_nothing "
                               "(NCLEX ordered response) or per_position (SCHEMA.md 'ordering')")
    return summary()
