"""Writes sent together (course/writes.py) change what each write changes alone."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, insert, select, update

from course.db import db
from course.models import Context, Deployment, User
from course.writes import write_together
from tests.conftest import launch_as
from tests.platform import TestPlatform
from tests.sql_counter import statements

# Every part binds "ref" and "text" to its own value; "label" is also a column of the context,
# so an UPDATE of the context must not take the user part's "label" as a column to set.
TITLE = update(Context).where(Context.id == bindparam("ref")).values(title=bindparam("text"))
NAME = update(User).where(User.id == bindparam("ref")).values(name=bindparam("label"))
DEPLOY = insert(Deployment).values(registration_id=bindparam("ref"),
                                   deployment_id=bindparam("text"))


def _ids(app: Flask, platform: TestPlatform) -> tuple[int, int, int, str]:
    """A course, its second learner (so the ids differ), its registration, and its label."""
    cid = launch_as(app.test_client(), platform, "learner", user="learner-1")
    launch_as(app.test_client(), platform, "learner", user="learner-2")
    with app.app_context():
        context = db.session.get(Context, cid)
        assert context is not None
        uid = db.session.scalar(select(User.id).where(User.sub == "learner-2"))
        assert uid is not None and uid != cid
        return cid, uid, context.registration_id, context.label


def test_writes_together_change_each_part_with_its_own_values(app: Flask,
                                                              platform: TestPlatform) -> None:
    cid, uid, reg, label = _ids(app, platform)
    with app.app_context(), statements(app) as seen:
        write_together([(TITLE, {"ref": cid, "text": "Renamed"}),
                        (NAME, {"ref": uid, "label": "Learner Two"}),
                        (DEPLOY, {"ref": reg, "text": "deployment-added"})])
        db.session.commit()
    with app.app_context():
        context = db.session.get(Context, cid)
        assert context is not None and (context.title, context.label) == ("Renamed", label)
        assert db.session.scalar(select(User.name).where(User.id == uid)) == "Learner Two"
        assert db.session.scalar(select(Deployment.registration_id).where(
            Deployment.deployment_id == "deployment-added")) == reg
        postgres = db.engine.dialect.name == "postgresql"
    writes = [s for s in seen if s.split()[0] in ("WITH", "UPDATE", "INSERT")]
    assert len(writes) == (1 if postgres else 3), seen


def test_writes_together_roll_back_with_the_transaction(app: Flask,
                                                        platform: TestPlatform) -> None:
    cid, uid, _reg, _label = _ids(app, platform)
    with app.app_context():
        write_together([(TITLE, {"ref": cid, "text": "Renamed"}),
                        (NAME, {"ref": uid, "label": "Learner Two"})])
        db.session.rollback()
        context = db.session.get(Context, cid)
        assert context is not None and context.title != "Renamed"


def test_two_writes_to_one_table_are_refused(app: Flask) -> None:
    other = update(Context).where(Context.id == bindparam("ref")).values(label=bindparam("label"))
    with app.app_context(), pytest.raises(ValueError, match="different tables"):
        write_together([(TITLE, {"ref": 1, "text": "x"}), (other, {"ref": 2, "label": "y"})])
