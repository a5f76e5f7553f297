"""Handout pages: browse and read handouts, print PDFs, and edit the course's clinic profile."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from course.home import NavItem, Panel, add_nav, add_panel
from course.identity import course_view, instructor_view, is_instructor
from course.models import Context, User
from course.registry import add_content_check
from course.roles import INSTRUCTOR
from exports.cli import handouts_cli
from exports.content import Handout, get_handout, get_handouts
from exports.forms import ClinicForm, PrintForm
from exports.handout_checks import content_check as handout_content_check
from exports.languages import CHOICES, LANG_NAMES, choice_langs, long_date, review_line
from exports.logo import MAX_LOGO_BYTES, LogoError
from exports.readability import content_check
from exports.render import PAPERS, RenderOptions, handout_context
from exports.services import clinic_profile, clinic_values, handout_pdf, save_clinic_profile
from exports.translations import content_check as translation_check

bp = Blueprint("exports", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/exports")
PREFIX = "/c/<int:cid>/handouts"


def setup(app: Flask) -> None:
    """Hook the handouts into the course: navigation, home panel, content check, `flask handouts`."""
    add_nav(app, NavItem("Handouts", "exports.index", order=60))
    add_panel(app, _home_panel)
    add_content_check(app, content_check)
    add_content_check(app, handout_content_check)  # PEMAT-P, phone slots, box wording
    add_content_check(app, translation_check)  # Spanish versions against the English
    app.cli.add_command(handouts_cli)


@bp.get(f"{PREFIX}/")
@course_view()
def index(cid: int) -> str:
    """Every handout with its main message, and the form to print one or a packet."""
    return _index_page(_print_form())


@bp.post(f"{PREFIX}/print")
@course_view()
def print_pdf(cid: int) -> Response | tuple[str, int]:
    """Validate the print form and send the PDF (one handout, or a packet of several)."""
    form = _print_form()
    if not form.validate_on_submit():
        return _index_page(form), 400
    slugs = list(form.slugs.data or [])
    missing = [s for lang in choice_langs(form.lang.data) for s in slugs if not _has(s, lang)]
    if missing:
        form.lang.errors = [f"No Spanish version yet of: {', '.join(missing)}."]
        return _index_page(form), 400
    options = RenderOptions(paper=form.paper.data, large_print=form.large_print.data,
                            notes=form.notes.data or "", lang=form.lang.data)
    return _pdf_response(cid, slugs, options)


@bp.get(f"{PREFIX}/<slug>.pdf")
@course_view()
def handout_pdf_quick(cid: int, slug: str) -> Response:
    """One handout as a PDF from a plain link: ?paper=letter|a4&large=1&lang=en|es|en+es."""
    paper, lang = request.args.get("paper", "letter"), request.args.get("lang", "en")
    if paper not in PAPERS or lang not in CHOICES:
        abort(400)
    for one in CHOICES[lang]:
        _handout_or_404(slug, one)
    return _pdf_response(cid, [slug], RenderOptions(
        paper=paper, large_print=request.args.get("large") == "1", lang=lang))


@bp.get(f"{PREFIX}/<slug>")
@course_view()
def read(cid: int, slug: str) -> str:
    """A handout as a web page (?lang=es for Spanish), with the same content as the PDF."""
    lang = request.args.get("lang", "en")
    if lang not in LANG_NAMES:
        abort(400)
    handout = _handout_or_404(slug, lang)
    clinic = clinic_values(cid)
    context = handout_context(handout, clinic, RenderOptions())
    others = [(code, name) for code, name in LANG_NAMES.items()
              if code != lang and _has(slug, code)]
    return render_template("exports/handout.html", h=context, clinic=clinic, packet=False,
                           notes="", others=others,
                           asset_base=url_for("exports.static", filename="exports/"))


@bp.route(f"{PREFIX}/clinic", methods=["GET", "POST"])
@instructor_view
def clinic(cid: int) -> ResponseReturnValue:
    """Instructors set the clinic name, contact details and logo printed on handouts."""
    profile = clinic_profile(cid)
    form = ClinicForm(obj=profile)
    if form.validate_on_submit():
        upload = form.logo.data
        # One byte over the limit is enough to refuse; never read more than that.
        logo = upload.read(MAX_LOGO_BYTES + 1) if upload else None
        values = {k: form[k].data or "" for k in ("name", "department", "phone", "address",
                                                   "website")}
        try:
            save_clinic_profile(cid, values, logo or None, form.remove_logo.data)
        except LogoError as exc:
            form.logo.errors = [str(exc)]
        else:
            flash("Clinic details saved. New handouts will use them.", "success")
            return redirect(url_for("exports.clinic", cid=cid))
    page = render_template("exports/clinic.html", form=form, clinic=clinic_values(cid))
    return page, 400 if request.method == "POST" else 200


def _print_form() -> PrintForm:
    """The print form with the shipped handouts as choices."""
    return PrintForm().set_handouts([(h.slug, h.title) for h in get_handouts()])


def _index_page(form: PrintForm) -> str:
    """Render the handout list and print form."""
    spanish = {h.slug: h for h in get_handouts("es")}
    handouts = [{"slug": h.slug, "title": h.title, "main_message": h.main_message,
                 "reviewed": long_date(h.reviewed, "en"), "es": _translation(spanish.get(h.slug))}
                for h in get_handouts()]
    return render_template("exports/index.html", handouts=handouts, form=form,
                           clinic=clinic_values(g.context.id), can_edit=is_instructor())


def _pdf_response(cid: int, slugs: list[str], options: RenderOptions) -> Response:
    """Send PDF bytes as a download named after the handout or the packet."""
    data, _hit = handout_pdf(current_app.instance_path, cid, slugs, options)
    name = f"{slugs[0]}.pdf" if len(slugs) == 1 else "ms-handouts.pdf"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def _handout_or_404(slug: str, lang: str = "en") -> Any:
    """The handout with this slug in this language, or a 404 page."""
    try:
        return get_handout(slug, lang=lang)
    except KeyError:
        abort(404)


def _has(slug: str, lang: str) -> bool:
    """Whether the handout exists in this language."""
    return any(h.slug == slug for h in get_handouts(lang))


def _translation(handout: Handout | None) -> dict[str, str] | None:
    """Title and clinic-only review line of a handout's Spanish version, if there is one."""
    if handout is None:
        return None
    return {"title": handout.title,
            "review_note": review_line(handout.lang, handout.review_status, handout.reviewed_by)}


def _home_panel(ctx: Context, user: User, role: str) -> Panel:
    """The course-home card that links to the handouts."""
    return Panel("exports/_panel.html",
                 {"count": len(get_handouts()), "cid": ctx.id, "staff": role == INSTRUCTOR},
                 order=60)
