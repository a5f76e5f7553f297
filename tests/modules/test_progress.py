"""Progress tracking: pure status rules, saved and restored progress, isolation, the table."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from course.db import db
from modules.models import ItemAnswer, ModuleProgress
from modules.progress import module_status, resume_point
from modules.views import web_course
from tests.conftest import csrf_from, launch_as

COURSE = web_course()
MODULE = COURSE.modules[0]
FIRST, SECOND = MODULE.sections[0], MODULE.sections[1]
CHECKED = re.compile(r"<input [^>]*\bchecked>")


def base(cid: int, section: str = "") -> str:
    """URL of the first module, or of one of its sections."""
    return f"/c/{cid}/modules/{MODULE.slug}/{section}"


def answer_checks(client, cid: int, section) -> None:
    """Answer every knowledge check of a section (right answers, from the content)."""
    for item in section.checks:
        token = csrf_from(client.get(base(cid, section.slug)).get_data(as_text=True))
        fields = ({f"pos-{s.id}": str(i) for i, s in enumerate(item.steps, 1)}
                  if item.type == "ladder"
                  else {"answer": next(o.id for o in item.options if o.correct)})
        resp = client.post(f"{base(cid, section.slug)}/items/{item.id}",
                           data={"csrf_token": token, **fields})
        assert resp.status_code == 303


def continue_href(html: str) -> str:
    """The href of the Continue button on a page."""
    match = re.search(r'<a class="button" href="([^"]+)">Continue', html)
    assert match, "no Continue button"
    return match.group(1)


# --- pure rules ------------------------------------------------------------------------------

def test_status_counts_views_and_checks():
    all_checks = {c.id for s in MODULE.sections for c in s.checks}
    empty = module_status(MODULE, [], [])
    assert empty.percent == 0 and not empty.started and not empty.complete
    assert empty.continue_slug == FIRST.slug
    full = module_status(MODULE, [s.slug for s in MODULE.sections], all_checks)
    assert full.complete and full.percent == 100 and full.continue_slug is None
    viewed_only = module_status(MODULE, [s.slug for s in MODULE.sections], [])
    assert not viewed_only.complete and 0 < viewed_only.percent < 100


def test_practice_items_do_not_count_towards_completion():
    practice = {p.id for s in MODULE.sections for p in s.practice}
    status = module_status(MODULE, [s.slug for s in MODULE.sections], practice)
    assert status.checks_answered == 0 and not status.complete


def test_resume_prefers_the_latest_unfinished_module():
    early = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = dt.datetime(2026, 2, 1)  # naive, as SQLite returns it
    m1, m2 = COURSE.modules[0], COURSE.modules[1]
    s1 = module_status(m1, [m1.sections[0].slug], [])
    s2 = module_status(m2, [m2.sections[0].slug], [])
    s1 = type(s1)(**{**s1.__dict__, "last_activity_at": early})
    s2 = type(s2)(**{**s2.__dict__, "last_activity_at": later})
    assert resume_point([s1, s2]) == (m2.slug, m2.sections[0].slug)
    untouched = [module_status(m, [], []) for m in COURSE.modules]
    assert resume_point(untouched) == (m1.slug, m1.sections[0].slug)


# --- through HTTP ------------------------------------------------------------------------------

def test_progress_is_saved_and_continue_goes_to_the_right_section(app, platform):
    first_visit = app.test_client()
    cid = launch_as(first_visit, platform, "learner", user="alice")
    first_visit.get(base(cid, FIRST.slug))
    answer_checks(first_visit, cid, FIRST)
    first_visit.get(base(cid, SECOND.slug))  # opened, checks not answered: left here
    # Leave, then come back in a new browser session with a new launch.
    later = app.test_client()
    assert launch_as(later, platform, "learner", user="alice") == cid
    overview = later.get(base(cid)).get_data(as_text=True)
    assert continue_href(overview) == base(cid, SECOND.slug)
    assert continue_href(later.get(f"/c/{cid}/").get_data(as_text=True)) == base(cid, SECOND.slug)
    # The answered check is shown again, with its feedback.
    restored = later.get(base(cid, FIRST.slug)).get_data(as_text=True)
    assert "Correct." in restored and CHECKED.search(restored)
    # Finishing the second section moves Continue on to the third.
    answer_checks(later, cid, SECOND)
    assert continue_href(later.get(base(cid)).get_data(as_text=True)) == base(
        cid, MODULE.sections[2].slug)


def test_completing_a_module_is_recorded(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    for section in MODULE.sections:
        client.get(base(cid, section.slug))
        answer_checks(client, cid, section)
    overview = client.get(base(cid)).get_data(as_text=True)
    assert "Complete." in overview and 'value="100"' in overview
    with app.app_context():
        row = db.session.scalars(select(ModuleProgress).where(
            ModuleProgress.module_slug == MODULE.slug)).one()
        assert row.completed_at is not None


def test_answers_are_stored_with_correctness_and_attempts(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    item = FIRST.checks[0]
    wrong = next(o.id for o in item.options if not o.correct)
    for choice in (wrong, item.answer):
        token = csrf_from(client.get(base(cid, FIRST.slug)).get_data(as_text=True))
        client.post(f"{base(cid, FIRST.slug)}/items/{item.id}",
                    data={"csrf_token": token, "answer": choice})
    with app.app_context():
        stored = db.session.scalars(select(ItemAnswer)).one()
        assert (stored.answer, stored.correct, stored.attempts) == (item.answer, True, 2)
        assert stored.kind == "check" and stored.section_slug == FIRST.slug


def test_one_learner_never_sees_another_learners_progress(app, platform):
    alice, bob = app.test_client(), app.test_client()
    cid = launch_as(alice, platform, "learner", user="alice")
    assert launch_as(bob, platform, "learner", user="bob") == cid
    for section in MODULE.sections:
        alice.get(base(cid, section.slug))
        answer_checks(alice, cid, section)
    assert "Complete." in alice.get(base(cid)).get_data(as_text=True)
    bob_overview = bob.get(base(cid)).get_data(as_text=True)
    assert "Complete." not in bob_overview and 'value="0"' in bob_overview
    bob_section = bob.get(base(cid, FIRST.slug)).get_data(as_text=True)
    assert "Correct." not in bob_section and not CHECKED.search(bob_section)


def test_progress_is_kept_apart_per_course_context(app, platform):
    one, two = app.test_client(), app.test_client()
    cid_one = launch_as(one, platform, "learner", user="alice", context="course-1")
    cid_two = launch_as(two, platform, "learner", user="alice", context="course-2")
    assert cid_one != cid_two
    one.get(base(cid_one, FIRST.slug))
    answer_checks(one, cid_one, FIRST)
    assert 'value="0"' in two.get(base(cid_two)).get_data(as_text=True)


def test_instructor_table_shows_each_learner_of_this_context_only(app, platform):
    alice, bob, other, teacher = (app.test_client() for _ in range(4))
    # The test platform names each person "User <id>".
    cid = launch_as(alice, platform, "learner", user="alice")
    launch_as(bob, platform, "learner", user="bob")
    launch_as(other, platform, "learner", user="carol", context="course-9")
    launch_as(teacher, platform, "instructor", user="teacher")
    for section in MODULE.sections:
        alice.get(base(cid, section.slug))
        answer_checks(alice, cid, section)
    html = teacher.get(f"/c/{cid}/modules/progress").get_data(as_text=True)
    table = html[html.index("<table"):html.index("</table>")]
    assert "User alice" in table and "User bob" in table
    assert "User carol" not in table and "User teacher" not in table
    alice_row = re.search(r"<tr>\s*<th scope=\"row\">User alice</th>(.*?)</tr>", table, re.S)
    bob_row = re.search(r"<tr>\s*<th scope=\"row\">User bob</th>(.*?)</tr>", table, re.S)
    assert "Complete" in alice_row.group(1) and f"1 of {len(COURSE.modules)}" in alice_row.group(1)
    assert "Not started" in bob_row.group(1) and "Complete" not in bob_row.group(1)
    assert alice.get(f"/c/{cid}/modules/progress").status_code == 403
