"""The app factory: assembles the three floors (core, tenants, national) into one Flask app."""
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from config import INSTANCE_DIR, load_config

NETWORK_ROOT = Path(__file__).resolve().parents[1]


def create_app(config=None):
    """Build the app. `config`: None (from APP_ENV), an environment name, a settings
    class, or a mapping of overrides applied on top of the APP_ENV settings."""
    # Named "network": the app's root folder stays network/ (templates/, static/, migrations/).
    app = Flask("network", instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    _configure(app, config)

    from network.core import database

    database.configure(app)

    from network.core import converters, ops

    converters.init_app(app)
    ops.configure_engines(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_into_lower_floors(app)

    from network.core import errors, submit

    errors.init_app(app)
    submit.init_app(app)
    return app


def _configure(app, config):
    settings = _settings_class(config)
    app.config.from_object(settings)
    if isinstance(config, Mapping):
        app.config.update(config)
    settings.validate(app.config)
    from network.national.disclosure import check_threshold

    check_threshold(app.config["SMALL_CELL_THRESHOLD"])  # never below 3 (docs/disclosure.md)
    INSTANCE_DIR.mkdir(exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address as the proxies saw it, for rate limits and the login back-off;
        # only the last TRUSTED_PROXIES hops are believed (a client can forge the ones before).
        from werkzeug.middleware.proxy_fix import ProxyFix

        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _register_into_lower_floors(app):
    """What the floors above register into the one below, before any request or job: the periodic
    jobs, the roll-ups' stale marker (network.core.changes), the portal's link of an accepted
    invitation (network.core.accounts)."""
    from network.national import schedule
    from network.national.dashboards import hooks  # noqa: F401
    from tenants.portal import accounts  # noqa: F401

    schedule.init_app(app)


def _settings_class(config):
    if config is None or isinstance(config, Mapping):
        return load_config()
    if isinstance(config, str):
        return load_config(config)
    return config


def _init_extensions(app):
    from network.core import i18n, ops, security
    from network.core.extensions import babel, csrf, db, limiter, login_manager, migrate

    # First: the request id and timing, so even a refused request is logged and counted.
    ops.init_app(app)
    # Then: its before_request refuses an oversized body before the CSRF check or the limiter reads it.
    security.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(NETWORK_ROOT / "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from network.core.accounts import login

    login.init_app(app, login_manager)

    from network.core.tenancy import web

    web.init_app(app)


def _register_blueprints(app):
    from network.core.accounts.session_views import bp as sessions_bp
    from network.core.accounts.two_factor_views import bp as two_factor_bp
    from network.core.accounts.two_factor_views import team_bp as two_factor_team_bp
    from network.core.accounts.views import bp as accounts_bp
    from network.core.jobs.views import bp as jobs_bp
    from network.core.mail.views import bp as outbox_bp
    from network.core.reference.views import bp as reference_bp
    from network.national.api.token_views import bp as api_tokens_bp
    from network.national.api.views import bp as api_bp
    from network.national.coordination.views import bp as coordination_bp
    from network.national.dashboards import impact_views  # noqa: F401  (the impact page's routes, on dashboards_bp)
    from network.national.dashboards.views import bp as dashboards_bp
    from tenants.activities.views import bp as activities_bp
    from tenants.audit.views import bp as audit_bp
    from tenants.breakglass.views import bp as breakglass_bp
    from tenants.casework.views import bp as casework_bp
    from tenants.intake.views import bp as intake_bp
    from tenants.matching.batch_views import bp as batch_matching_bp
    from tenants.matching.choice_views import bp as mentee_choice_bp
    from tenants.matching.views import bp as matching_bp
    from tenants.notes.views import bp as notes_bp
    from tenants.outcomes.views import bp as outcomes_bp
    from tenants.participants.views import bp as participants_bp
    from tenants.portal.views import bp as portal_bp
    from tenants.privacy.views import bp as privacy_bp
    from tenants.processes.reminder_views import bp as reminders_bp
    from tenants.processes.views import bp as processes_bp
    from tenants.transfers.views import bp as transfers_bp
    from tenants.workspace.views import bp as workspace_bp

    for blueprint in (accounts_bp, coordination_bp, jobs_bp, outbox_bp, workspace_bp, participants_bp, intake_bp,
                      reference_bp, matching_bp, processes_bp, activities_bp, portal_bp, dashboards_bp, audit_bp,
                      privacy_bp, api_bp, api_tokens_bp, batch_matching_bp, mentee_choice_bp, sessions_bp,
                      two_factor_bp, two_factor_team_bp, casework_bp, notes_bp, reminders_bp,
                      transfers_bp, breakglass_bp, outcomes_bp):
        app.register_blueprint(blueprint)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)


FAVICON_MAX_AGE = 30 * 24 * 3600  # browsers ask for it on every page: let them keep it a month


def _favicon():
    from flask import current_app, send_from_directory

    return send_from_directory(Path(current_app.root_path) / "static", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=FAVICON_MAX_AGE)


def _register_cli(app):
    from network.core.jobs.worker import worker_command
    from network.core.mail.cli import outbox_cli
    from network.national.cli import (
        create_tenant_command,
        create_user_command,
        doctor_command,
        permissions_command,
        run_demo_command,
        seed_demo_command,
    )

    for command in (create_tenant_command, create_user_command, seed_demo_command, run_demo_command,
                    permissions_command, doctor_command, worker_command, outbox_cli):
        app.cli.add_command(command)

    from network.national.dashboards.cli import rollups_cli
    from network.national.disclosure.cli import disclosure_cli

    app.cli.add_command(disclosure_cli)

    app.cli.add_command(rollups_cli)

    from tenants.privacy.cli import privacy_cli

    app.cli.add_command(privacy_cli)
