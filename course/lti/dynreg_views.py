"""LTI Dynamic Registration 1.0 on the `lti` blueprint: the one-URL page an LMS opens."""
import logging

from flask import Response, current_app, render_template, request, url_for

from course.lti import dynreg_service as service
from course.lti.dynreg import RegistrationError, ToolUrls
from course.routes import Routes

log = logging.getLogger(__name__)
routes = Routes()  # added to the `lti` blueprint by course/lti/blueprint.py
TOOL_NAME = "MS and muscles"
TOOL_DESCRIPTION = ("How multiple sclerosis affects muscles, for nursing students: modules, "
                    "NCLEX-style quizzes with grades, and patient handouts.")


def tool_urls() -> ToolUrls:
    """The tool's endpoints at the address the administrator's browser used."""
    return ToolUrls(url_for("lti.login", _external=True), url_for("lti.launch", _external=True),
                    url_for("lti.jwks", _external=True),
                    url_for("course.static", filename="logo.svg", _external=True))


def _page(status: int, **context: object) -> Response:
    """The registration page; never cached and never sent on as a referrer (it holds a token)."""
    resp = Response(render_template("lti/register.html", **context), status=status)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@routes.get("/register")
def register() -> Response:
    """Without openid_configuration: what to paste into the LMS. With it: register (DR 3.3)."""
    token = request.args.get("rt")
    config_url = request.args.get("openid_configuration")
    try:
        if config_url is None:
            link = service.open_link(token)
            return _page(200, mode="info", link=link, url=request.url)
        done = service.register(token, config_url, request.args.get("registration_token"),
                                tool_urls(), TOOL_NAME, TOOL_DESCRIPTION,
                                current_app.config["APP_ENV"] == "production")
    except RegistrationError as exc:
        log.warning("lti dynamic registration failed",
                    extra={"code": exc.code, "detail": exc.detail, "config": config_url or ""})
        return _page(exc.status, mode="error", error=exc)
    return _page(200, mode="done", done=done)
