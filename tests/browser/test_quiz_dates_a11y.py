"""The quiz page's date notices in a real browser: a quiz not open yet and a closed quiz, as the
learner sees them (with their own dates) and as the instructor sees them; axe and reflow."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from course.db import db, utcnow
from quizzes.models import COURSE, Quiz
from quizzes.sync import ensure_course_quizzes
from tests.browser.conftest import LearnerAndTeacher, check_page

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("REFLOW_SHOTS")  # docs/accessibility.md: screenshots to look at


def dated_quiz(app, cid: int, slug: str, opens_in: timedelta | None,
               closed_ago: timedelta | None) -> None:
    """A published course quiz that opens in the future or closed in the past."""
    now = utcnow()
    with app.app_context():
        ensure_course_quizzes(cid)
        db.session.add(Quiz(
            context_id=cid, slug=slug, title=f"Dated quiz {slug}", source=COURSE, published=True,
            attempts_allowed=1, open_at=now + opens_in if opens_in else None,
            close_at=now - closed_ago if closed_ago else None))
        db.session.commit()


def test_not_open_and_closed_notices_have_no_axe_violations(live_server,
                                                            learner_and_teacher: LearnerAndTeacher):
    """Both notices name the date, for the learner and the instructor, with 0 violations."""
    both = learner_and_teacher
    dated_quiz(live_server.app, both.cid, "opens-later", timedelta(days=2), None)
    dated_quiz(live_server.app, both.cid, "closed-already", None, timedelta(days=1))
    for slug, word in (("opens-later", "opens"), ("closed-already", "closed")):
        url = f"{live_server.url}/c/{both.cid}/quizzes/{slug}/"
        for page in (both.learner, both.teacher):
            check_page(page, url)
            assert word in page.locator("main").inner_text().lower(), (slug, page.url)
        assert f"{word} for you on" in both.learner.locator("main").inner_text(), slug
        for width in (320, 768, 1280) if SHOTS else ():
            both.learner.set_viewport_size({"width": width, "height": 900})
            both.learner.screenshot(path=str(Path(SHOTS) / f"quiz-{slug}-{width}.png"),
                                    full_page=True)
        start = both.learner.get_by_role("button", name="Start")
        assert start.count() == 0 or start.is_disabled(), slug
