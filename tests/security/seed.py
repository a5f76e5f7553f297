"""A course with data in every table, made through the app's own pages, for the sweeps.

`seed_course` launches an instructor and a learner, then through HTTP: authors a question,
builds a published quiz with two slots, saves the clinic profile, answers a module check, and
takes the quiz twice (one attempt submitted, one left open). Every text it writes carries the
tenant's marker, so a sweep can prove another tenant never sees it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from course.db import db
from course.models import User
from exports.content import get_handouts
from modules.loader import get_course
from quizzes.accommodations.service import OverrideInput, save_group, save_override
from quizzes.authoring import builder
from quizzes.authoring.questions import create_question
from quizzes.bank_loader import get_bank
from quizzes.marking.models import ManualGrade
from quizzes.media.service import course_images, save_image
from quizzes.models import Attempt, Question, Quiz, QuizSlot
from quizzes.overrides import Rule
from quizzes.review.service import build
from quizzes.taking import attempts
from tests.conftest import csrf_from, launch_as
from tests.platform import TestPlatform
from tests.quizzes.instructor_helpers import BASE, form_data, post, sample_item
from tests.quizzes.media.images_data import png
from tests.security.helpers import forms_in

STATIC_FILES = {
    "static.filename": "course/app.css", "course.static.filename": "app.css",
    "exports.static.filename": "exports/web.css", "modules.static.filename": "modules/modules.css",
    "modules_static.filename": "modules.css", "quizzes.static.filename": "quizzes/quiz.css",
    "demo.static.filename": "none.css",
}


@dataclass
class Tenant:
    """A seeded course: its browsers, route values, marker texts and the ids it owns."""

    platform: TestPlatform
    cid: int
    instructor: FlaskClient
    learner: FlaskClient
    values: dict[str, Any]
    markers: list[str]
    owned: dict[str, set[int]] = field(default_factory=dict)


def _submit(client: FlaskClient, url: str, action_endpoint: str | None = None,
            **changes: Any) -> Any:
    """Submit the first POST form of a page with its defaults, some fields changed."""
    html = client.get(url).get_data(as_text=True)
    forms = [f for f in forms_in(html) if f.method == "POST"
             and (action_endpoint is None or action_endpoint in (f.action or url))]
    assert forms, f"no form posting to {action_endpoint} in {url}"
    data: dict[str, Any] = {}
    for name, value in forms[0].baseline():
        data.setdefault(name, value)
    data.update(changes)
    return client.post(forms[0].action or url, data=data)


def _quiz(client: FlaskClient, cid: int, title: str, qid: int) -> tuple[int, str]:
    """A published quiz, unlimited attempts, with the authored question and a shipped one."""
    base = BASE.format(cid=cid)
    resp = _submit(client, f"{base}/quizzes", "/quizzes", **{
        "new-title": title, "new-attempts_allowed": "0", "new-published": "y",
        "new-review": "rationales"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    quiz_id = int(re.search(r"/quizzes/(\d+)", resp.location).group(1))
    shipped = next(iter(get_bank().items))
    for choice in (f"q:{qid}", f"s:{shipped}"):
        token = csrf_from(client.get(f"{base}/quizzes/{quiz_id}").get_data(as_text=True))
        added = client.post(f"{base}/quizzes/{quiz_id}/slots/question",
                            data={"csrf_token": token, "question": choice})
        assert added.status_code == 302, added.get_data(as_text=True)[:2000]
    return quiz_id, shipped


def _attempt(client: FlaskClient, cid: int, slug: str, submit: bool) -> int:
    """Start (or resume) the quiz, answer question 1 with the defaults, maybe submit."""
    token = csrf_from(client.get(f"/c/{cid}/quizzes/{slug}/").get_data(as_text=True))
    started = client.post(f"/c/{cid}/quizzes/{slug}/start", data={"csrf_token": token})
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    aid = int(re.search(r"/attempts/(\d+)/", started.location).group(1))
    saved = _submit(client, started.location, f"/attempts/{aid}/", go="save")
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    if submit:
        token = csrf_from(client.get(f"/c/{cid}/quizzes/attempts/{aid}/finish")
                          .get_data(as_text=True))
        done = client.post(f"/c/{cid}/quizzes/attempts/{aid}/submit", data={"csrf_token": token})
        assert done.status_code == 302
    return aid


def _module_answer(client: FlaskClient, cid: int) -> tuple[str, str, str]:
    """Open a module section and answer its knowledge check; returns (module, section, item)."""
    course = get_course()
    module = course.modules[0]
    section = next(s for s in module.sections if s.items)
    item = section.items[-1]
    url = f"/c/{cid}/modules/{module.slug}/{section.slug}"
    resp = _submit(client, url, f"/items/{item.id}")
    assert resp.status_code in (200, 302, 303), resp.get_data(as_text=True)[:2000]
    return module.slug, section.slug, item.id


def seed_course(app: Flask, platform: TestPlatform, context: str, tag: str) -> Tenant:
    """Launch two people into a course and fill it with marked data through the pages."""
    instructor, learner = app.test_client(), app.test_client()
    cid = launch_as(instructor, platform, "instructor", user=f"{tag}-teacher", context=context)
    launch_as(learner, platform, "learner", user=f"{tag}-learner", context=context)
    markers = [f"User {tag}-learner", f"{tag} stem text", f"{tag} Quiz Title", f"{tag} Clinic"]
    item = dict(sample_item("mcq"), stem=f"Which is right? {markers[1]}")
    made = post(instructor, cid, "/questions/new/mcq", form_data(item, action="save"))
    assert made.status_code == 302, made.get_data(as_text=True)[:2000]
    qid = int(re.search(r"/questions/(\d+)/edit", made.location).group(1))
    quiz_id, shipped = _quiz(instructor, cid, markers[2], qid)
    clinic = _submit(instructor, f"/c/{cid}/handouts/clinic", "/clinic", name=markers[3],
                     phone="555 0100")
    assert clinic.status_code == 302, clinic.get_data(as_text=True)[:2000]
    module, section, item_id = _module_answer(learner, cid)
    with app.app_context():
        slug = db.session.get(Quiz, quiz_id).slug
    done = _attempt(learner, cid, slug, submit=True)
    open_ = _attempt(learner, cid, slug, submit=False)
    page = learner.get(f"/c/{cid}/quizzes/practice/").get_data(as_text=True)
    built = learner.post(f"/c/{cid}/quizzes/practice/", data={"csrf_token": csrf_from(page), "length": "5"})
    assert built.status_code == 302, built.get_data(as_text=True)[:2000]
    practice = int(re.search(r"/practice/(\d+)/", built.location).group(1))
    with app.app_context():
        users = set(db.session.scalars(select(User.id).where(
            User.sub.in_([f"{tag}-teacher", f"{tag}-learner"]))))
        learner_id = db.session.scalar(select(User.id).where(User.sub == f"{tag}-learner"))
        slot_id = db.session.scalars(select(QuizSlot.id).where(QuizSlot.quiz_id == quiz_id)).first()
        attempts = set(db.session.scalars(select(Attempt.id).where(Attempt.user_id.in_(users))))
        quizzes = set(db.session.scalars(select(Quiz.id).where(Quiz.context_id == cid)))
        questions = set(db.session.scalars(select(Question.id).where(Question.context_id == cid)))
        db.session.remove()
    extra = _new_feature_rows(app, cid, learner_id, quiz_id, markers[0])
    values = {"cid": cid, "quizzes.slug": slug, "exports.slug": get_handouts()[0].slug,
              "module": module, "section": section, "modules.item_id": item_id,
              "quizzes.item_id": shipped, "aid": open_, "quizzes.review.aid": done,
              "quizzes.attempt_review.aid": done,
              **{f"quizzes.{e}.aid": done for e in (
                  "attempt_grade", "override", "override_remove", "reopen", "extra_attempt")},
              "pid": practice, "uid": learner_id, "qid": qid,
              "type_name": "mcq", "quiz_id": quiz_id, "slot_id": slot_id,
              "course": "demo-course", "demo.line_item.item_id": 1, "demo.scores.item_id": 1,
              **extra, **STATIC_FILES}
    owned = {"context": {cid}, "lti_user": users, "quiz": quizzes, "quiz_question": questions,
             "quiz_attempt": attempts}
    return Tenant(platform, cid, instructor, learner, values, markers, owned)


def _new_feature_rows(app: Flask, cid: int, learner_id: int, quiz_id: int, marker: str) -> dict[str, Any]:
    """An override, a group, an image, a review session and an essay to grade: their route values."""
    with app.app_context():
        override = save_override(cid, None, OverrideInput(quiz_id, learner_id, None, Rule(extra_attempts=1),
                                                          note=marker))
        group = save_group(cid, None, f"{marker} group", [learner_id])
        image = save_image(cid, None, png(), "seed.png", marker, False)
        session = build(cid, learner_id)
        essay_quiz = builder.create_quiz(cid, None, builder.Settings(title=f"{marker} essays"))
        builder.add_fixed(essay_quiz, create_question(cid, None, sample_item("essay")).id)
        attempt = attempts.start_attempt(essay_quiz, learner_id)
        position = attempt.layout[0]["position"]
        attempts.save_answers(attempt, {f"q{position}-text": f"{marker} essay"}, [position])
        attempts.submit_attempt(attempt.id)
        grade = db.session.scalars(select(ManualGrade.id).where(ManualGrade.attempt_id == attempt.id)).one()
        values = {"oid": override.id, "quizzes.edit_group.gid": group.id,
                  "quizzes.remove_group.gid": group.id, "quizzes.grade_essay.gid": grade,
                  "image_id": image.id, "quizzes.course_image.filename": next(
                      i.filename for i in course_images(cid) if i.id == image.id),
                  "sid": session.id}
        db.session.remove()
    return values
