"""Teaching-module pages: list, overview, sections with practice, references, glossary, progress."""
from __future__ import annotations

import functools
import os
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue

from course.home import NavItem, Panel, PanelRead, add_nav, add_panel
from course.identity import course_view, instructor_view
from course.models import Context, User
from course.reads import Rows
from course.roles import INSTRUCTOR
from modules import lti_targets, progress
from modules.forms import Feedback, feedback_for, ladder_rows, problem_feedback, read_submission
from modules.links import LinkStyle
from modules.loader import load_course
from modules.practice import check_practice
from modules.schema import Course, Module, PracticeItem, Section
from modules.status import ModuleStatus, as_utc, resume_point
from modules.traces import trace_svg

bp = Blueprint("modules", __name__, url_prefix="/c/<int:cid>/modules",
               template_folder="templates", static_folder="static",
               static_url_path="/static/modules")


@bp.url_value_preprocessor
def _drop_static_cid(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The prefix puts <cid> in the blueprint's own static URL too; send_static_file takes none."""
    if endpoint == "modules.static" and values is not None:
        values.pop("cid", None)


# Pages live at /c/<cid>/modules/<module>/<section> and the glossary at /c/<cid>/modules/glossary,
# so a term link from any module page goes up one level, not two as the loader's default assumes.
WEB_LINKS = LinkStyle(term="../glossary#{anchor}")


@functools.lru_cache(maxsize=1)
def web_course() -> Course:
    """The course rendered with this blueprint's URL layout, loaded once per process."""
    return load_course(links=WEB_LINKS)


def _module(slug: str) -> Module:
    """The module with this slug, or 404."""
    try:
        return web_course().module(slug)
    except KeyError:
        abort(404, "There is no teaching module at this address.")


def _section(module: Module, slug: str) -> Section:
    """The section of a module with this slug, or 404."""
    try:
        return module.section(slug)
    except KeyError:
        abort(404, "This module has no section at this address.")


@bp.get("/")
@course_view()
def index(cid: int) -> str:
    """Every module with the learner's progress, and a Continue button."""
    statuses = progress.course_statuses(g.context.id, g.user.id, web_course())
    return render_template("modules/index.html", course=web_course(), statuses=statuses,
                           resume=resume_point(statuses))


@bp.get("/glossary")
@course_view()
def glossary(cid: int) -> str:
    """Key terms of every module, alphabetically, each with an anchor."""
    course = web_course()
    titles = {m.slug: m.title for m in course.modules}
    return render_template("modules/glossary.html", terms=course.glossary, titles=titles)


@bp.get("/progress")
@instructor_view
def progress_table(cid: int) -> str:
    """Instructors: each learner's progress through every module of this course."""
    course = web_course()
    return render_template("modules/progress.html", course=course,
                           rows=progress.progress_table(g.context.id, course))


@bp.get("/<module>/")
@course_view()
def overview(cid: int, module: str) -> str:
    """A module's objectives, sections with done ticks, and where to continue."""
    mod = _module(module)
    status = progress.learner_activity(g.context.id, g.user.id, mod.slug).status(mod)
    return render_template("modules/overview.html", module=mod, status=status)


@bp.get("/<module>/references")
@course_view()
def references(cid: int, module: str) -> str:
    """A module's full citations, numbered as they are cited in its pages."""
    return render_template("modules/references.html", module=_module(module))


@bp.get("/<module>/<section>")
@course_view()
def section(cid: int, module: str, section: str) -> str:
    """One section: its text, practice and knowledge checks; opening it counts as viewed."""
    mod = _module(module)
    sec = _section(mod, section)
    # One read of the learner's rows serves the view record, the status and the stored answers.
    status, answers = progress.open_section(g.context.id, g.user.id, mod, sec.slug)
    flagged = request.args.get("unanswered", "")
    problem = request.args.get("problem", "")
    items = [item_view(item, answers.get(item.id),
                       problem if item.id == flagged else "") for item in sec.items]
    before, after = mod.neighbours(sec.slug)
    return render_template(
        "modules/section.html", module=mod, section=sec, status=status, before=before,
        after=after, position=mod.sections.index(sec) + 1, practice=items[:len(sec.practice)],
        checks=items[len(sec.practice):], next_module=_next_module(mod))


@bp.post("/<module>/<section>/items/<item_id>")
@course_view()
def answer(cid: int, module: str, section: str, item_id: str) -> ResponseReturnValue:
    """Check a practice or check answer on the server, store it, and show the feedback."""
    mod = _module(module)
    sec = _section(mod, section)
    item = next((i for i in sec.items if i.id == item_id), None)
    if item is None:
        abort(404, "This section has no question at this address.")
    submission = read_submission(item, request.form)
    if submission.problem:
        return _reply(mod, sec, item, problem_feedback(item, submission.problem), None)
    result = check_practice(item, submission.values)
    status = progress.record_answer(g.context.id, g.user.id, mod, sec, item, result)
    return _reply(mod, sec, item, feedback_for(item, result.chosen), status)


def _reply(module: Module, section: Section, item: PracticeItem, feedback: Feedback,
           status: ModuleStatus | None) -> ResponseReturnValue:
    """JSON for practice.js; otherwise redirect back to the item's feedback (no JS needed)."""
    if _wants_json():
        html = render_template("modules/_feedback.html", fb=feedback, item=item)
        body: dict[str, Any] = {"state": feedback.state, "html": html}
        if status is not None:
            body["progress"] = {"percent": status.percent, "text": status.text,
                                "complete": status.complete}
        return jsonify(body)
    args: dict[str, Any] = {}
    if feedback.state == "problem":
        # A code, not the message, so nobody can craft a link that shows arbitrary text.
        args = {"unanswered": item.id, "problem": feedback.code}
    target = url_for(".section", cid=g.context.id, module=module.slug, section=section.slug,
                     _anchor=f"feedback-{item.id}", **args)
    return redirect(target, code=303)


def _wants_json() -> bool:
    """Whether the client (practice.js) asked for JSON rather than a page."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def item_view(item: PracticeItem, answer: Any, problem: str = "") -> dict[str, Any]:
    """What modules/_item.html needs: the item, its last answer and feedback, trace, ladder.

    The spaced review shows module items with this too, so there is one rendering of them.
    """
    return {
        "item": item,
        "answer": answer,
        "feedback": problem_feedback(item, problem) if problem else feedback_for(item, answer),
        "svg": trace_svg(item.trace, uid=f"q-{item.id}", neutral=True) if item.trace else "",
        "ladder": ladder_rows(item, seed=str(g.user.id), last=answer)
        if item.type == "ladder" else [],
    }


def _next_module(module: Module) -> Module | None:
    """The module after this one in the course, if any."""
    modules = web_course().modules
    index = modules.index(module)
    return modules[index + 1] if index + 1 < len(modules) else None


@bp.app_template_filter("module_when")
def module_when(value: datetime | None) -> str:
    """Format a stored UTC timestamp for tables: 4 Mar 2026, 14:05 UTC."""
    if value is None:
        return ""
    return as_utc(value).strftime("%-d %b %Y, %H:%M UTC")


def home_panel(ctx: Context, user: User, role: str) -> Panel | PanelRead:
    """Course-home block: the learner's modules and Continue, or the instructor's summary."""
    course = web_course()
    if role == INSTRUCTOR:
        rows = progress.progress_table(ctx.id, course)
        values = {"cid": ctx.id, "learners": len(rows),
                  "started": sum(r.started_at is not None for r in rows),
                  "completed": sum(r.modules_completed == len(course.modules) for r in rows)}
        return Panel("modules/panel_instructor.html", values, order=10)
    def build(rows: Rows) -> Panel:
        """The learner's panel from the rows of their progress read."""
        statuses = progress.statuses_from(rows, course)
        return Panel("modules/panel_learner.html",
                     {"cid": ctx.id, "statuses": statuses, "resume": resume_point(statuses)},
                     order=10)
    return PanelRead(*progress.status_read(ctx.id, user.id), build)


def static_file(filename: str) -> Response:
    """Serve modules/static/modules/<filename> at /static/modules/<filename>."""
    folder = os.path.join(bp.static_folder or "", "modules")
    return send_from_directory(folder, filename, max_age=current_app.get_send_file_max_age(filename))


def setup(app: Flask) -> None:
    """Load the content now (broken content stops startup), then add home panel and nav links."""
    web_course()
    # The blueprint's own static route sits under /c/<cid>/modules; one shared URL caches better.
    app.add_url_rule("/static/modules/<path:filename>", endpoint="modules_static",
                     view_func=static_file)
    add_panel(app, home_panel)
    lti_targets.register(app)  # launch target, deep-linking group, content check
    add_nav(app, NavItem("Modules", "modules.index", order=10))
    add_nav(app, NavItem("Glossary", "modules.glossary", order=20))
    add_nav(app, NavItem("Progress", "modules.progress_table", role=INSTRUCTOR, order=60))
