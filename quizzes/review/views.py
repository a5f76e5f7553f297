"""Learner pages of the spaced review: "Review now", a session's questions, the home panel."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.db import utcnow
from course.home import NavItem, Panel, PanelRead, add_nav, add_panel
from course.identity import course_view
from course.models import Context, User
from course.reads import Rows
from course.registry import add_answer_hook
from course.roles import LEARNER
from course.routes import Routes
from modules.views import item_view, web_course
from quizzes.bank_loader import get_bank
from quizzes.review import module_items, service
from quizzes.review.models import ReviewSession
from quizzes.review.schedule_store import Answered, module_key, record
from quizzes.taking.pages import case_view, question_view
from quizzes.tutor.marks import feedback

routes = Routes()


def _home(status: int = 200, problem: str = "") -> Any:
    """The review page: what is due, the weekly figures, recent sessions and module items due."""
    cid, uid = g.context.id, g.user.id
    service.bring_up_to_date(cid, uid)
    return render_template(
        "quizzes/review_home.html", summary=service.summary(cid, uid), problem=problem,
        recent=service.recent(cid, uid), modules_due=service.due_module_items(cid, uid, web_course()),
    ), status


@routes.get("/review/")
@course_view()
def review_home(cid: int) -> Any:
    """How many items are due, and a button to start a session."""
    return _home()


@routes.post("/review/")
@course_view()
def review_start(cid: int) -> Any:
    """Build a session of due items (filled from the weakest areas) and open its first question."""
    try:
        made = service.build(g.context.id, g.user.id)
    except service.ReviewError as err:
        return _home(400, str(err))
    return redirect(url_for("quizzes.review_session", cid=cid, sid=made.id))


@routes.post("/review/weekly")
@course_view()
def review_weekly(cid: int) -> WerkzeugResponse:
    """Show or hide the weekly summary on the course home."""
    choice = request.form.get("weekly")
    if choice not in ("on", "off"):
        abort(400, "Choose whether to show the weekly summary: on or off.")
    service.set_weekly(g.context.id, g.user.id, choice == "on")
    return redirect(url_for("quizzes.review_home", cid=cid))


def _own(sid: int) -> ReviewSession:
    """This learner's review session in this course, else 404."""
    found = service.own(g.context.id, g.user.id, sid)
    if found is None:
        abort(404)
    return found


def _page(session: ReviewSession, number: int, problems: list[str] | None = None,
          status: int = 200) -> Any:
    """One item of a session: a question (with its case chart) or a teaching-module item."""
    number = min(max(1, number), len(session.layout))
    key = str(number)
    slot = next(e for e in session.layout if e["position"] == number)
    done = [int(k) for k in session.results]
    shared = {
        "review": session, "total": len(session.layout), "position": number,
        "nav": [{"n": e["position"], "answered": e["position"] in done} for e in session.layout],
        "problems": problems or [], "done": len(done),
        "points": sum(r["points"] for r in session.results.values()),
        "max_points": sum(r["max_points"] for r in session.results.values())}
    if module_items.is_module_key(slot["key"]):
        found = module_items.find(module_items.review_course(), slot["key"])
        if found is None:  # the item was taken out of the content since the session was built
            abort(404)
        view = {**item_view(found.item, session.answers.get(key)), "locked": key in session.results}
        return render_template("quizzes/review_session.html", mod=found, mod_view=view,
                               **shared), status
    item = service.items(session).get(number)
    if item is None:  # the question was deleted since the session was built
        abort(404)
    checked = feedback(item, number, session.answers.get(key)) if key in session.results else None
    return render_template(
        "quizzes/review_session.html", checked=checked,
        q=question_view(item, session.seed, number, session.answers.get(key)),
        case=case_view(get_bank(), slot.get("case_study_id"), slot.get("stage")), **shared), status


@routes.get("/review/<int:sid>/")
@course_view()
def review_session(cid: int, sid: int) -> Any:
    """Item ?q=N of a review session."""
    return _page(_own(sid), request.args.get("q", 1, type=int) or 1)


@routes.post("/review/<int:sid>/")
@course_view()
def review_check(cid: int, sid: int) -> Any:
    """Check one answer, show why it is right or wrong, and reschedule the item."""
    found = _own(sid)
    position = request.form.get("position", type=int)
    slot = next((e for e in found.layout if e["position"] == position), None)
    if slot is not None and module_items.is_module_key(slot["key"]):
        return _check_module(found, slot)
    items = service.items(found)
    if position not in items:
        abort(400, "The form named a question that is not in this review session. Reload the page.")
    problems = service.check(found, items[position], position, request.form)
    if problems:
        return _page(found, position, problems, status=400)
    return redirect(url_for("quizzes.review_session", cid=cid, sid=found.id, q=position))


def _check_module(session: ReviewSession, slot: dict[str, Any]) -> Any:
    """Check a teaching-module item with the modules' checker and record it as a module answer."""
    found = module_items.find(module_items.review_course(), slot["key"])
    if found is None:
        abort(400, "This item is no longer in the teaching modules. Go on to the next one.")
    problem = module_items.check(session, slot["position"], found, request.form)
    if problem:
        return _page(session, slot["position"], [module_items.problem_text(found, problem)],
                     status=400)
    return redirect(url_for("quizzes.review_session", cid=session.context_id, sid=session.id,
                            q=slot["position"]))


def home_panel(ctx: Context, user: User, role: str) -> PanelRead | None:
    """Learners: how many items are due for review (one indexed read), and the weekly summary."""
    if role != LEARNER:
        return None

    def build(rows: Rows) -> Panel:
        """The panel from the summary's one row."""
        return Panel("quizzes/review_panel.html",
                     {"cid": ctx.id, "s": service.summary_from(rows[0])}, order=35)
    return PanelRead(*service.summary_read(ctx.id, user.id), build)


def on_module_answer(context_id: int, user_id: int, module_slug: str, item_id: str,
                     score: float) -> None:
    """A module practice or check answer goes into the schedule, in the module's transaction."""
    record(context_id, user_id, [Answered(module_key(module_slug, item_id), score, 1.0)], utcnow())


def setup_review(app: Flask) -> None:
    """The home panel, the learners' navigation link and the hook on module answers."""
    add_panel(app, home_panel)
    add_nav(app, NavItem("Review", "quizzes.review_home", role=LEARNER, order=33))
    add_answer_hook(app, on_module_answer)
