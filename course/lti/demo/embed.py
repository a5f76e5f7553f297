"""The demo platform embeds the tool as an LMS does: its page on one site, the tool in an iframe
from another (DEMO_PLATFORM_URL, e.g. http://localhost:5000/, against the tool's own address,
e.g. http://127.0.0.1:5000/), so the tool's cookies there are third-party. It answers the LTI
Platform Storage postMessages, or acts as a platform without them (Moodle 4.5 has none).
"""
from flask import Response, current_app, request

from course.hosts import public_root
from course.lti.client_state import origin_of
from course.security import csp, platform_origins

STORAGE_TARGET = "_parent"  # the demo page itself answers lti.put_data/get_data


def demo_root() -> str:
    """The tool's address from configuration: a forged Host header once re-pointed the demo."""
    return public_root(current_app.config, request.environ)


def platform_root() -> str:
    """The demo platform's own address: DEMO_PLATFORM_URL, else the tool's (not embedded)."""
    configured = current_app.config.get("DEMO_PLATFORM_URL") or ""
    return configured.rstrip("/") + "/" if configured else demo_root()


def embedded() -> bool:
    """Whether the demo frames the tool from another site (DEMO_PLATFORM_URL is set)."""
    return bool(current_app.config.get("DEMO_PLATFORM_URL"))


def storage_target() -> str | None:
    """lti_storage_target for this launch: only when embedded and the storage switch is on."""
    return STORAGE_TARGET if embedded() and request.form.get("storage", "on") == "on" else None


def embed_context() -> dict:
    """What the demo page needs to frame the tool."""
    tool = origin_of(public_root(current_app.config, request.environ))
    return {"demo_embedded": embedded(), "demo_tool_origin": tool}


def allow_the_tool(resp: Response) -> Response:
    """Embedded, the demo pages frame the tool and post launches to it on another site."""
    if not embedded():
        return resp  # the tool is 'self': the app's policy already allows both
    tool = origin_of(public_root(current_app.config, request.environ))
    # The app's own policy (course.security), plus the tool as a frame and a form target.
    policy = csp([*platform_origins(), *current_app.config.get("FRAME_ANCESTORS", [])])
    policy = policy.replace("default-src 'self';", f"default-src 'self'; frame-src 'self' {tool};")
    resp.headers["Content-Security-Policy"] = policy.replace("form-action ", f"form-action {tool} ")
    return resp
