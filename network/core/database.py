"""Which PostgreSQL server the app uses, and as which of its two login roles.

- The runtime login (`DATABASE_URL`, `SQLALCHEMY_DATABASE_URI`): `rede_app_login`, which every
  request and job uses; each transaction switches it to `rede_app` or `rede_national`
  (network.core.tenancy.rls) and it can become nothing else.
- The owner (`MIGRATION_DATABASE_URL`, the `owner` bind): owns the tables; runs `flask db
  upgrade` and `flask rollups rebuild` (which swaps tables), never a request.

In production both URLs are given (the web servers need only DATABASE_URL). In development and
tests one URL is enough: it is the owner's, and the runtime login is the same server and
database as `rede_app_login` without a password (the embedded server and CI trust local
logins). With no URL at all, development starts the embedded server in `instance/postgres`.
"""
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from config import database_url
from network.core.extensions import db
from network.core.tenancy.rls import RUNTIME_LOGIN_ROLE, apply_transaction_settings

OWNER_BIND = "owner"
POSTGRESQL_ONLY = ("Rede Mentores runs on PostgreSQL only (15 or later); {name} is not a postgresql:// URL. "
                   "SQLite is not supported: unset it to use the embedded server (development), or point it "
                   "at a PostgreSQL database.")


def runtime_url(owner_url):
    """The owner's URL with the runtime login role in its place (no password)."""
    return make_url(owner_url).set(username=RUNTIME_LOGIN_ROLE, password=None).render_as_string(hide_password=False)


def configure(app):
    """Settle SQLALCHEMY_DATABASE_URI (the runtime login) and the owner bind, before db.init_app."""
    config = app.config
    runtime, owner = config.get("SQLALCHEMY_DATABASE_URI"), config.get("MIGRATION_DATABASE_URI")
    if not runtime:
        if config["ENV_NAME"] != "development":
            raise RuntimeError(f"No database: set {_url_variable(config)} to a PostgreSQL database.")
        from network.core import embedded_postgres

        runtime = database_url(embedded_postgres.ensure_server(config["EMBEDDED_POSTGRES_DIR"]))
    for name, url in ((_url_variable(config), runtime), ("MIGRATION_DATABASE_URL", owner)):
        if url is not None and not make_url(url).drivername.startswith("postgresql"):
            raise RuntimeError(POSTGRESQL_ONLY.format(name=name))
    if owner is None and config["ENV_NAME"] != "production":
        owner, runtime = runtime, runtime_url(runtime)
    if owner is not None:
        if make_url(owner).username == make_url(runtime).username:
            raise RuntimeError("DATABASE_URL logs in as the owner of the tables: it must be the runtime login "
                               f"role ({RUNTIME_LOGIN_ROLE}), MIGRATION_DATABASE_URL the owner.")
        config["SQLALCHEMY_BINDS"] = {**config.get("SQLALCHEMY_BINDS", {}), OWNER_BIND: owner}
    config["SQLALCHEMY_DATABASE_URI"] = runtime


def owner_engine():
    """The owner's connections: migrations and the roll-up rebuild's table swap."""
    try:
        return db.engines[OWNER_BIND]
    except KeyError:
        raise RuntimeError("This command runs as the owner of the tables: set MIGRATION_DATABASE_URL.") from None


def _url_variable(config):
    return "TEST_DATABASE_URL" if config["ENV_NAME"] == "testing" else "DATABASE_URL"


@contextmanager
def transaction_of_its_own():
    """A short transaction beside the request's (a session's touch, a login failure counted),
    committed whatever the request does; as the runtime role, with no tenant, like any request's."""
    with db.engine.begin() as connection:
        apply_transaction_settings(connection, None, bypass=False)
        yield connection
