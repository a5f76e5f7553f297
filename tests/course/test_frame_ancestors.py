"""Which LMS pages may frame the tool: Canvas cloud school hosts and configured extra origins."""
import pytest

from course.config import ConfigError, build_config
from tests.conftest import build_app


def frame_ancestors(resp) -> list[str]:
    """The sources listed in a response's frame-ancestors directive."""
    policy = resp.headers["Content-Security-Policy"]
    directive = next(d for d in policy.split(";") if d.strip().startswith("frame-ancestors"))
    return directive.split()[1:]


def add_canvas(app, env: str = "prod") -> None:
    """Register Canvas cloud with the CLI preset, as an administrator would."""
    result = app.test_cli_runner().invoke(args=[
        "lti", "add-platform", "--preset", "canvas", "--canvas-env", env,
        "--client-id", "10000000000001", "--deployment-id", "1:abc"])
    assert result.exit_code == 0, result.output


def test_canvas_cloud_school_hosts_may_frame_the_tool(app):
    """Canvas shows the tool on school.instructure.com, not on its issuer or sso host."""
    add_canvas(app)
    sources = frame_ancestors(app.test_client().get("/healthz"))
    assert "https://*.instructure.com" in sources
    assert "https://canvas.instructure.com" in sources
    policy = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert "https://*.instructure.com" in form_action  # deep-linking replies post back there


def test_no_canvas_wildcard_without_a_canvas_registration(app, platform):
    """Other platforms get exactly their own origins: no instructure.com wildcard."""
    sources = frame_ancestors(app.test_client().get("/healthz"))
    assert "https://*.instructure.com" not in sources
    assert sources[0] == "'self'" and platform.issuer in sources


def test_configured_extra_origins_may_frame_the_tool(tmp_path):
    """FRAME_ANCESTORS adds a vanity domain such as canvas.school.edu."""
    app = build_app(tmp_path, FRAME_ANCESTORS=["https://canvas.school.edu"])
    assert "https://canvas.school.edu" in frame_ancestors(app.test_client().get("/healthz"))


@pytest.mark.parametrize("value", ["javascript:alert(1)", "https://a.edu;script-src *", "*"])
def test_frame_ancestors_setting_accepts_origins_only(tmp_path, value):
    """A value that could smuggle another CSP directive stops the app at startup."""
    with pytest.raises(ConfigError, match="FRAME_ANCESTORS"):
        build_config(tmp_path, {"FRAME_ANCESTORS": value})


def test_frame_ancestors_setting_is_parsed(tmp_path):
    """Several origins, space separated."""
    config = build_config(tmp_path, {"FRAME_ANCESTORS": "https://a.edu  http://b.edu:8080"})
    assert config["FRAME_ANCESTORS"] == ["https://a.edu", "http://b.edu:8080"]
