"""Administrator tools: CLI registration presets, key rotation, JWKS, health, config safety."""
from pathlib import Path

import pytest
from sqlalchemy import select

from course.config import ConfigError, build_config
from course.db import db
from course.models import Registration
from tests.conftest import launch_as


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_add_platform_is_idempotent_and_adds_deployments(app):
    args = ["lti", "add-platform", "--issuer", "https://lms.test", "--client-id", "c1",
            "--auth-url", "https://lms.test/auth", "--token-url", "https://lms.test/token",
            "--jwks-url", "https://lms.test/jwks", "--deployment-id", "d1"]
    assert _run(app, *args).exit_code == 0
    again = _run(app, *args[:-1], "d2", "--deployment-id", "d3")
    assert again.exit_code == 0 and "added 2" in again.output
    with app.app_context():
        regs = db.session.scalars(select(Registration)).all()
        assert len(regs) == 1
        assert sorted(d.deployment_id for d in regs[0].deployments) == ["d1", "d2", "d3"]


def test_moodle_preset_fills_standard_urls(app):
    out = _run(app, "lti", "add-platform", "--preset", "moodle", "--base-url",
               "https://moodle.school.edu/", "--client-id", "abc", "--deployment-id", "1")
    assert out.exit_code == 0, out.output
    listing = _run(app, "lti", "list-platforms").output
    assert "https://moodle.school.edu/mod/lti/auth.php" in listing
    assert "https://moodle.school.edu/mod/lti/certs.php" in listing
    assert "https://moodle.school.edu/mod/lti/token.php" in listing


def test_canvas_preset_uses_sso_endpoints(app):
    out = _run(app, "lti", "add-platform", "--preset", "canvas", "--client-id", "1000001",
               "--deployment-id", "7:abc")
    assert out.exit_code == 0, out.output
    listing = _run(app, "lti", "list-platforms").output
    assert "https://canvas.instructure.com" in listing
    assert "https://sso.canvaslms.com/api/lti/authorize_redirect" in listing
    assert "https://sso.canvaslms.com/api/lti/security/jwks" in listing


def test_add_platform_without_urls_is_a_usage_error(app):
    out = _run(app, "lti", "add-platform", "--client-id", "x")
    assert out.exit_code == 2 and "--issuer" in out.output


def test_rotate_key_publishes_old_and_new(app, client):
    first = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["kid"]
    assert _run(app, "lti", "rotate-key").exit_code == 0
    second = client.get("/lti/jwks").get_json()["keys"]
    assert [k["kid"] for k in second][1] == first[0]["kid"] and len(second) == 2
    _run(app, "lti", "rotate-key")
    third = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert first[0]["kid"] not in third and len(third) == 2


def test_launch_still_works_after_rotation(app, client, platform):
    _run(app, "lti", "rotate-key")
    assert launch_as(client, platform, "learner") > 0


def test_healthz_reports_database_and_cache(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_production_refuses_demo_platform(tmp_path):
    env = {"APP_ENV": "production", "SECRET_KEY": "x" * 32, "DEMO_PLATFORM": "1"}
    with pytest.raises(ConfigError, match="DEMO_PLATFORM"):
        build_config(Path(tmp_path), env)


def test_production_requires_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build_config(Path(tmp_path), {"APP_ENV": "production"})


def test_production_cookies_are_iframe_ready(tmp_path):
    config = build_config(Path(tmp_path), {"APP_ENV": "production", "SECRET_KEY": "s" * 32,
                                           "TRUSTED_HOSTS": "course.example.edu"})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_PARTITIONED"]
    assert config["SESSION_COOKIE_SAMESITE"] == "None"


def test_development_secret_is_generated_once(tmp_path):
    first = build_config(Path(tmp_path), {})["SECRET_KEY"]
    assert first == build_config(Path(tmp_path), {})["SECRET_KEY"] and len(first) >= 32


def test_redis_url_selects_redis_cache(tmp_path):
    config = build_config(Path(tmp_path), {"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert config["CACHE_TYPE"] == "RedisCache"


def test_security_headers(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_frame_ancestors_lists_registered_platform(client, platform):
    client.get("/lti/jwks")  # any response; origins cache was reset by registration
    assert "https://platform.test" in client.get("/").headers["Content-Security-Policy"]


def test_unknown_page_is_a_friendly_404(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)


def test_base_stylesheet_and_script_are_served(client):
    html = client.get("/").get_data(as_text=True)
    for path in ("/static/course/app.css", "/static/course/frame.js"):
        assert path in html
        assert client.get(path).status_code == 200, path
