"""Instructor question bank and editor: list, search, copy shipped items, author with preview."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.content import ContentError
from course.home import NavItem, Panel, add_nav, add_panel
from course.identity import instructor_view
from course.models import Context, User
from course.roles import INSTRUCTOR
from course.routes import Routes
from quizzes.authoring.bank_queries import (
    BankFilter,
    categories_and_tags,
    course_rows,
    shipped_rows,
    versions_of,
)
from quizzes.authoring.form_rows import SPECS
from quizzes.authoring.forms import QuestionForm, build_form, form_to_item
from quizzes.authoring.instructor_preview import item_preview
from quizzes.authoring.questions import (
    copy_shipped,
    create_question,
    current_version,
    get_course_question,
    set_archived,
    shipped_item,
    update_question,
    version_in_use,
)
from quizzes.media.service import course_images
from quizzes.models import Question
from quizzes.types import REGISTRY, TOPICS

routes = Routes()

PREFIX = "/instructor"


def type_choices() -> list[tuple[str, str, str]]:
    """(name, label, family) of every registry type, classic first."""
    return sorted(((t.name, t.label, t.family) for t in REGISTRY.values()), key=lambda t: (t[2], t[1]))


def _filters() -> BankFilter:
    """The bank filters from the query string (unknown values are ignored, never an error)."""
    args = request.args
    kind = args.get("type", "")
    topic = args.get("topic", "")
    return BankFilter(q=args.get("q", "").strip()[:200], type=kind if kind in REGISTRY else "",
                      topic=topic if topic in TOPICS else "", category=args.get("category", "")[:100],
                      tag=args.get("tag", "")[:60], archived=args.get("archived") == "1")


@routes.get(f"{PREFIX}/bank")
@instructor_view
def bank(cid: int) -> str:
    """The course bank and the shipped bank, searchable and filterable."""
    f = _filters()
    cats, tags = categories_and_tags(g.context.id)
    return render_template("quizzes/instructor/bank.html", f=f, course=course_rows(g.context.id, f),
                           shipped=shipped_rows(f), categories=cats, tags=tags, types=type_choices(),
                           topics=TOPICS)


@routes.post(f"{PREFIX}/bank/copy/<item_id>")
@instructor_view
def copy(cid: int, item_id: str) -> WerkzeugResponse:
    """Copy a shipped item into the course bank, then open the copy in the editor."""
    try:
        question = copy_shipped(g.context.id, g.user.id, item_id)
    except LookupError:
        abort(404)
    flash("Copied into your course bank. Edit the copy; the shipped question stays as it was.", "success")
    return redirect(url_for("quizzes.edit_question", cid=cid, qid=question.id))


@routes.get(f"{PREFIX}/shipped/<item_id>")
@instructor_view
def shipped(cid: int, item_id: str) -> str:
    """A read-only shipped item as learners see it, with its review."""
    item = shipped_item(item_id)
    if item is None:
        abort(404)
    return render_template("quizzes/instructor/shipped.html", item=item, preview=item_preview(item),
                           type_label=REGISTRY[item["type"]].label)


@routes.get(f"{PREFIX}/questions/new")
@instructor_view
def new_question(cid: int) -> str:
    """Choose the type of a new question."""
    return render_template("quizzes/instructor/new.html", types=type_choices())


def _check_type(type_name: str) -> None:
    """404 for a type the registry does not know."""
    if type_name not in REGISTRY:
        abort(404)


def _editor(type_name: str, question: Question | None) -> Any:
    """GET shows the form; POST adds a row, previews, or saves (with errors next to the fields)."""
    posted = request.form if request.method == "POST" else None
    action = request.form.get("action", "save") if posted is not None else ""
    add = action[4:] if action.startswith("add:") else None
    stored = current_version(question).data if question else None
    form = build_form(type_name, item=stored, category=question.category if question else "",
                      tags=list(question.tags or []) if question else [], posted=posted, add=add)
    errors: dict[str, list[str]] = {}
    preview = None
    if posted is not None and add is None:
        form.validate()
        result = form_to_item(type_name, form.data)
        errors = result.errors
        for name, field_errors in _field_errors(form).items():
            errors.setdefault(name, []).extend(field_errors)
        if not errors:
            result.item["id"] = stored["id"] if stored else "draft"
            preview = item_preview(result.item)
            if action == "save":
                return _save(question, result.item, result.category, result.tags)
    return render_template("quizzes/instructor/edit.html", form=form, spec=SPECS[type_name],
                           type_label=REGISTRY[type_name].label, question=question, errors=errors,
                           preview=preview, in_use=question is not None and version_in_use(
                               g.context.id, current_version(question).id),
                           versions=versions_of(question) if question else [],
                           images=course_images(g.context.id))


def _field_errors(form: QuestionForm) -> dict[str, list[str]]:
    """WTForms' own errors (bad numbers, unknown choices) by field id, CSRF excluded."""
    found: dict[str, list[str]] = {}
    for field in form:
        if field.name != "csrf_token" and field.type != "FieldList" and field.errors:
            found[field.id] = list(field.errors)
    return found


