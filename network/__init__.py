"""Rede Mentores: the platform of Portugal's national Mentoring Programme for Migrants."""
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from config import INSTANCE_DIR, load_config


def create_app(config=None):
    """Build the app. `config`: None (from APP_ENV), an environment name, a settings
    class, or a mapping of overrides applied on top of the APP_ENV settings."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    settings = _settings_class(config)
    app.config.from_object(settings)
    if isinstance(config, Mapping):
        app.config.update(config)
    settings.validate(app.config)
    INSTANCE_DIR.mkdir(exist_ok=True)

    from network import converters

    converters.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from network import errors

    errors.init_app(app)
    return app


def _settings_class(config):
    if config is None or isinstance(config, Mapping):
        return load_config()
    if isinstance(config, str):
        return load_config(config)
    return config


def _init_extensions(app):
    from network import security
    from network.extensions import babel, csrf, db, limiter, login_manager, migrate
    from network import i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)

    from network.accounts import login

    login.init_app(app, login_manager)

    from tenants.tenancy import web

    web.init_app(app)


def _register_blueprints(app):
    from network.accounts.views import bp as accounts_bp
    from network.coordination.views import bp as coordination_bp
    from tenants.workspace.views import bp as workspace_bp

    for blueprint in (accounts_bp, coordination_bp, workspace_bp):
        app.register_blueprint(blueprint)


def _register_cli(app):
    from network.cli import create_tenant_command, create_user_command, seed_demo_command
    from network.jobs import worker_command

    for command in (create_tenant_command, create_user_command, seed_demo_command, worker_command):
        app.cli.add_command(command)
