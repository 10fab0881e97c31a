"""The distributor portal (经销商门户)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | type | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_templating(app)
    register_errors(app)
    register_commands(app)
    return app


def register_config(app: Flask, config: dict[str, Any] | type | None) -> None:
    from .config import Config, finalize, startup_warnings

    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    finalize(app.config, app.instance_path)
    for warning in startup_warnings(app.config):
        app.logger.warning(warning)


def register_extensions(app: Flask) -> None:
    from sqlalchemy.orm import Session

    from . import models  # noqa: F401  (every table, for Alembic and create_all)
    from .audit import tracking
    from .compliance import figures as compliance_figures
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    if not getattr(Session, "_portal_audit_registered", False):
        tracking.register(Session)
        compliance_figures.register(Session)
        Session._portal_audit_registered = True  # type: ignore[attr-defined]


def register_blueprints(app: Flask) -> None:
    from .pagination import AsciiIntegerConverter

    app.url_map.converters["int"] = AsciiIntegerConverter  # before any route is added
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .agreements.views import bp as agreements_bp
    from .api import bp as api_bp
    from .assessments.routes import bp as assessments_bp
    from .audit.views import bp as audit_bp
    from .boards.views import bp as boards_bp
    from .compliance.routes import bp as compliance_bp
    from .distributors.views import bp as distributors_bp
    from .extensions import csrf
    from .main.views import bp as main_bp
    from .notices.views import bp as notices_bp
    from .orders.views import bp as orders_bp
    from .pricing.views import bp as pricing_bp
    from .products.views import bp as products_bp
    from .receivables.views import bp as receivables_bp
    from .regions.views import bp as regions_bp
    from .repairs.routes import bp as repairs_bp
    from .reports.routes import bp as reports_bp

    for blueprint in (
        main_bp,
        accounts_bp,
        admin_bp,
        distributors_bp,
        regions_bp,
        audit_bp,
        products_bp,
        pricing_bp,
        agreements_bp,
        notices_bp,
        orders_bp,
        receivables_bp,
        boards_bp,
        repairs_bp,
        reports_bp,
        assessments_bp,
        compliance_bp,
    ):
        app.register_blueprint(blueprint)
    # The API authenticates with bearer tokens only and never reads the session cookie
    # (see web.PortalSessionInterface), so cross-site requests carry no credentials: no CSRF token.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def register_security(app: Flask) -> None:
    from . import web

    web.init_app(app)


def register_templating(app: Flask) -> None:
    from . import i18n

    i18n.init_app(app)


def register_errors(app: Flask) -> None:
    from . import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from .cli import portal_cli

    app.cli.add_command(portal_cli)
