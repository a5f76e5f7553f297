"""The course images page (upload, alt text, delete) and the course-scoped image URL."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from course.identity import course_view, instructor_view
from course.routes import Routes
from course.security import framing_origins
from exports.imagelimits import MAX_IMAGE_BYTES
from quizzes.media.forms import AltForm, ImageUploadForm
from quizzes.media.images import EXTENSIONS, ImageRefused
from quizzes.media.refs import reference
from quizzes.media.service import (
    course_images,
    delete_image,
    get_image,
    save_image,
    update_alt,
)

routes = Routes()

PREFIX = "/instructor/images"
_FILENAME = re.compile(r"^(\d{1,9})-([0-9a-f]{16})\.(png|jpg|svg)$")
# An image is never scripted: a directly opened SVG runs nothing and loads nothing.
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
ONE_YEAR = 365 * 24 * 3600


@routes.route(PREFIX, methods=["GET", "POST"])
@instructor_view
def images(cid: int) -> Any:
    """The course's images with their references to paste, and the upload form."""
    form = ImageUploadForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            upload = form.image.data
            # One byte over the limit is enough to refuse; never read more than that.
            data = upload.read(MAX_IMAGE_BYTES + 1) if upload else b""
            try:
                image = save_image(g.context.id, g.user.id, data, getattr(upload, "filename", "") or "",
                                   form.alt.data or "", bool(form.decorative.data))
            except ImageRefused as exc:
                (form.image if "alt text" not in str(exc) else form.alt).errors = [str(exc)]
                status = exc.status
            else:
                flash(f"Image uploaded. Paste {reference(image.id, image.alt)} into a stem, "
                      "an option or a chart tab.", "success")
                return redirect(url_for("quizzes.images", cid=cid))
    page = render_template("quizzes/instructor/images.html", form=form, images=course_images(g.context.id),
                           alt_form=AltForm(formdata=None))
    return page, status


@routes.post(f"{PREFIX}/<int:image_id>")
@instructor_view
def change_image(cid: int, image_id: int) -> WerkzeugResponse:
    """Save an image's alt text and decorative switch, or delete the image."""
    form = AltForm()
    if not form.validate_on_submit():
        abort(400, "Keep the alt text under 500 characters.")
    if request.form.get("action") == "delete":
        if not delete_image(g.context.id, image_id):
            abort(404)
        flash("Image deleted. Questions that named it now show \u201c[image not available]\u201d.", "success")
        return redirect(url_for("quizzes.images", cid=cid))
    try:
        found = update_alt(g.context.id, image_id, form.alt.data or "", bool(form.decorative.data))
    except ImageRefused as exc:
        abort(400, str(exc))
    if not found:
        abort(404)
    flash("Alt text saved.", "success")
    return redirect(url_for("quizzes.images", cid=cid) + f"#image-{image_id}")


@routes.get("/images/<filename>")
@course_view()
def course_image(cid: int, filename: str) -> WerkzeugResponse:
    """One image of this course: cacheable for ever (its hash is in the URL), never sniffed or run."""
    match = _FILENAME.match(filename)
    image = get_image(g.context.id, int(match.group(1))) if match else None
    if image is None or match is None or not image.sha256.startswith(match.group(2)) \
            or EXTENSIONS.get(image.mime) != match.group(3):
        abort(404)
    resp = Response(image.data, mimetype=image.mime)
    resp.headers["Cache-Control"] = f"private, max-age={ONE_YEAR}, immutable"
    # Its own policy (sandboxed, nothing loads), with the app's framing and object rules kept.
    ancestors = " ".join(["'self'", *framing_origins()])
    resp.headers["Content-Security-Policy"] = f"{IMAGE_CSP}; object-src 'none'; frame-ancestors {ancestors}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Disposition"] = f'inline; filename="{image.name}"'
    resp.set_etag(image.sha256)
    return resp.make_conditional(request)
