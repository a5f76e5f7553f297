"""Instructor quiz builder: settings, fixed and random slots, reorder, and a learner preview."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.db import db
from course.identity import instructor_view
from course.numbers import whole_number
from course.routes import Routes
from quizzes.authoring.bank_queries import categories_and_tags
from quizzes.authoring.builder import (
    BuilderError,
    Settings,
    add_fixed,
    add_random,
    add_shipped,
    apply_settings,
    course_quizzes,
    create_quiz,
    get_quiz,
    move_slot,
    preview_layout,
    remove_slot,
    settings_of,
    slot_rows,
)
from quizzes.authoring.forms import (
    QuizSettingsForm,
    RandomSlotForm,
    choices,
    local_of_utc,
    utc_of_local,
)
from quizzes.authoring.instructor_preview import layout_preview
from quizzes.authoring.instructor_views import PREFIX
from quizzes.authoring.questions import course_questions, current_version
from quizzes.bank_loader import get_bank
from quizzes.models import QuestionVersion, Quiz
from quizzes.types import REGISTRY

routes = Routes()

_SEED = re.compile(r"^[0-9a-f]{8,32}$")


def _quiz(quiz_id: int) -> Quiz:
    """A quiz of this course, else 404."""
    quiz = get_quiz(g.context.id, quiz_id)
    if quiz is None:
        abort(404)
    return quiz


def _settings(form: QuizSettingsForm) -> Settings:
    """The validated settings form as a Settings value."""
    return Settings(title=form.title.data or "", description=form.description.data or "",
                    attempts_allowed=form.attempts_allowed.data or 0, grading=form.grading.data,
                    time_limit_minutes=form.time_limit_minutes.data, shuffle=bool(form.shuffle.data),
                    review=form.review.data, review_when=form.review_when.data,
                    pass_mark=float(form.pass_mark.data), published=bool(form.published.data),
                    mode=form.mode.data, tutor_gradebook=bool(form.tutor_gradebook.data),
                    open_at=utc_of_local(form.open_at.data), close_at=utc_of_local(form.close_at.data))


def _random_form(context_id: int) -> RandomSlotForm:
    """The random-slot form with this course's categories and tags (shipped ones included)."""
    form = RandomSlotForm(prefix="random")
    cats, tags = categories_and_tags(context_id)
    shipped_cats, shipped_tags = categories_and_tags_shipped()
    form.category.choices = choices([("", "Any category")] + [
        (c, c) for c in sorted(set(cats) | shipped_cats, key=str.lower)])
    form.tag.choices = choices([("", "Any tag")] + [(t, t) for t in sorted(set(tags) | shipped_tags, key=str.lower)])
    return form


def categories_and_tags_shipped() -> tuple[set[str], set[str]]:
    """Shipped questions' categories (their topics) and tags (CJMM steps, case studies)."""
    bank = get_bank()
    cats = {item["topic"] for item in bank.items.values()}
    tags = {item["cjmm"] for item in bank.items.values() if item.get("cjmm")}
    tags |= {f"case:{case}" for case in bank.case_studies}
    return cats, tags


@routes.route(f"{PREFIX}/quizzes", methods=["GET", "POST"])
@instructor_view
def quizzes(cid: int) -> Any:
    """The course's quizzes, and a form to create one."""
    form = QuizSettingsForm(prefix="new")
    if form.validate_on_submit():
        try:
            quiz = create_quiz(g.context.id, g.user.id, _settings(form))
        except BuilderError as err:
            form.title.errors = [str(err)]
        else:
            flash("Quiz created. Add questions below.", "success")
            return redirect(url_for("quizzes.builder", cid=cid, quiz_id=quiz.id))
    return render_template("quizzes/instructor/quizzes.html", quizzes=course_quizzes(g.context.id), form=form)


def _builder_page(quiz: Quiz, settings_form: QuizSettingsForm | None = None,
                  random_form: RandomSlotForm | None = None, status: int = 200) -> Any:
    """Render the builder for one quiz."""
    if settings_form is None:
        s = settings_of(quiz)
        settings_form = QuizSettingsForm(prefix="settings", data={
            **s.__dict__, "open_at": local_of_utc(s.open_at), "close_at": local_of_utc(s.close_at)})
    own = [(q.id, current_version(q).data) for q in course_questions(g.context.id)]
    shipped = sorted(get_bank().items.items(), key=lambda kv: (kv[1]["topic"], kv[0]))
    return render_template("quizzes/instructor/builder.html", quiz=quiz, slots=slot_rows(quiz),
                           settings_form=settings_form, random_form=random_form or _random_form(g.context.id),
                           own=own, shipped=shipped, labels={k: t.label for k, t in REGISTRY.items()}), status


@routes.get(f"{PREFIX}/quizzes/<int:quiz_id>")
@instructor_view
def builder(cid: int, quiz_id: int) -> Any:
    """Settings and slots of one quiz."""
    return _builder_page(_quiz(quiz_id))


