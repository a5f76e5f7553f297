"""What feature packages offer the LTI layer and the CLI: launch targets and hooks, deep-link
items, content checks, and hooks on module answers.

The LTI layer never imports a feature package. Each package registers here from its `setup(app)`,
as it adds home panels and navigation links (course/home.py), and course/ reads the lists back.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from course.lti.deep_link import Choice
from course.models import Context

ChoiceSource = Callable[[], Iterable[Choice]]
ContentCheck = Callable[[], dict[str, Any]]
LaunchHook = Callable[[Context, dict[str, Any], bool], None]
# (context id, user id, module slug, item id, share of points 0..1): a module item was answered.
AnswerHook = Callable[[int, int, str, str, float], None]


@dataclass(frozen=True)
class LaunchTarget:
    """The page a launch with custom `resource=<kind>:<slug>` opens: endpoint and its slug arg."""

    endpoint: str
    arg: str


def add_launch_target(app: Flask, kind: str, endpoint: str, arg: str) -> None:
    """Let deep-linked launches of `kind` open `endpoint`, with the slug passed as `arg`."""
    app.extensions.setdefault("launch_targets", {})[kind] = LaunchTarget(endpoint, arg)


def launch_target(kind: str) -> LaunchTarget | None:
    """The registered target for a resource kind, or None for a kind nobody offers."""
    return current_app.extensions.get("launch_targets", {}).get(kind)


def add_deep_link_source(app: Flask, heading: str, source: ChoiceSource) -> None:
    """Add a group to the deep-linking picker: its heading and a callable listing its items."""
    app.extensions.setdefault("deep_link_sources", []).append((heading, source))


def deep_link_groups() -> list[tuple[str, list[Choice]]]:
    """Each registered group's heading and choices, in registration order (modules, quizzes)."""
    return [(heading, list(source()))
            for heading, source in current_app.extensions.get("deep_link_sources", [])]


def add_content_check(app: Flask, check: ContentCheck) -> None:
    """Add a content check: it returns a summary dict and raises ContentError on broken content."""
    app.extensions.setdefault("content_checks", []).append(check)


def content_checks(app: Flask) -> list[ContentCheck]:
    """The registered content checks, in registration order."""
    return list(app.extensions.get("content_checks", []))


def add_launch_hook(app: Flask, hook: LaunchHook) -> None:
    """Add a callable run on every valid launch: hook(context, launch claims, context is new)."""
    app.extensions.setdefault("launch_hooks", []).append(hook)


def run_launch_hooks(ctx: Context, body: dict[str, Any], created: bool) -> None:
    """Run the hooks inside the launch's transaction: they add rows, the launch service commits."""
    for hook in current_app.extensions.get("launch_hooks", []):
        hook(ctx, body, created)


def add_answer_hook(app: Flask, hook: AnswerHook) -> None:
    """Add a callable run when a learner answers a teaching module's practice or check item."""
    app.extensions.setdefault("answer_hooks", []).append(hook)


def run_answer_hooks(context_id: int, user_id: int, module_slug: str, item_id: str,
                     score: float) -> None:
    """Run the hooks inside the answer's transaction: they add rows, the module service commits."""
    for hook in current_app.extensions.get("answer_hooks", []):
        hook(context_id, user_id, module_slug, item_id, score)
