"""What modules offer the LTI layer and the CLI: the module overview as a launch target, the
modules for deep linking, and the content check."""
from flask import Flask

from course.lti.deep_link import Choice
from course.registry import add_content_check, add_deep_link_source, add_launch_target
from modules.item_lint import modules_lint
from modules.loader import get_course, summary
from modules.option_feedback import check as option_feedback_check


def register(app: Flask) -> None:
    """Register the module launch target, the deep-linking group and the content check."""
    add_launch_target(app, "module", "modules.overview", "module")
    add_deep_link_source(app, "Teaching modules", module_choices)
    add_content_check(app, summary)
    add_content_check(app, option_feedback_check)  # every wrong option or grade says why
    add_content_check(app, modules_lint)


def module_choices() -> list[Choice]:
    """Every teaching module, for the deep-linking picker."""
    return [Choice("module", m.slug, m.title, m.summary or "") for m in get_course().modules]
