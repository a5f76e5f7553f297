"""Learner pages of the build-your-own practice quiz (tutor mode, never graded). Routes on quizzes.bp."""
from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.identity import course_view
from course.routes import Routes
from quizzes.taking.pages import question_view
from quizzes.tutor import practice_service as service
from quizzes.tutor.forms import PracticeForm, names
from quizzes.tutor.marks import feedback
from quizzes.tutor.models import PracticeQuiz
from quizzes.tutor.practice import Filters

routes = Routes()


def _build_page(form: PracticeForm, status: int = 200) -> Any:
    """The build form and this learner's recent practice quizzes."""
    return render_template("quizzes/practice_build.html", form=form,
                           recent=service.recent(g.context.id, g.user.id)), status


@routes.get("/practice/")
@course_view()
def practice_build(cid: int) -> Any:
    """Choose a module, step, type and length for a new practice quiz."""
    return _build_page(PracticeForm())


@routes.post("/practice/")
@course_view()
def practice_create(cid: int) -> Any:
    """Build the practice quiz and open its first question."""
    form = PracticeForm()
    if not form.validate():
        return _build_page(form, 400)
    filters = Filters(form.module.data or "", form.step.data or "", form.kind.data or "", form.length.data or 0)
    try:
        made = service.build(g.context.id, g.user.id, filters, names())
    except service.PracticeError as err:
        form.length.errors = [str(err)]
        return _build_page(form, 400)
    return redirect(url_for("quizzes.practice", cid=cid, pid=made.id))


def _own(pid: int) -> PracticeQuiz:
    """This learner's practice quiz in this course, else 404."""
    found = service.own(g.context.id, g.user.id, pid)
    if found is None:
        abort(404)
    return found


def _page(practice: PracticeQuiz, number: int, problems: list[str] | None = None, status: int = 200) -> Any:
    """One question of a practice quiz, with its feedback once checked."""
    items = service.items(practice)
    if not items:
        abort(404)
    number = min(max(1, number), len(practice.layout))
    item = items[number]
    key = str(number)
    result = practice.results.get(key)
    saved = practice.answers.get(key)
    checked = feedback(item, number, practice.answers.get(key)) if result else None
    done = [int(k) for k in practice.results]
    points = sum(r["points"] for r in practice.results.values())
    nav = [{"n": e["position"], "answered": e["position"] in done} for e in practice.layout]
    return render_template(
        "quizzes/practice.html", practice=practice, q=question_view(item, practice.seed, number, saved),
        total=len(practice.layout), nav=nav, checked=checked, problems=problems or [], done=len(done),
        points=points, max_points=sum(r["max_points"] for r in practice.results.values()),
        ), status


@routes.get("/practice/<int:pid>/")
@course_view()
def practice(cid: int, pid: int) -> Any:
    """Question ?q=N of a practice quiz."""
    return _page(_own(pid), request.args.get("q", 1, type=int) or 1)


@routes.post("/practice/<int:pid>/")
@course_view()
def practice_check(cid: int, pid: int) -> WerkzeugResponse | Any:
    """Check the posted answer to one question and show why every option is right or wrong."""
    found = _own(pid)
    position = request.form.get("position", type=int)
    items = service.items(found)
    if position not in items:
        abort(400, "The form named a question that is not in this practice quiz. Reload the page.")
    problems = service.check(found, items[position], position, request.form)
    if problems:
        return _page(found, position, problems, status=400)
    go = request.form.get("go", type=int)
    target = go if go in items else position
    return redirect(url_for("quizzes.practice", cid=cid, pid=pid, q=target))
