"""Learner attempt pages: answer (with autosave), finish, submit and review. Routes on quizzes.bp."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.db import db, utcnow
from course.identity import course_view
from course.numbers import whole_number
from course.routes import Routes
from quizzes import grading
from quizzes.bank_loader import get_bank
from quizzes.corrections.service import overrides_of
from quizzes.models import SUBMITTED, TUTOR, Attempt, QuestionVersion, Quiz, aware
from quizzes.taking.attempt_layout import responses_and_marks, saved_responses, versions_for
from quizzes.taking.attempts import (
    AttemptClosed,
    AttemptError,
    AttemptNotFound,
    SaveOutcome,
    save_answers,
    submit_attempt,
)
from quizzes.taking.page_read import AttemptPage, ShownAttempt, own_attempt_page
from quizzes.taking.pages import answered, case_view, question_view, review_view
from quizzes.taking.progress import MAX_POSITIONS, own_attempt, quiz_status
from quizzes.tutor import marks

routes = Routes()


def _own(aid: int) -> Attempt:
    """This learner's attempt in this course, else 404 (never reveal other people's attempts)."""
    attempt = own_attempt(g.context.id, g.user.id, aid)
    if attempt is None:
        abort(404)
    return attempt


TIME_UP = "Time is up. Your attempt was submitted with the answers saved before the deadline."


def _overdue(attempt: Attempt | ShownAttempt) -> bool:
    """An open attempt whose time is up (read only: a GET never submits it)."""
    return attempt.state != SUBMITTED and grading.overdue(aware(attempt.deadline_at), utcnow())


def _time_up(attempt: Attempt | ShownAttempt) -> Any:
    """The page for an overdue attempt: a POST submits it, or the worker does soon after."""
    quiz = db.session.get(Quiz, attempt.quiz_id)
    return render_template("quizzes/time_up.html", attempt=attempt, quiz=quiz)


def _positions(form: Any) -> list[int]:
    """The positions the posted page showed; 400 for anything but small whole numbers."""
    raw = form.getlist("positions")
    if not raw or len(raw) > MAX_POSITIONS:
        abort(400, "The form did not say which questions it holds. Reload the page.")
    found = [n for v in raw if (n := whole_number(v, 1, MAX_POSITIONS)) is not None]
    if len(found) != len(raw):
        abort(400, "The form named a question that does not exist. Reload the page.")
    return found


def _page(attempt: Attempt | ShownAttempt, number: int, unsaved: dict[int, dict] | None = None,
          problems: dict[int, list[str]] | None = None, status: int = 200,
          read: AttemptPage | None = None) -> Any:
    """Render question ``number`` with its saved or rejected answer (``read``: the GET's read)."""
    layout = attempt.layout
    shown = read.version if read is not None else None
    number = min(max(1, number), len(layout))
    slot = layout[number - 1]
    # Only the question shown: loading every version's JSON was a third of this page's SQL time.
    version = shown if shown is not None and shown.id == slot["question_version_id"] else (
        db.session.get(QuestionVersion, slot["question_version_id"]))
    if version is None:  # a version deleted since the attempt began: a 404, not a 500
        abort(404)
    rows: Mapping[int, Any]
    marked: Mapping[int, Any]
    if read is not None and read.answers is not None and read.marks is not None:
        rows, marked = read.answers, read.marks  # gathered with the attempt (PostgreSQL)
    else:
        rows, marked = responses_and_marks(attempt.id)
    saved = (unsaved or {}).get(number)
    if saved is None and number in rows:
        saved = rows[number].response
    question = question_view(version.data, attempt.seed, number, saved)
    nav = [{"n": e["position"], "answered": e["position"] in rows and
            answered(rows[e["position"]].response),
            "flagged": e["position"] in marked and marked[e["position"]].flagged} for e in layout]
    quiz = read.quiz if read is not None else db.session.get_one(Quiz, attempt.quiz_id)
    mark = marked.get(number)
    checked = None  # tutor mode: a checked answer shows its feedback and stays locked
    if quiz.mode == TUTOR and mark is not None and mark.checked_at is not None:
        checked = marks.feedback(version.data, number, rows[number].response if number in rows else None)
    seconds = grading.seconds_left(aware(attempt.deadline_at), utcnow())
    html = render_template(
        "quizzes/attempt.html", attempt=attempt, quiz=quiz, q=question, nav=nav,
        total=len(layout), case=case_view(get_bank(), slot.get("case_study_id"), slot.get("stage")),
        problems=(problems or {}).get(number, []), seconds_left=seconds,
        deadline=aware(attempt.deadline_at), tutor=quiz.mode == TUTOR, checked=checked,
        flagged=mark is not None and mark.flagged)
    return html, status


@routes.get("/attempts/<int:aid>/")
@course_view()
def attempt(cid: int, aid: int) -> Any:
    """Show one question of an open attempt (?q=N); submitted attempts go to their review."""
    number = request.args.get("q", 1, type=int) or 1
    read = own_attempt_page(cid, g.user.id, aid, number) or abort(404)
    found = read.attempt
    if found.state == SUBMITTED:
        return redirect(url_for("quizzes.review", cid=cid, aid=aid))
    if _overdue(found):
        return _time_up(found)
    return _page(found, number, read=read)


@routes.post("/attempts/<int:aid>/")
@course_view()
def attempt_save(cid: int, aid: int) -> Any:
    """Save the posted answers (the no-JS path), then go where the pressed button said."""
    found = _own(aid)
    if found.state == SUBMITTED:
        flash("This attempt was already submitted.", "warning")
        return redirect(url_for("quizzes.review", cid=cid, aid=aid))
    positions = _positions(request.form)
    outcome = _save(found, positions)
    if outcome.submitted:
        flash(TIME_UP, "warning")
        return redirect(url_for("quizzes.review", cid=cid, aid=aid))
    if outcome.problems:
        return _page(found, positions[0], outcome.unsaved, outcome.problems, status=400)
    go = request.form.get("go", "save")
    if go == "check":
        _check(found, positions[0])
        return redirect(url_for("quizzes.attempt", cid=cid, aid=aid, q=positions[0]))
    if go == "finish":
        return redirect(url_for("quizzes.finish", cid=cid, aid=aid))
    target = whole_number(go, 1, MAX_POSITIONS) or positions[0]
    if go == "save":
        flash("Your answers are saved.", "success")
    return redirect(url_for("quizzes.attempt", cid=cid, aid=aid, q=target))


def _save(found: Attempt, positions: list[int]) -> SaveOutcome:
    """Save the answers (not those checked in tutor mode: they are locked) and the flags, or 400/409."""
    locked = marks.checked(found.id)
    try:
        outcome = save_answers(found, request.form, [p for p in positions if p not in locked])
    except AttemptError as exc:
        db.session.rollback()
        abort(409 if isinstance(exc, AttemptClosed) else 400, exc.message)
    if not outcome.submitted:
        marks.save_flags(found, marks.shown_flags(request.form, positions))
    return outcome


def _check(found: Attempt, position: int) -> None:
    """Tutor mode: lock and check one answer, or 400 with the reason."""
    try:
        marks.check(found, db.session.get_one(Quiz, found.quiz_id), position)
    except marks.MarkError as exc:
        db.session.rollback()
        abort(400, str(exc))


@routes.post("/attempts/<int:aid>/autosave")
@course_view()
def autosave(cid: int, aid: int) -> Any:
    """attempt.js posts the page's answers here after each change and when the tab hides."""
    found = _own(aid)
    review_url = url_for("quizzes.review", cid=cid, aid=aid)
    if found.state == SUBMITTED:
        return jsonify({"state": SUBMITTED, "review_url": review_url,
                        "message": "This attempt was already submitted."}), 409
    outcome = _save(found, _positions(request.form))
    return jsonify({
        "state": SUBMITTED if outcome.submitted else found.state,
        "saved": outcome.saved, "problems": {str(k): v for k, v in outcome.problems.items()},
        "saved_at": utcnow().isoformat(timespec="seconds"), "review_url": review_url,
    }), (400 if outcome.problems else 200)


@routes.get("/attempts/<int:aid>/finish")
@course_view()
def finish(cid: int, aid: int) -> Any:
    """Summary before submitting: which questions still have no answer."""
    found = _own(aid)
    if found.state == SUBMITTED:
        return redirect(url_for("quizzes.review", cid=cid, aid=aid))
    if _overdue(found):
        return _time_up(found)
    rows = saved_responses(found)
    missing = [e["position"] for e in found.layout
               if not (e["position"] in rows and answered(rows[e["position"]].response))]
    quiz = db.session.get(Quiz, found.quiz_id)
    return render_template("quizzes/finish.html", attempt=found, quiz=quiz, missing=missing,
                           total=len(found.layout),
                           seconds_left=grading.seconds_left(aware(found.deadline_at), utcnow()))


@routes.post("/attempts/<int:aid>/submit")
@course_view()
def submit(cid: int, aid: int) -> WerkzeugResponse:
    """Submit once; a repeat (double click, second tab, retry) lands on the same review."""
    try:
        # The claim checks the owner itself, so the attempt is not selected first.
        done, now = submit_attempt(aid, owner=(g.context.id, g.user.id))
    except AttemptNotFound:
        abort(404)
    submitted, deadline = aware(done.submitted_at), aware(done.deadline_at)
    if now and submitted is not None and deadline is not None and submitted >= deadline:
        flash(TIME_UP, "warning")  # the deadline passed first: only answers saved by then count
    return redirect(url_for("quizzes.review", cid=cid, aid=aid))


@routes.get("/attempts/<int:aid>/review")
@course_view()
def review(cid: int, aid: int) -> Any:
    """Results of a submitted attempt, as much as the quiz's review setting allows."""
    found = _own(aid)
    if _overdue(found):
        return _time_up(found)
    if found.state != SUBMITTED:
        return redirect(url_for("quizzes.attempt", cid=cid, aid=aid))
    quiz = db.session.get_one(Quiz, found.quiz_id)
    status = quiz_status(quiz, g.user.id)
    seen = status.visibility(found)
    versions, rows = versions_for(found), saved_responses(found)
    items = []
    for entry in found.layout:
        pos = entry["position"]
        row = rows.get(pos)
        items.append(review_view(versions[pos].data, pos, row.parts if row else None,
                                 row.points if row else 0.0, row.max_points if row else None,
                                 seen.correctness, seen.rationales, every_option=quiz.mode == TUTOR,
                                 response=row.response if row else None))
    return render_template("quizzes/review.html", attempt=found, quiz=quiz, status=status,
                           seen=seen, items=items, notes=overrides_of(found.id), flagged=marks.flagged(found.id),
                           passed=grading.passed(found.score, quiz.pass_mark))
