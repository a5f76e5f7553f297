"""Deep Linking 2.0 pages on the `lti` blueprint: the instructor's picker and the signed reply."""
from typing import Any

from flask import Response, abort, g, render_template, request, url_for
from pylti1p3.exception import LtiException

from course.extensions import cache
from course.identity import instructor_view
from course.lti import claims, keys
from course.lti import deep_link as dl
from course.lti.launch import restore_launch
from course.registry import deep_link_groups
from course.routes import Routes

routes = Routes()  # added to the `lti` blueprint by course/lti/blueprint.py

USED_TTL_SECONDS = 3600
# The auto-post script is served by the tool itself because the CSP forbids inline script.


def _deep_link_launch() -> dict[str, Any]:
    """The launch behind this grant, checked to be a deep-linking request for this course."""
    try:
        body = restore_launch(g.launch_id).launch_body() if g.launch_id else None
    except LtiException:
        body = None
    if not body:
        abort(400, "This deep-linking request has expired. Start again from the platform's "
                   "'add content' button.")
    reg = g.context.registration
    same_course = str((body.get(claims.CONTEXT) or {}).get("id", "")) == g.context.context_id
    same_platform = (body.get("iss") == reg.issuer and claims.client_id(body) == reg.client_id)
    if body.get(claims.MESSAGE_TYPE) != claims.DEEP_LINKING_REQUEST or not (
            same_course and same_platform):
        abort(400, "This page answers a deep-linking request, and your latest launch into this "
                   "course was not one. Use the platform's 'add content' button.")
    try:
        dl.check_settings(body.get(claims.DL_SETTINGS))
    except dl.DeepLinkError as exc:
        abort(400, str(exc))
    return body


@routes.route("/c/<int:cid>/deep-link", methods=["GET", "POST"])
@instructor_view
def deep_link(cid: int) -> Response | str:
    """GET: choose modules and quizzes. POST: sign the chosen items and send them back."""
    body = _deep_link_launch()
    settings = body[claims.DL_SETTINGS]
    groups = deep_link_groups()  # what each package offers: modules, then quizzes
    choices = [c for _, group in groups for c in group]
    multiple = dl.accepts_multiple(settings)
    if request.method == "GET":
        return render_template("lti/deep_link.html", groups=groups, multiple=multiple,
                               settings=settings)
    cancel = request.form.get("action") == "cancel"
    try:
        chosen = [] if cancel else dl.pick(choices, request.form.getlist("item"), multiple)
    except dl.DeepLinkError as exc:
        abort(400, str(exc))
    if not cancel and not chosen:
        abort(400, "Choose at least one module or quiz, or press Cancel.")
    # One response per request: a second submit would add the same items twice.
    if not cache.add(f"dl-used:{g.launch_id}", 1, timeout=USED_TTL_SECONDS):
        abort(400, "These items were already sent to the platform. To add more, start again "
                   "from the platform's 'add content' button.")
    return _reply(body, settings, chosen)


def _reply(body: dict[str, Any], settings: dict[str, Any], chosen: list[dl.Choice]) -> str:
    """The auto-posting form that carries the signed LtiDeepLinkingResponse to the platform."""
    launch_url = url_for("lti.launch", _external=True)
    items = [dl.content_item(c, launch_url) for c in chosen]
    reg = g.context.registration
    message = f"Added {len(items)} item(s) from the MS muscle course." if items else ""
    response = dl.response_claims(settings, reg.issuer, reg.client_id,
                                  str(body.get(claims.DEPLOYMENT_ID, "")), items, message=message)
    key = keys.signing_key()
    # The parsed key is cached per process; a PEM would be parsed (and RSA-checked) every time.
    token = dl.sign(response, key.private_key, key.kid)
    return render_template("lti/deep_link_return.html", action=settings["deep_link_return_url"],
                           fields={"JWT": token}, chosen=chosen,
                           heading="Returning to your course…", form_id="deep-link-return")
