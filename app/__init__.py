"""Caller verification: the application factory."""

import logging
from pathlib import Path

from flask import Flask, jsonify, send_from_directory
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from app.audit_origin import init_audit_origin
from app.extensions import attempt_store, csrf, db, login_manager, migrate
from app.filters import init_filters
from app.navigation import init_navigation
from app.observability import init_observability
from app.providers import init_providers
from app.read_commits import init_read_commits
from app.security import init_security, public
from app.templating import App, init_widget_cache
from config import INSTANCE_DIR, RESOURCE_DIR, Config, ProductionConfig, config_from_environment

VENDOR_DIR = RESOURCE_DIR / "static" / "vendor"


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_environment()
    if issubclass(config_class, ProductionConfig):
        config_class.check()

    app = App(
        __name__,
        template_folder=str(RESOURCE_DIR / "templates"),
        static_folder=str(RESOURCE_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(exist_ok=True)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_templates(app)
    db.init_app(app)
    init_read_commits(app)
    migrate.init_app(app, db, directory=str(RESOURCE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    attempt_store.init_app(app)
    WTFormsHelpers(app)
    init_widget_cache(app)
    init_security(app)
    init_audit_origin(app)
    init_navigation(app)
    init_filters(app)
    init_providers(app)

    from app import (
        admin,
        audit,
        auth,
        calls,
        console,
        dispatches,
        disputes,
        duty_to_share,
        errors,
        locks,
        messages,
        permissions,
        portal,
        residents,
        retention,
        subject_access,
        telephony,
    )
    from app.audit.cli import audit_cli
    from app.calls.cli import calls_cli
    from app.demo.cli import demo_data_command
    from app.retention.cli import retention_cli
    from app.scheduler.cli import scheduler_cli
    from app.telephony.cli import outbox_cli

    login_manager.init_app(app)
    auth.init_login(login_manager)
    app.session_interface = auth.StaffSessionInterface()
    for area in (
        auth, console, calls, dispatches, disputes, duty_to_share, residents, locks,
        permissions, messages, telephony, portal, audit, subject_access, retention, admin,
    ):  # fmt: skip
        app.register_blueprint(area.bp)
    errors.init_errors(app)
    for command in (
        demo_data_command, calls_cli, outbox_cli, audit_cli, retention_cli, admin.staff_cli,
        scheduler_cli,
    ):  # fmt: skip
        app.cli.add_command(command)

    _add_platform_routes(app)
    init_observability(app)
    _quieten_logs(app)
    return app


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(RESOURCE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def template_globals() -> dict:
        from flask import g

        return {
            "serviceName": app.config["SERVICE_NAME"],
            "cspNonce": g.get("csp_nonce"),
        }


def _add_platform_routes(app: Flask) -> None:
    @app.get("/healthz")
    @public
    def healthz():
        """Up when the database answers; says nothing else."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:
            app.logger.exception("health check: database did not answer")
            db.session.rollback()
            return jsonify(status="unavailable"), 503
        return jsonify(status="ok")

    @app.get("/assets/<path:filename>")
    def assets(filename: str):
        """GOV.UK Frontend's fonts and images, where its stylesheet expects them."""
        return send_from_directory(VENDOR_DIR / "govuk" / "assets", filename, max_age=3600)


def _quieten_logs(app: Flask) -> None:
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
    # Twilio's HTTP client logs every request's address at INFO: a Lookup's address holds the
    # whole phone number asked about, and a list of messages the number they went to.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
