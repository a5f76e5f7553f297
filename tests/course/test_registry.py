"""The LTI layer learns what to launch into, offer and check from what packages register."""
from sqlalchemy import select

from course.db import db
from course.lti.deep_link import Choice
from course.models import Context
from course.registry import (
    add_content_check,
    add_deep_link_source,
    add_launch_hook,
    add_launch_target,
    content_checks,
    deep_link_groups,
)
from tests.conftest import launch


def _custom(resource: str):
    """Launch claims with custom `resource` (what a deep-linked item carries)."""
    return lambda claims: claims.set_custom_parameters_claim({"resource": resource})


def test_a_registered_kind_opens_its_page(app, client, platform):
    add_launch_target(app, "handout", "exports.read", "slug")
    resp = launch(client, platform, extra=_custom("handout:muscle-loss"))
    assert resp.status_code == 302 and resp.location.endswith("/handouts/muscle-loss")


def test_a_kind_nobody_registered_lands_on_the_course_home(client, platform):
    resp = launch(client, platform, extra=_custom("handout:muscle-loss"))
    assert resp.status_code == 302
    assert resp.location.endswith("/") and "/handouts/" not in resp.location


def test_the_packages_register_modules_quizzes_and_handouts(app):
    with app.app_context():
        groups = dict(deep_link_groups())
        summary = {k: v for check in content_checks(app) for k, v in check().items()}
    assert list(groups) == ["Teaching modules", "Quizzes"]
    assert all(c.kind == "module" and c.score_maximum is None for c in groups["Teaching modules"])
    assert all(c.kind == "quiz" and c.score_maximum == 100 for c in groups["Quizzes"])
    assert {"modules", "questions", "handouts"} <= set(summary)


def test_a_new_source_and_check_join_the_picker_and_the_content_check(app):
    add_deep_link_source(app, "Handouts", lambda: [Choice("handout", "muscle-loss", "Muscle loss")])
    add_content_check(app, lambda: {"extra_check": 1})
    with app.app_context():
        assert deep_link_groups()[-1] == ("Handouts", [Choice("handout", "muscle-loss", "Muscle loss")])
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0 and "extra_check: 1" in result.output


def test_launch_hooks_run_in_the_launch_transaction(app, client, platform):
    calls = []

    def hook(ctx, claims, created):
        calls.append((ctx.context_id, claims["sub"], created))
        ctx.label = "set by a hook"  # committed with the launch, or lost with it

    add_launch_hook(app, hook)
    launch(client, platform, user="learner-1")
    launch(client, platform, user="learner-2")
    assert calls == [("course-1", "learner-1", True), ("course-1", "learner-2", False)]
    with app.app_context():
        ctx = db.session.scalars(select(Context).where(Context.context_id == "course-1")).one()
        assert ctx.label == "set by a hook"
