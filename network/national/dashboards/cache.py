"""The assembled dashboard, cached in Redis per filter when REDIS_URL is set.

What invalidates an entry:
- a partner dashboard: any refresh of that tenant's roll-ups (its generation counter moves);
- the national dashboard: `flask rollups rebuild` (the national generation moves) and the
  entry's age, DASHBOARD_CACHE_SECONDS: refresh jobs of thousands of partners would
  otherwise keep it permanently cold, so national figures may lag that long.
A cache that cannot be reached is skipped: the dashboard is computed from the roll-ups.
"""
import hashlib
import json
import logging

from flask import current_app
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

_PREFIX = "dashboards:"


def _connection():
    if not current_app.config.get("REDIS_URL"):
        return None
    from network.core.jobs.queueing import redis_connection

    return redis_connection()


def _generation_key(tenant_id):
    return f"{_PREFIX}generation:{'national' if tenant_id is None else tenant_id}"


def bump_generation(tenant_id):
    bump_generations([tenant_id])


def bump_generations(tenant_ids):
    """The generation of each of `tenant_ids` (None: the national one) moves, in one round trip."""
    connection = _connection()
    if connection is None:
        return
    try:
        with connection.pipeline(transaction=False) as pipeline:
            for tenant_id in tenant_ids:
                pipeline.incr(_generation_key(tenant_id))
            pipeline.execute()
    except RedisError as error:
        log.warning("dashboard cache not invalidated: %s", error)


def cached(tenant_id, filters, compute):
    """`compute()` returns JSON-serialisable data; cached under (scope, generation, filters)."""
    connection = _connection()
    if connection is None:
        return compute()
    try:
        generation = int(connection.get(_generation_key(tenant_id)) or 0)
        digest = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:32]
        key = f"{_PREFIX}{tenant_id or 'national'}:{generation}:{digest}"
        hit = connection.get(key)
        if hit is not None:
            return json.loads(hit)
    except RedisError as error:
        log.warning("dashboard cache unreachable: %s", error)
        return compute()
    data = compute()
    try:
        connection.set(key, json.dumps(data), ex=current_app.config["DASHBOARD_CACHE_SECONDS"])
    except RedisError as error:
        log.warning("dashboard cache not written: %s", error)
    return data
