"""The read replica (`DATABASE_REPLICA_URL`, a PostgreSQL streaming standby) and the one way
to use it: `national_reads(read)`.

Only the national read path goes there: the national dashboard, its exports and the
aggregates API, all through `network.national.dashboards.services.dashboard_data`. They read the
roll-ups, which a worker writes asynchronously anyway, so a replica a few seconds behind
shows nothing a user could miss. Everything else (every write, and a user reading what they
have just written) stays on the primary through the app's own session.

Before reading there the lag is measured (cached per process for REPLICA_CHECK_SECONDS):
the primary's WAL position against the replica's replayed position; when the replica has
not replayed everything, the age of the last transaction it replayed. A replica that does
not answer, or is more than REPLICA_MAX_LAG_SECONDS behind, is skipped: the primary serves
the read, and so does it when the replica fails in the middle of one.
"""
import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from config import database_url
from network.core.extensions import db
from network.core.timeutil import utcnow

log = logging.getLogger(__name__)

_STATUS_KEY = "ops_replica_status"
_ENGINE_KEY = "ops_replica_engine"

# Replayed everything the primary has written: no lag, however long ago that was.
_LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_wal_lsn_diff(%(primary_lsn)s::pg_lsn, pg_last_wal_replay_lsn()) <= 0 THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END
"""


@dataclass(frozen=True)
class ReplicaStatus:
    lag_seconds: float | None  # None: unreachable
    usable: bool


def connect_args(app, uri):
    """A connection attempt gives up after DATABASE_CONNECT_TIMEOUT (PostgreSQL only)."""
    if uri.startswith("postgresql"):
        return {"connect_timeout": app.config["DATABASE_CONNECT_TIMEOUT"]}
    return {}


def configure(app):
    """Before the database extension builds its engine: the primary's connect timeout."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    options["connect_args"] = {**connect_args(app, app.config["SQLALCHEMY_DATABASE_URI"]),
                               **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configured(app):
    return bool(app.config["DATABASE_REPLICA_URL"])


def replica_engine(app):
    engine = app.extensions.get(_ENGINE_KEY)
    if engine is None:
        uri = database_url(app.config["DATABASE_REPLICA_URL"])
        engine = sa.create_engine(uri, pool_pre_ping=True, connect_args=connect_args(app, uri))
        app.extensions[_ENGINE_KEY] = engine
    return engine


def _lag_probe_engine(app):
    # The primary's WAL position, on a connection of its own: never inside a request's transaction.
    engine = app.extensions.get("ops_lag_probe_engine")
    if engine is None:
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        engine = sa.create_engine(uri, poolclass=NullPool, connect_args=connect_args(app, uri))
        app.extensions["ops_lag_probe_engine"] = engine
    return engine


def measure_lag(app):
    """Seconds the replica is behind the primary; None when either cannot be asked."""
    try:
        with _lag_probe_engine(app).connect() as primary:
            primary_lsn = primary.exec_driver_sql("SELECT pg_current_wal_lsn()::text").scalar()
        with replica_engine(app).connect() as replica:
            lag = replica.exec_driver_sql(_LAG_SQL, {"primary_lsn": primary_lsn}).scalar()
    except sa.exc.DBAPIError as error:
        log.warning("read replica unreachable: %s", error.orig)
        return None
    return float(lag)


def status(app, refresh=False):
    cached = app.extensions.get(_STATUS_KEY)
    now = time.monotonic()
    if cached is not None and not refresh and now - cached[0] < app.config["REPLICA_CHECK_SECONDS"]:
        return cached[1]
    lag = measure_lag(app)
    result = ReplicaStatus(lag, lag is not None and lag <= app.config["REPLICA_MAX_LAG_SECONDS"])
    app.extensions[_STATUS_KEY] = (now, result)
    return result


def _mark_unreachable(app):
    app.extensions[_STATUS_KEY] = (time.monotonic(), ReplicaStatus(None, False))


@dataclass(frozen=True)
class ReadSource:
    replica: bool
    lag_seconds: float | None

    def describe(self):
        return {"replica": self.replica, "lag_seconds": self.lag_seconds, "computed_at": utcnow().isoformat()}


def national_reads(read):
    """`read(source)` with `db.session` reading from the replica when it is usable, else from
    the primary. `read` only reads (the replica is read-only) and returns plain data, not ORM
    objects: its session is closed when it returns. The tenant context and the national
    bypass of the caller's session apply there too (the same per-transaction settings)."""
    app = current_app._get_current_object()
    if not configured(app):
        return read(ReadSource(False, None))
    replica_status = status(app)
    if not replica_status.usable:
        return read(ReadSource(False, replica_status.lag_seconds))
    primary_session = db.session()
    replica_session = Session(bind=replica_engine(app), info=dict(primary_session.info))
    db.session.registry.set(replica_session)
    try:
        return read(ReadSource(True, replica_status.lag_seconds))
    except sa.exc.OperationalError as error:
        log.warning("read replica failed during a read, reading from the primary: %s", error.orig)
        _mark_unreachable(app)
    finally:
        replica_session.close()
        db.session.registry.set(primary_session)
    return read(ReadSource(False, None))
