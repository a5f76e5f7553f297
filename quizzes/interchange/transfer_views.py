"""Instructor transfer: import GIFT or Moodle XML with a per-question report; export the course or shipped bank."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, abort, current_app, g, render_template, request

from course.identity import instructor_view
from course.routes import Routes
from quizzes.authoring.forms import ImportForm
from quizzes.authoring.instructor_views import PREFIX
from quizzes.interchange.gift import DEGRADED, IMPORTED
from quizzes.interchange.qti import BANK, SHAPES
from quizzes.interchange.transfer import (
    FORMATS,
    SOURCES,
    ImportReport,
    TransferError,
    decode_upload,
    export_file,
    export_items,
    import_gift,
    quiz_settings,
)

routes = Routes()


def _transfer_page(form: ImportForm, report: ImportReport | None = None, status: int = 200) -> Any:
    """The import/export page, listing what each export format would leave out."""
    items = export_items(g.context.id)
    title = g.context.title or f"course {g.context.id}"
    exports = {fmt: export_file(fmt, items, title, context_id=g.context.id) for fmt in FORMATS}
    return render_template("quizzes/instructor/transfer.html", form=form, report=report, count=len(items),
                           exports=exports), status


@routes.get(f"{PREFIX}/transfer")
@instructor_view
def transfer(cid: int) -> Any:
    """Import a GIFT or Moodle XML file; export the course or shipped bank as GIFT, Moodle XML or QTI."""
    return _transfer_page(ImportForm())


@routes.post(f"{PREFIX}/transfer/import")
@instructor_view
def import_file(cid: int) -> Any:
    """Import an uploaded GIFT or Moodle XML file and show the per-question report; a broken file is a 400."""
    form = ImportForm()
    if not form.validate():
        return _transfer_page(form, status=400)
    try:
        report = import_gift(g.context.id, g.user.id, decode_upload(form.file.data.read()),
                             dry_run=bool(form.dry_run.data),
                             max_questions=current_app.config["GIFT_MAX_QUESTIONS"])
    except TransferError as err:
        form.file.errors = [str(err)]
        return _transfer_page(form, status=err.status)
    usable = report.count(IMPORTED) + report.count(DEGRADED)
    return _transfer_page(ImportForm(formdata=None), report, 200 if usable else 400)


@routes.get(f"{PREFIX}/transfer/export")
@instructor_view
def export(cid: int) -> Response:
    """Download the course (or shipped) bank as GIFT, Moodle XML or QTI; left-out items counted in a header."""
    fmt, source = request.args.get("format", ""), request.args.get("source", "course")
    if fmt not in FORMATS:
        abort(400, "Choose an export format: gift, moodle or qti.")
    if source not in SOURCES:
        abort(400, "Choose what to export: course or shipped.")
    if source == "shipped":
        result = export_file(fmt, export_items(None), "MS muscle course bank")
    else:
        result = export_file(fmt, export_items(g.context.id), g.context.title or f"course {g.context.id}",
                             context_id=g.context.id)
    headers: Mapping[str, str] = {"Content-Disposition": f'attachment; filename="{result.filename}"',
                                  "X-Skipped-Items": str(len(result.skipped))}
    return Response(result.data, mimetype=result.mimetype, headers=dict(headers))


@routes.get(f"{PREFIX}/transfer/export-qti")
@instructor_view
def export_qti(cid: int) -> Response:
    """Download the course bank for Canvas as a question bank or as a quiz with its settings (attempts, time)."""
    shape = request.args.get("shape", BANK)
    if shape not in SHAPES:
        abort(400, "Choose how Canvas should import the questions: bank or quiz.")
    try:
        quiz = quiz_settings(request.args.get("attempts"), request.args.get("time_limit"))
    except TransferError as err:
        abort(400, str(err))
    result = export_file("qti", export_items(g.context.id), g.context.title or f"course {g.context.id}",
                         shape=shape, quiz=quiz, context_id=g.context.id)
    name = result.filename.replace(".qti.zip", f".{shape}.qti.zip")
    return Response(result.data, mimetype=result.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Skipped-Items": str(len(result.skipped))})
