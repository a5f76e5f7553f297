"""Instructor Accommodations page: overrides and groups with add/edit/remove, CSV, the audit trail."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from course.audit import MAX_EVENTS, trail
from course.db import db
from course.identity import instructor_view
from course.lti.groups import GroupsError
from course.routes import Routes
from quizzes.accommodations import csv_io, platform_groups, queries, service
from quizzes.accommodations.forms import CsvImportForm, GroupForm, OverrideForm
from quizzes.accommodations.models import PLATFORM, LearnerGroup, QuizOverride
from quizzes.authoring.forms import choices
from quizzes.models import Quiz

routes = Routes()
PAGE = "/instructor/accommodations"
TRAIL_ON_PAGE = 20


def _quizzes() -> list[Quiz]:
    """The course's quizzes in course order (read only: no copying of shipped quizzes here)."""
    return list(db.session.scalars(select(Quiz).where(Quiz.context_id == g.context.id)
                                   .order_by(Quiz.position, Quiz.id)))


def _override_form(row: QuizOverride | None = None, formdata: Any = "auto") -> OverrideForm:
    """The override form with this course's learners, groups and quizzes as choices."""
    form = OverrideForm() if formdata == "auto" else OverrideForm(formdata=formdata)
    learners = queries.course_learners(g.context.id)
    groups = queries.course_groups(g.context.id)
    form.who.choices = choices([("", "Choose…")] + [(f"u{p.user_id}", f"{p.name} ({p.sub})")
                                                    for p in learners]
                               + [(f"g{grp.id}", f"Group: {grp.name}") for grp in groups])
    form.quiz.choices = choices([("", "Every quiz in the course")]
                                + [(str(q.id), q.title) for q in _quizzes()])
    if row is not None and formdata is None:
        form.load(row)
    return form


def _group_form(group: LearnerGroup | None = None, formdata: Any = "auto") -> GroupForm:
    """The group form with this course's learners as check boxes."""
    form = GroupForm() if formdata == "auto" else GroupForm(formdata=formdata)
    form.members.choices = choices((p.user_id, f"{p.name} ({p.sub})")
                                   for p in queries.course_learners(g.context.id))
    if group is not None and formdata is None:
        form.name.data, form.members.data = group.name, [m.user_id for m in group.members]
    return form


def _page(status: int = 200, **forms: Any) -> tuple[str, int]:
    """The Accommodations page with whichever forms are being shown again."""
    users = {p.user_id: p for p in queries.course_learners(g.context.id)}
    return render_template(
        "quizzes/instructor/accommodations.html", rows=queries.course_overrides(g.context.id),
        users=users, quizzes={q.id: q for q in _quizzes()}, groups=queries.course_groups(g.context.id),
        form=forms.get("form") or _override_form(formdata=None),
        group_form=forms.get("group_form") or _group_form(formdata=None),
        import_form=forms.get("import_form") or CsvImportForm(formdata=None),
        report=forms.get("report"), trail=trail(g.context.id, limit=TRAIL_ON_PAGE),
        report_summary=csv_io.csv_report_summary(forms["report"]) if forms.get("report") else "",
        error=forms.get("error"), lms_groups=bool(g.context.groups_url or g.context.memberships_url),
        no_groups=platform_groups.NO_GROUPS), status


def _input(form: OverrideForm) -> service.OverrideInput:
    """The posted subject, quiz and rule (the choices were checked by the form)."""
    who = form.who.data or ""
    ident = int(who[1:])
    quiz = int(form.quiz.data) if form.quiz.data else None
    return service.OverrideInput(quiz, ident if who[0] == "u" else None,
                                 ident if who[0] == "g" else None, form.rule(), form.note.data or "")


@routes.get(PAGE)
@instructor_view
def accommodations(cid: int) -> Any:
    """Every override in the course, the groups, the CSV round trip and the latest changes."""
    return _page()


@routes.post(PAGE)
@instructor_view
def add_override(cid: int) -> Any:
    """Add an override; errors are shown next to the fields (400)."""
    form = _override_form()
    if not form.validate():
        return _page(400, form=form)
    try:
        service.save_override(g.context.id, g.user.id, _input(form))
    except service.OverrideError as err:
        form.who.errors = [err.message]
        return _page(400, form=form)
    flash("Override added.", "success")
    return redirect(url_for("quizzes.accommodations", cid=cid))


def _override_or_404(oid: int) -> QuizOverride:
    """An override of this course, or 404."""
    row = queries.find_override(g.context.id, oid)
    if row is None:
        abort(404, "There is no such override in this course.")
    return row


def _posted() -> bool:
    """Whether this request posts a form."""
    return request.method == "POST"