@routes.post(f"{PREFIX}/quizzes/<int:quiz_id>/settings")
@instructor_view
def save_settings(cid: int, quiz_id: int) -> Any:
    """Save the quiz settings; problems are shown next to the fields."""
    quiz = _quiz(quiz_id)
    form = QuizSettingsForm(prefix="settings")
    if not form.validate():
        return _builder_page(quiz, settings_form=form, status=400)
    try:
        apply_settings(quiz, _settings(form))
    except BuilderError as err:
        form.title.errors = [str(err)]
        return _builder_page(quiz, settings_form=form, status=400)
    flash("Settings saved.", "success")
    return redirect(url_for("quizzes.builder", cid=cid, quiz_id=quiz.id))


def _slot_done(quiz: Quiz, message: str, anchor: str = "slots") -> WerkzeugResponse:
    """Back to the builder's slot list after a slot change."""
    flash(message, "success")
    return redirect(url_for("quizzes.builder", cid=g.context.id, quiz_id=quiz.id, _anchor=anchor))


@routes.post(f"{PREFIX}/quizzes/<int:quiz_id>/slots/question")
@instructor_view
def add_question_slot(cid: int, quiz_id: int) -> WerkzeugResponse:
    """Add one fixed question: ``q:<id>`` for a course question, ``s:<bank id>`` for a shipped one."""
    quiz = _quiz(quiz_id)
    choice = request.form.get("question", "")
    try:
        if choice.startswith("q:") and (qid := whole_number(choice[2:], 1)) is not None:
            add_fixed(quiz, qid)
        elif choice.startswith("s:"):
            add_shipped(quiz, choice[2:])
        else:
            raise BuilderError("Choose a question to add.")
    except BuilderError as err:
        abort(400, str(err))
    return _slot_done(quiz, "Question added at the end of the quiz.")


@routes.post(f"{PREFIX}/quizzes/<int:quiz_id>/slots/random")
@instructor_view
def add_random_slot(cid: int, quiz_id: int) -> Any:
    """Add "N random questions from category/tag"."""
    quiz = _quiz(quiz_id)
    form = _random_form(g.context.id)
    if not form.validate():
        return _builder_page(quiz, random_form=form, status=400)
    try:
        add_random(quiz, form.count.data, form.category.data or "", form.tag.data or "")
    except BuilderError as err:
        form.count.errors = [str(err)]
        return _builder_page(quiz, random_form=form, status=400)
    return _slot_done(quiz, f"Random slot added: {form.count.data} question(s) per attempt.")


@routes.post(f"{PREFIX}/quizzes/<int:quiz_id>/slots/<int:slot_id>/move")
@instructor_view
def move(cid: int, quiz_id: int, slot_id: int) -> WerkzeugResponse:
    """Move a slot one place up or down (the keyboard-friendly way to reorder)."""
    quiz = _quiz(quiz_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, "Say whether to move the slot up or down.")
    try:
        move_slot(quiz, slot_id, -1 if direction == "up" else 1)
    except BuilderError as err:
        abort(404, str(err))
    return _slot_done(quiz, f"Slot moved {direction}.", anchor=f"slot-{slot_id}")


@routes.post(f"{PREFIX}/quizzes/<int:quiz_id>/slots/<int:slot_id>/remove")
@instructor_view
def remove(cid: int, quiz_id: int, slot_id: int) -> WerkzeugResponse:
    """Take a slot out of the quiz."""
    quiz = _quiz(quiz_id)
    try:
        remove_slot(quiz, slot_id)
    except BuilderError as err:
        abort(404, str(err))
    return _slot_done(quiz, "Slot removed.")


@routes.route(f"{PREFIX}/quizzes/<int:quiz_id>/preview", methods=["GET", "POST"])
@instructor_view
def preview_quiz(cid: int, quiz_id: int) -> Any:
    """Walk through the quiz as a learner would (one question per page); nothing is saved."""
    quiz = _quiz(quiz_id)
    seed = request.values.get("seed", "")
    if not _SEED.match(seed):
        return redirect(url_for("quizzes.preview_quiz", cid=cid, quiz_id=quiz.id, seed=secrets.token_hex(8)))
    layout = preview_layout(quiz, seed)
    if not layout:
        return render_template("quizzes/instructor/preview_quiz.html", quiz=quiz, layout=[], seed=seed, p=None)
    try:
        n = min(max(1, int(request.values.get("n", "1"))), len(layout))
    except ValueError:
        abort(400, "Question numbers are whole numbers.")
    entry = layout[n - 1]
    version = db.session.get(QuestionVersion, entry["question_version_id"])
    if version is None:
        abort(404)
    response, problems = None, []
    if request.method == "POST":
        parsed = REGISTRY[version.data["type"]].parse(version.data, request.form, f"q{n}-")
        response, problems = parsed.response, list(parsed.problems)
    preview = layout_preview(entry, version.data, seed, response)
    return render_template("quizzes/instructor/preview_quiz.html", quiz=quiz, layout=layout, seed=seed, n=n,
                           p=preview, problems=problems)
