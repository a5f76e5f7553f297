"""Reads gathered into one statement (course/reads.py) return what each read returns alone."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import bindparam, func, literal_column, null, select, union_all

from course import home
from course.db import db
from course.models import Context, Membership, User
from course.reads import merged, read_together
from tests.conftest import csrf_from, launch_as
from tests.platform import TestPlatform
from tests.sql_counter import statements

USERS = (select(User.id, User.sub, User.created_at, null().label("absent"))
         .where(User.registration_id == bindparam("reg")))
COUNTS = select(func.count(Membership.id), func.max(Membership.id)).where(
    Membership.context_id == bindparam("cid"))
NOBODY = select(User.id, User.created_at).where(User.sub == bindparam("sub"))
TABLES = union_all(
    select(literal_column("0").label("tbl"), Context.title, Context.created_at)
    .where(Context.id == bindparam("cid")),
    select(literal_column("1"), User.sub, User.created_at).where(User.registration_id
                                                                  == bindparam("reg")))


def _course(app: Flask, platform: TestPlatform) -> tuple[int, int]:
    """Two launched learners in one course: (context id, registration id)."""
    cid = launch_as(app.test_client(), platform, "learner", user="learner-1")
    launch_as(app.test_client(), platform, "learner", user="learner-2")
    with app.app_context():
        reg = db.session.scalar(select(Context.registration_id).where(Context.id == cid))
    assert reg is not None
    return cid, reg


def test_gathered_reads_equal_the_reads_run_alone(app: Flask, platform: TestPlatform) -> None:
    cid, reg = _course(app, platform)
    reads = [(USERS, {"reg": reg}), (COUNTS, {"cid": cid}), (NOBODY, {"sub": "nobody"}),
             (TABLES, {"cid": cid, "reg": reg})]
    with app.app_context():
        alone = [[tuple(r) for r in db.session.execute(q, v)] for q, v in reads]
        with statements(app) as seen:
            together = read_together(reads)
    by_id = sorted  # row order within a gathered read is not promised
    assert [by_id(rows) for rows in together] == [by_id(rows) for rows in alone]
    assert len(alone[0]) == 2 and alone[2] == [] and alone[1][0][0] == 2
    when = together[0][0][2]
    assert isinstance(when, datetime)  # parsed back from JSON on PostgreSQL
    assert together[3][0][2] == alone[3][0][2]
    with app.app_context():
        one_statement = db.engine.dialect.name == "postgresql"
    assert len(seen) == (1 if one_statement else len(reads)), seen


def test_a_single_read_runs_as_it_is(app: Flask, platform: TestPlatform) -> None:
    cid, _reg = _course(app, platform)
    with app.app_context(), statements(app) as seen:
        found = read_together([(COUNTS, {"cid": cid})])
    assert len(found) == 1 and found[0][0][0] == 2, found
    assert len(seen) == 1 and "json_agg" not in seen[0], seen


def test_a_name_bound_to_two_values_is_refused() -> None:
    assert merged([{"cid": 1, "uid": 2}, {"cid": 1, "today": 9}]) == {"cid": 1, "uid": 2,
                                                                      "today": 9}
    with pytest.raises(ValueError, match="'cid'"):
        merged([{"cid": 1}, {"cid": 2}])


def test_a_read_that_needs_its_order_is_refused(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the gathering happens on PostgreSQL only")
        with pytest.raises(ValueError, match="ORDER BY"):
            read_together([(USERS.order_by(User.id), {"reg": 1}), (COUNTS, {"cid": 1})])


def _without_tokens(html: str) -> str:
    """A page without its CSRF tokens, which carry the second they were signed in."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_the_course_home_renders_the_same_gathered_or_read_alone(
        app: Flask, platform: TestPlatform, monkeypatch: Any) -> None:
    from modules.views import web_course
    from quizzes.bank_loader import get_bank
    client = app.test_client()
    cid = launch_as(client, platform, "learner", user="learner-1")
    module = web_course().modules[0]
    section = module.sections[0]
    page = client.get(f"/c/{cid}/modules/{module.slug}/{section.slug}").get_data(as_text=True)
    item = section.checks[0]
    assert client.post(f"/c/{cid}/modules/{module.slug}/{section.slug}/items/{item.id}",
                       data={"csrf_token": csrf_from(page), "answer": item.answer}
                       ).status_code == 303  # progress, an answer and a review item
    quiz = get_bank().quizzes[0]
    page = client.get(f"/c/{cid}/quizzes/{quiz.slug}/").get_data(as_text=True)
    assert client.post(f"/c/{cid}/quizzes/{quiz.slug}/start",
                       data={"csrf_token": csrf_from(page)}).status_code == 302  # an attempt
    gathered = _without_tokens(client.get(f"/c/{cid}/").get_data(as_text=True))

    def alone(reads: Any) -> list[list[tuple[Any, ...]]]:
        """Each panel's read on its own, as SQLite runs them."""
        return [[tuple(row) for row in db.session.execute(q, v)] for q, v in reads]

    monkeypatch.setattr(home, "read_together", alone)
    assert _without_tokens(client.get(f"/c/{cid}/").get_data(as_text=True)) == gathered
    assert "In progress" in gathered and quiz.title in gathered and module.title in gathered


def test_the_gathered_home_statement_is_parsed_once_by_psycopg(app: Flask, platform: TestPlatform,
                                                                monkeypatch: Any) -> None:
    from psycopg import _queries
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg runs on PostgreSQL only")
    client = app.test_client()
    cid = launch_as(client, platform, "learner")
    with statements(app) as seen:
        assert client.get(f"/c/{cid}/").status_code == 200  # parsed and remembered here
    parsed: list[bytes] = []
    real = _queries._query2pg_nocache  # what psycopg calls for a statement it will not cache

    def counted(query: bytes, encoding: str) -> Any:
        parsed.append(query)
        return real(query, encoding)

    monkeypatch.setattr(_queries, "_query2pg_nocache", counted)
    for _ in range(2):
        assert client.get(f"/c/{cid}/").status_code == 200
    [gathered] = [s for s in seen if "json_agg" in s]
    assert len(gathered.encode()) > 4096  # psycopg's own limit would not have kept it
    assert parsed == []


def test_gathered_reads_run_as_text_compiled_once(app: Flask, platform: TestPlatform,
                                                   monkeypatch: Any) -> None:
    from sqlalchemy.sql.elements import ClauseElement
    cid, reg = _course(app, platform)
    ids = select(User.id).where(User.id.in_(bindparam("ids", expanding=True)))
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the gathering happens on PostgreSQL only")
        reads = [(USERS, {"reg": reg}), (COUNTS, {"cid": cid})]
        first = read_together(reads)
        compiles: list[Any] = []
        real = ClauseElement._compile_w_cache

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            compiles.append(self)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(ClauseElement, "_compile_w_cache", counted)
        assert read_together(reads) == first
        # SQLAlchemy walked the whole gathered statement for its cache key on every call.
        assert compiles == []
        # A read whose values SQLAlchemy must expand (an IN list) still goes through it.
        together = read_together([(ids, {"ids": [1, 2]}), (COUNTS, {"cid": cid})])
        assert sorted(together[0]) == [(1,), (2,)] and together[1] == first[1]
        assert len(compiles) == 1