@routes.route(f"{PAGE}/<int:oid>/edit", methods=["GET", "POST"])
@instructor_view
def edit_override(cid: int, oid: int) -> Any:
    """Change an override."""
    row = _override_or_404(oid)
    form = _override_form(row, formdata="auto" if _posted() else None)
    status = 200
    if _posted():
        if form.validate():
            try:
                service.save_override(g.context.id, g.user.id, _input(form), row)
                flash("Override saved.", "success")
                return redirect(url_for("quizzes.accommodations", cid=cid))
            except service.OverrideError as err:
                form.who.errors = [err.message]
        status = 400
    return render_template("quizzes/instructor/accommodation_edit.html", form=form, row=row), status


@routes.post(f"{PAGE}/<int:oid>/remove")
@instructor_view
def remove_override(cid: int, oid: int) -> WerkzeugResponse:
    """Remove an override."""
    service.delete_override(g.context.id, g.user.id, _override_or_404(oid))
    flash("Override removed.", "success")
    return redirect(url_for("quizzes.accommodations", cid=cid))


@routes.get(f"{PAGE}/export.csv")
@instructor_view
def accommodations_csv(cid: int) -> Response:
    """Every override as CSV, keyed by the learner's LMS id."""
    return Response(csv_io.export_csv(g.context.id), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="accommodations-{cid}.csv"'})


@routes.post(f"{PAGE}/import")
@instructor_view
def import_accommodations(cid: int) -> Any:
    """Import a CSV: a line-numbered report; nothing is saved on any error or on a dry run."""
    form = CsvImportForm()
    if not form.validate():
        return _page(400, import_form=form)
    try:
        report = csv_io.import_csv(g.context.id, g.user.id, csv_io.decode(form.file.data.read()),
                                   dry_run=bool(form.dry_run.data))
    except csv_io.CsvError as err:
        form.file.errors = [err.message]
        return _page(400, import_form=form)
    return _page(400 if report.errors else 200, report=report,
                 import_form=CsvImportForm(formdata=None))


@routes.post(f"{PAGE}/groups")
@instructor_view
def add_group(cid: int) -> Any:
    """Create a learner group."""
    form = _group_form()
    if not form.validate():
        return _page(400, group_form=form)
    try:
        service.save_group(g.context.id, g.user.id, form.name.data or "", form.members.data or [])
    except service.OverrideError as err:
        form.name.errors = [err.message]
        return _page(400, group_form=form)
    flash("Group created. Add an override for it above.", "success")
    return redirect(url_for("quizzes.accommodations", cid=cid))


def _group_or_404(gid: int) -> LearnerGroup:
    """A group of this course, or 404."""
    group = queries.find_group(g.context.id, gid)
    if group is None:
        abort(404, "There is no such group in this course.")
    return group


@routes.post(f"{PAGE}/groups/sync")
@instructor_view
def sync_lms_groups(cid: int) -> WerkzeugResponse:
    """Read the LMS's groups into LMS groups here; a platform failure changes nothing."""
    try:
        flash(platform_groups.sync_groups(g.context, g.user.id).summary, "success")
    except GroupsError as err:
        db.session.rollback()
        flash(err.message if err.offered else platform_groups.NO_GROUPS,
              "error" if err.offered else "info")
    return redirect(url_for("quizzes.accommodations", cid=cid))


@routes.route(f"{PAGE}/groups/<int:gid>/edit", methods=["GET", "POST"])
@instructor_view
def edit_group(cid: int, gid: int) -> Any:
    """Rename a group or change who is in it (groups from the LMS change only in the LMS)."""
    group = _group_or_404(gid)
    if group.source == PLATFORM:
        abort(400, "This group comes from your LMS: change it there, then sync the groups again.")
    form = _group_form(group, formdata="auto" if _posted() else None)
    status = 200
    if _posted():
        if form.validate():
            try:
                service.save_group(g.context.id, g.user.id, form.name.data or "",
                                   form.members.data or [], group)
                flash("Group saved.", "success")
                return redirect(url_for("quizzes.accommodations", cid=cid))
            except service.OverrideError as err:
                form.name.errors = [err.message]
        status = 400
    return render_template("quizzes/instructor/accommodation_group.html", form=form,
                           group=group), status


@routes.post(f"{PAGE}/groups/<int:gid>/remove")
@instructor_view
def remove_group(cid: int, gid: int) -> WerkzeugResponse:
    """Remove a group and its overrides."""
    service.delete_group(g.context.id, g.user.id, _group_or_404(gid))
    flash("Group and its overrides removed.", "success")
    return redirect(url_for("quizzes.accommodations", cid=cid))


@routes.get("/instructor/audit")
@instructor_view
def audit_trail(cid: int) -> str:
    """The course's audit trail: every recorded change, newest first."""
    return render_template("quizzes/instructor/audit.html", events=trail(g.context.id),
                           limit=MAX_EVENTS)
