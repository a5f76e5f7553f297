"""The MS muscle course: an LTI 1.3 tool. `create_app` builds the Flask application."""
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from course import connections
from course.config import build_config
from course.db import db
from course.extensions import cache, csrf, migrate
from course.numbers import IdConverter

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory (the Flask tutorial's shape): config, extensions, blueprints."""
    instance = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(build_config(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        # Flask documents wrapping its WSGI app by assignment; mypy sees a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = connections.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    db.init_app(app)
    with app.app_context():
        connections.install(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    cache.init_app(app)
    csrf.init_app(app)
    # Before any blueprint: every `<int:...>` rule, the packages' too, gets the bounded converter.
    app.url_map.converters["int"] = IdConverter
    _register_blueprints(app)
    from course import (
        cli,
        cookieless,
        csrf_tokens,
        errors,
        limits,
        logs,
        security,
        session_cookie,
        urls,
    )
    session_cookie.register(app)  # the signed cookie session, its serializer built once
    csrf_tokens.register(app)  # templates' CSRF token, flask_wtf's with its serializer kept
    cookieless.register(app)  # the session token for browsers that block the tool's cookies
    urls.register(app)  # after every URL hook: templates' links are remembered
    errors.register(app)
    limits.register(app)  # after the blueprints: it wraps their views by endpoint name
    security.register(app)
    logs.register(app)
    cli.register(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """One blueprint per package, registered here and nowhere else; then each package's setup."""
    from course.lti.blueprint import bp as lti_bp
    from course.views import bp as course_bp
    from exports import views as exports_views
    from modules import views as modules_views
    from quizzes import blueprint as quizzes_blueprint
    app.register_blueprint(course_bp)
    app.register_blueprint(lti_bp)
    # Demo tables exist in every schema so one migration history serves every deployment;
    # the demo's routes are registered only when it is switched on.
    import course.audit  # noqa: F401 - the audit trail's table, which any feature records into
    import course.lti.demo.models  # noqa: F401
    if app.config["DEMO_PLATFORM"]:
        from course.lti.demo.blueprint import bp as demo_bp
        app.register_blueprint(demo_bp)
    # Feature packages, in this order (the deep-linking picker lists modules before quizzes):
    # each setup adds its home panel, navigation, CLI and what the LTI layer may launch into.
    for feature in (modules_views, quizzes_blueprint, exports_views):
        app.register_blueprint(feature.bp)
        feature.setup(app)
