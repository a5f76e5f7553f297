"""The grade column a quiz's scores go to, remembered from a launch of the quiz's own LMS link."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from course.db import db
from course.lti import ags, claims
from course.models import Context
from quizzes.models import LineItem, Quiz
from quizzes.sync import add_course_quizzes


def remember_launch_line_item(context_id: int, quiz: Quiz, launch: dict[str, Any]) -> None:
    """Keep the line item of a launch from this quiz's own resource link; no commit (the launch's)."""
    url = ags.launch_lineitem_for(launch, quiz)
    if url is None:
        return
    link = str((launch.get(claims.RESOURCE_LINK) or {}).get("id") or "")[:255] or None
    row = db.session.scalars(select(LineItem).where(
        LineItem.context_id == context_id, LineItem.quiz_id == quiz.id)).first()
    if row is not None and row.url == url:
        return
    try:
        with db.session.begin_nested():  # a parallel launch stored it: keep the launch going
            if row is None:
                db.session.add(LineItem(context_id=context_id, quiz_id=quiz.id, url=url,
                                        resource_link_id=link))
            else:
                row.url, row.resource_link_id = url, link
    except IntegrityError:
        pass


def on_launch(ctx: Context, launch: dict[str, Any], created: bool) -> None:
    """Launch hook: the course gets the bank's quizzes, and a quiz link's line item is kept."""
    add_course_quizzes(ctx.id)
    resource = str((launch.get(claims.CUSTOM) or {}).get("resource", ""))
    if not resource.startswith("quiz:"):
        return
    quiz = db.session.scalars(select(Quiz).where(Quiz.context_id == ctx.id,
                                                 Quiz.slug == resource[len("quiz:"):])).first()
    if quiz is not None:
        remember_launch_line_item(ctx.id, quiz, launch)
