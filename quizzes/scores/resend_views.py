"""Instructor Resend buttons in the gradebook: one learner, one quiz, or everything not arrived."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from werkzeug.wrappers import Response

from course.db import utcnow
from course.identity import instructor_view
from course.numbers import whole_number
from course.routes import Routes
from quizzes.authoring.instructor_views import PREFIX
from quizzes.scores import resend

routes = Routes()

MAX_ID = 2**31 - 1  # the id columns' range on PostgreSQL


def _form_id(name: str) -> int | None:
    """An optional id from the form; anything but a small whole number is a bad request."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    found = whole_number(raw, 0, MAX_ID)  # str.isdigit() accepts "²", which int() refuses
    if found is None:
        abort(400, f"'{name}' must be a whole number.")
    return found


@routes.post(f"{PREFIX}/gradebook/resend")
@instructor_view
def gradebook_resend(cid: int) -> Response:
    """Queue again the newest score of the chosen learner / quiz / everyone, if not arrived."""
    items = resend.unsent(g.context.id, user_id=_form_id("learner"), quiz_id=_form_id("quiz"))
    queued = resend.resend(items, utcnow())
    if queued:
        flash(f"{queued} score(s) queued to be sent again to the LMS; they keep their original "
              "time, so the LMS cannot count them twice.", "success")
    else:
        flash("Nothing to resend: those scores have all reached the LMS.", "info")
    return redirect(url_for("quizzes.gradebook", cid=cid))
