"""Module pages read without writing: a repeated view writes nothing and the queries stay few."""
from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from course.db import db, utcnow
from modules import progress
from modules.models import ModuleProgress, SectionView
from modules.views import web_course
from tests.conftest import csrf_from, launch_as
from tests.sql_counter import statements

MODULE = web_course().modules[0]
FIRST, SECOND, LAST = MODULE.sections[0], MODULE.sections[1], MODULE.sections[-1]
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)




def writes(seen: list[str]) -> list[str]:
    """The INSERT, UPDATE and DELETE statements among those seen."""
    return [s for s in seen if WRITE.match(s)]


def url(cid: int, section: str = "") -> str:
    """The first module's overview, or one of its sections."""
    return f"/c/{cid}/modules/{MODULE.slug}/{section}"


def stored(app: Flask) -> tuple[ModuleProgress, list[SectionView]]:
    """The learner's module row and section views, read outside any request."""
    with app.app_context():
        mp = db.session.scalars(select(ModuleProgress)).one()
        views = list(db.session.scalars(select(SectionView).order_by(SectionView.id)))
        db.session.expunge_all()
        return mp, views


def test_a_second_view_of_a_section_writes_nothing(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    with statements(app) as first:
        assert client.get(url(cid, FIRST.slug)).status_code == 200
    assert writes(first), "the first view must be recorded"
    with statements(app) as again:
        assert client.get(url(cid, FIRST.slug)).status_code == 200
    assert writes(again) == []
    # The progress is still right: one section viewed, and Continue leads back to it.
    overview = client.get(url(cid)).get_data(as_text=True)
    assert f"1 of {len(MODULE.sections)} sections viewed" in overview
    assert f'href="{url(cid, FIRST.slug)}">Continue' in overview
    mp, views = stored(app)
    assert mp.last_section == FIRST.slug and [v.section_slug for v in views] == [FIRST.slug]


def test_moving_between_sections_still_moves_the_resume_point(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    client.get(url(cid, FIRST.slug))
    client.get(url(cid, SECOND.slug))
    with statements(app) as back:
        client.get(url(cid, FIRST.slug))
    assert [s.split()[0].upper() for s in writes(back)] == ["UPDATE"]
    assert stored(app)[0].last_section == FIRST.slug


def test_a_view_after_a_few_minutes_refreshes_the_times(app, platform, monkeypatch):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    client.get(url(cid, FIRST.slug))
    later = utcnow() + progress.TOUCH_AFTER + progress.TOUCH_AFTER
    monkeypatch.setattr(progress, "utcnow", lambda: later)
    with statements(app) as seen:
        client.get(url(cid, FIRST.slug))
    assert len(writes(seen)) == 2  # the section view and the module row
    mp, views = stored(app)
    assert progress.as_utc(mp.last_activity_at) == later
    assert progress.as_utc(views[0].last_viewed_at) == later
    assert progress.as_utc(views[0].first_viewed_at) < later


def test_the_view_that_completes_a_module_stamps_it(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    token = csrf_from(client.get(url(cid, FIRST.slug)).get_data(as_text=True))
    for section in MODULE.sections:
        for item in section.checks:
            resp = client.post(f"{url(cid, section.slug)}/items/{item.id}",
                               data={"csrf_token": token, "answer": item.answer})
            assert resp.status_code == 303
    for section in MODULE.sections[1:]:
        assert stored(app)[0].completed_at is None
        client.get(url(cid, section.slug))
    assert stored(app)[0].completed_at is not None
    assert "Complete." in client.get(url(cid)).get_data(as_text=True)


def test_section_page_reads_in_a_few_statements(app, platform):
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="alice")
    client.get(url(cid, LAST.slug))
    with statements(app) as seen:
        assert client.get(url(cid, LAST.slug)).status_code == 200
    # 1, no spare (issue 18): the module's three progress tables in one UNION ALL; nothing is
    # written within progress.TOUCH_AFTER of the last view. The identity is 0: the request
    # before checked the grant, which holds for identity.GRANT_TTL. A query per table (3), per
    # section or per item (this module has 4 sections and 5 checks) would go over.
    assert len(seen) <= 1, seen
