"""`/healthz` (the process answers), `/readyz` (it can serve: database reachable and at the
migrations' head, Redis reachable when configured; the replica reported, not required) and
`/metrics`. No login and no data: component names and one word each.

Each readiness check runs in its own thread against a deadline (READINESS_TIMEOUT), on a
fresh connection with its own connect timeout: a database or Redis that stops answering
(or never accepts the connection) turns `/readyz` red within the deadline instead of
hanging the probe, and the next probe after it is back is green again."""
from concurrent.futures import ThreadPoolExecutor, wait

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.pool import NullPool

from network.core.ops import replica, scrape
from network.core.tenancy.rls import apply_transaction_settings

bp = Blueprint("ops", __name__)

OK, UNREACHABLE, BEHIND, TIMEOUT = "ok", "unreachable", "behind", "timeout"
# Probes of several app threads at once share these few threads; a hung check holds one
# until its own connect timeout ends.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status=OK))


@bp.get("/readyz")
def readyz():
    app = current_app._get_current_object()
    timeout = app.config["READINESS_TIMEOUT"]
    checks = {"database": _check_database}
    if app.config["REDIS_URL"]:
        checks["redis"] = _check_redis
    futures = {name: _executor.submit(check, app) for name, check in checks.items()}
    wait(futures.values(), timeout=timeout)
    results = {}
    for name, future in futures.items():
        results.update(future.result() if future.done() and future.exception() is None
                       else {name: TIMEOUT if not future.done() else UNREACHABLE})
    if "migrations" not in results:
        results["migrations"] = UNREACHABLE  # unknown without the database
    ready = all(value == OK for value in results.values())
    if replica.configured(app):
        # Reported only: national reads fall back to the primary, so a late replica
        # degrades nothing a load balancer should act on.
        status = replica.status(app)
        results["replica"] = OK if status.usable else ("lagging" if status.lag_seconds is not None else UNREACHABLE)
    response = jsonify(status="ready" if ready else "not ready", checks=results)
    response.status_code = 200 if ready else 503
    return _no_store(response)


bp.add_url_rule("/metrics", "metrics", scrape.metrics_view)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _probe_engine(app):
    """A connection per probe (NullPool): the check sees the database as a new request would."""
    engine = app.extensions.get("ops_probe_engine")
    if engine is None:
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        engine = sa.create_engine(uri, poolclass=NullPool, connect_args=replica.connect_args(app, uri))
        app.extensions["ops_probe_engine"] = engine
    return engine


def _migration_heads(app):
    heads = app.extensions.get("ops_migration_heads")
    if heads is None:
        heads = frozenset(ScriptDirectory(app.extensions["migrate"].directory).get_heads())
        app.extensions["ops_migration_heads"] = heads
    return heads


def _check_database(app):
    try:
        with _probe_engine(app).begin() as connection:
            apply_transaction_settings(connection, None, bypass=False)  # as a request would read
            versions = set(connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    except sa.exc.ProgrammingError:  # answers, but was never migrated
        return {"database": OK, "migrations": BEHIND}
    except sa.exc.DBAPIError:
        return {"database": UNREACHABLE}
    return {"database": OK, "migrations": OK if versions == _migration_heads(app) else BEHIND}


def _check_redis(app):
    timeout = app.config["READINESS_TIMEOUT"]
    client = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except (RedisError, OSError):
        return {"redis": UNREACHABLE}
    finally:
        client.close()
    return {"redis": OK}
