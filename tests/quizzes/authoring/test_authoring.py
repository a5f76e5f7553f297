"""Authoring: every type through the form with preview, rationales required, versions, copies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from course.db import db
from course.models import User
from quizzes.authoring import builder
from quizzes.authoring.questions import (
    copy_shipped,
    create_question,
    current_version,
    get_course_question,
)
from quizzes.bank_loader import get_bank
from quizzes.models import Question, QuestionVersion, Response
from quizzes.taking import attempts
from quizzes.types import REGISTRY
from tests.quizzes.instructor_helpers import (
    BASE,
    as_instructor,
    as_learner,
    form_data,
    post,
    sample_item,
)


def _course_questions(app, cid):
    """The course's questions and their current data."""
    with app.app_context():
        return [(q.id, q.category, list(q.tags), current_version(q).data, len(q.versions))
                for q in db.session.scalars(select(Question).where(Question.context_id == cid))]


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_every_type_previews_and_saves_through_the_form(app, client, platform, type_name):
    cid = as_instructor(client, platform)
    item = sample_item(type_name)
    preview = post(client, cid, f"/questions/new/{type_name}", form_data(item, action="preview"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "As a learner sees it" in html and "error-summary" not in html
    # The learner template's own field names appear, under the preview's prefix.
    assert re.search(r'name="q1-[a-z]', html), "learner inputs missing from the preview"
    # Every rationale is shown in the review part of the preview.
    first_why = next(str(v) for k, v in form_data(item).items() if k.endswith("rationale"))
    assert " ".join(first_why.split())[:25].split("*")[0] in " ".join(html.split())
    saved = post(client, cid, f"/questions/new/{type_name}",
                 form_data(item, action="save", category="Week 1", tags="alpha, beta"))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    [(qid, category, tags, data, n_versions)] = _course_questions(app, cid)
    assert saved.location.endswith(f"/instructor/questions/{qid}/edit")
    assert (category, tags, n_versions) == ("Week 1", ["alpha", "beta"], 1)
    expected = dict(item)
    for key in ("id",):
        expected.pop(key)
    got = {k: v for k, v in data.items() if k != "id"}
    if "shuffle" in got and "shuffle" not in expected:
        expected["shuffle"] = True
    assert got == expected
    assert client.get(saved.location).status_code == 200


def test_missing_rationale_is_reported_next_to_its_field(app, client, platform):
    cid = as_instructor(client, platform)
    data = form_data(sample_item("mcq"), action="save")
    data["options-1-rationale"] = "   "
    resp = post(client, cid, "/questions/new/mcq", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    error = re.search(r'<p class="field-error" id="options-1-rationale-error">([^<]+)</p>', html)
    assert error and "Rationale is required" in error.group(1)
    field = re.search(r'<textarea[^>]*id="options-1-rationale"[^>]*>', html).group(0)
    assert 'aria-describedby="options-1-rationale-error"' in field and 'aria-invalid="true"' in field
    assert _course_questions(app, cid) == []


def test_registry_errors_land_on_the_field_they_name(client, platform):
    cid = as_instructor(client, platform)
    data = form_data(sample_item("mcq"), action="save")
    for key in [k for k in data if k.endswith("-correct")]:
        del data[key]  # no option marked correct
    html = post(client, cid, "/questions/new/mcq", data).get_data(as_text=True)
    assert re.search(r'id="options-error">[^<]*correct: true', html)
    data = form_data(sample_item("matching"), action="save")
    data["prompts-0-match"] = "nowhere"
    html = post(client, cid, "/questions/new/matching", data).get_data(as_text=True)
    assert re.search(r'id="prompts-0-match-error">[^<]*not a target id', html)


def _learner_answers(app, cid, qid, learner_sub="learner-1"):
    """A learner takes a one-question quiz built on the question and submits it."""
    with app.app_context():
        user = db.session.scalars(select(User).where(User.sub == learner_sub)).one()
        quiz = builder.create_quiz(cid, None, builder.Settings(title="Versioning check"))
        builder.add_fixed(quiz, qid)
        attempt = attempts.start_attempt(quiz, user.id)
        attempts.save_answers(attempt, {"q1-opt": "a"}, [1])
        attempts.submit_attempt(attempt.id)
        return attempt.id, quiz.id, user.id


def test_editing_an_answered_question_creates_a_version_and_attempts_keep_theirs(app, client, platform):
    learner = app.test_client()
    as_learner(learner, platform)
    cid = as_instructor(client, platform)
    item = sample_item("mcq")
    with app.app_context():
        qid = create_question(cid, None, item).id
    # Not answered yet: an edit changes version 1 in place.
    data = form_data(item, action="save")
    data["stem"] = "First rewording of the stem."
    assert post(client, cid, f"/questions/{qid}/edit", data).status_code == 302
    [(_, _, _, stored, n)] = _course_questions(app, cid)
    assert (stored["stem"], n) == ("First rewording of the stem.", 1)
    attempt_id, quiz_id, user_id = _learner_answers(app, cid, qid)
    data["stem"] = "Second rewording, after a learner answered."
    resp = post(client, cid, f"/questions/{qid}/edit", data)
    assert resp.status_code == 302
    assert "version 2" in client.get(resp.location).get_data(as_text=True)
    with app.app_context():
        question = db.session.get(Question, qid)
        v1, v2 = question.versions
        assert (v1.number, v2.number) == (1, 2)
        assert v1.data["stem"] == "First rewording of the stem."
        assert v2.data["stem"] == "Second rewording, after a learner answered."
        answered = db.session.scalars(select(Response).where(Response.attempt_id == attempt_id)).one()
        assert answered.question_version_id == v1.id
        # A new attempt uses the new version.
        quiz = builder.get_quiz(cid, quiz_id)
        second = attempts.start_attempt(quiz, user_id)
        assert second.layout[0]["question_version_id"] == v2.id


def test_label_only_edit_keeps_the_version(app, client, platform):
    cid = as_instructor(client, platform)
    item = sample_item("true_false")
    with app.app_context():
        qid = create_question(cid, None, item, category="old").id
    assert post(client, cid, f"/questions/{qid}/edit",
                form_data(item, action="save", category="new", tags="x")).status_code == 302
    [(_, category, tags, _, n)] = _course_questions(app, cid)
    assert (category, tags, n) == ("new", ["x"], 1)


def test_copy_shipped_item_leaves_the_shipped_one_alone(app, client, platform):
    cid = as_instructor(client, platform)
    item_id = next(iter(get_bank().items))
    before = dict(get_bank().items[item_id])
    resp = post(client, cid, f"/bank/copy/{item_id}")
    assert resp.status_code == 302
    [(qid, _, tags, data, _)] = _course_questions(app, cid)
    assert data["stem"] == before["stem"] and "shipped-copy" in tags
    data_post = form_data({**before, "stem": "My own wording."}, action="save")
    assert post(client, cid, f"/questions/{qid}/edit", data_post).status_code == 302
    assert get_bank().items[item_id]["stem"] == before["stem"]
    assert post(client, cid, "/bank/copy/no-such-item").status_code == 404


def test_bank_search_and_filters(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        create_question(cid, None, {**sample_item("mcq"), "stem": "Zebra crossing and gait."}, category="Gait")
        create_question(cid, None, {**sample_item("true_false"), "stem": "Baclofen is stopped slowly."},
                        tags=["pharmacology"])
    bank = BASE.format(cid=cid) + "/bank"
    html = client.get(bank, query_string={"q": "zebra"}).get_data(as_text=True)
    assert "Zebra crossing" in html and "Baclofen is stopped" not in html
    html = client.get(bank, query_string={"tag": "pharmacology"}).get_data(as_text=True)
    assert "Baclofen is stopped" in html and "Zebra crossing" not in html
    html = client.get(bank, query_string={"category": "Gait", "type": "mcq"}).get_data(as_text=True)
    assert "Zebra crossing" in html and "Baclofen is stopped" not in html
    html = client.get(bank, query_string={"type": "true_false", "q": "zebra"}).get_data(as_text=True)
    assert "No course question matches" in html


def test_live_preview_fragment_and_add_row(client, platform):
    cid = as_instructor(client, platform)
    item = sample_item("sata")
    frag = post(client, cid, "/questions/preview/sata", form_data(item))
    html = frag.get_data(as_text=True)
    assert frag.status_code == 200 and "<html" not in html and "As a learner sees it" in html
    broken = form_data(item)
    broken["stem"] = ""
    assert "Write the question stem" in post(client, cid, "/questions/preview/sata", broken).get_data(as_text=True)
    rows = len(item["options"])
    page = post(client, cid, "/questions/new/sata", form_data(item, action="add:options")).get_data(as_text=True)
    assert f'id="options-{rows}-text"' in page  # one more, empty row to fill in


def test_archived_questions_leave_the_bank(app, client, platform):
    cid = as_instructor(client, platform)
    with app.app_context():
        qid = create_question(cid, None, {**sample_item("mcq"), "stem": "Archive me please."}).id
    assert post(client, cid, f"/questions/{qid}/archive").status_code == 302
    bank = BASE.format(cid=cid) + "/bank"
    assert "Archive me please" not in client.get(bank).get_data(as_text=True)
    assert "Archive me please" in client.get(bank, query_string={"archived": "1"}).get_data(as_text=True)


def test_copy_service_makes_unique_item_ids(app, client, platform):
    cid = as_instructor(client, platform)
    item_id = next(iter(get_bank().items))
    with app.app_context():
        first, second = copy_shipped(cid, None, item_id), copy_shipped(cid, None, item_id)
        ids = {current_version(first).data["id"], current_version(second).data["id"]}
        assert len(ids) == 2 and first.bank_id == second.bank_id == item_id
        assert get_course_question(cid + 1000, first.id) is None
        assert db.session.scalar(select(QuestionVersion.number).where(
            QuestionVersion.question_id == second.id)) == 1