def _save(question: Question | None, item: dict[str, Any], category: str, tags: str) -> WerkzeugResponse:
    """Create or update, then back to the editor with what happened."""
    try:
        if question is None:
            question = create_question(g.context.id, g.user.id, item, category=category, tags=tags)
            flash("Question created.", "success")
        else:
            outcome = update_question(question, item, category=category, tags=tags)
            if outcome.new_version:
                flash(f"Saved as version {outcome.version.number}. Choose whether attempts already "
                      "made are regraded with it or keep the version they used.", "success")
                return redirect(url_for("quizzes.regrade_preview", cid=g.context.id, qid=question.id))
            else:
                flash("Saved." if outcome.changed else "Saved (no change to the question itself).", "success")
    except ContentError as err:
        abort(400, f"The question could not be saved: {err}")
    return redirect(url_for("quizzes.edit_question", cid=g.context.id, qid=question.id))


@routes.route(f"{PREFIX}/questions/new/<type_name>", methods=["GET", "POST"])
@instructor_view
def create(cid: int, type_name: str) -> Any:
    """Author a new question of one type."""
    _check_type(type_name)
    return _editor(type_name, None)


@routes.route(f"{PREFIX}/questions/<int:qid>/edit", methods=["GET", "POST"])
@instructor_view
def edit_question(cid: int, qid: int) -> Any:
    """Edit a course question (this course's only)."""
    question = get_course_question(g.context.id, qid)
    if question is None:
        abort(404)
    return _editor(question.type, question)


@routes.post(f"{PREFIX}/questions/preview/<type_name>")
@instructor_view
def live_preview(cid: int, type_name: str) -> Any:
    """The preview fragment for the editor's script: learner view and review, or the problems."""
    _check_type(type_name)
    form = build_form(type_name, posted=request.form)
    result = form_to_item(type_name, form.data)
    if not result.ok:
        return render_template("quizzes/instructor/_preview.html", preview=None,
                               problems=[m for msgs in result.errors.values() for m in msgs])
    return render_template("quizzes/instructor/_preview.html", preview=item_preview(result.item), problems=[])


@routes.post(f"{PREFIX}/questions/<int:qid>/archive")
@instructor_view
def archive(cid: int, qid: int) -> WerkzeugResponse:
    """Hide a question from the bank and random slots (or restore it)."""
    question = get_course_question(g.context.id, qid)
    if question is None:
        abort(404)
    restore = request.form.get("restore") == "1"
    set_archived(question, not restore)
    flash("Question restored." if restore else "Question archived: it no longer appears in the bank "
          "or in random slots. Attempts that used it are kept.", "success")
    return redirect(url_for("quizzes.bank", cid=cid))


# --- wiring ---------------------------------------------------------------------------------------

def instructor_panel(ctx: Context, user: User, role: str) -> Panel | None:
    """The instructor's block on the course home: links into the workspace."""
    if role != INSTRUCTOR:
        return None
    return Panel("quizzes/instructor/panel.html", {"cid": ctx.id}, order=25)


def setup_instructor(app: Flask) -> None:
    """Nav links, the home panel and the `flask quizzes` CLI group."""
    from quizzes.interchange.transfer import register_cli
    add_nav(app, NavItem("Question bank", "quizzes.bank", role=INSTRUCTOR, order=40))
    add_nav(app, NavItem("Gradebook", "quizzes.gradebook", role=INSTRUCTOR, order=41))
    add_panel(app, instructor_panel)
    register_cli(app)
