"""Shared state read for `/metrics`: RQ queues and workers in Redis, outbox states and the
replica's lag in PostgreSQL. Each read fails on its own: a scrape during a Redis outage still
reports the database's figures, and says which component it could not read."""
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job

from network.core.extensions import db
from network.core.jobs.monitor import outbox_counts, queue_states
from network.core.jobs.queueing import redis_connection
from network.core.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class SharedState:
    components: dict = field(default_factory=dict)
    queues: list | None = None
    workers: int = 0
    oldest_rollup_seconds: float = 0.0
    outbox: dict | None = None
    replica: object = None


def read_shared_state(app):
    readings = SharedState()
    if app.config["REDIS_URL"]:
        try:
            connection = redis_connection(app)
            readings.queues = queue_states(connection)
            readings.workers = Worker.count(connection=connection)
            readings.oldest_rollup_seconds = oldest_waiting_seconds(Queue("rollups", connection=connection))
            readings.components["redis"] = True
        except RedisError as error:
            log.warning("metrics: Redis unreadable: %s", error)
            readings.components["redis"] = False
    try:
        readings.outbox = outbox_counts()
        readings.components["database"] = True
    except sa.exc.DBAPIError as error:
        db.session.rollback()
        log.warning("metrics: database unreadable: %s", error)
        readings.components["database"] = False
    from network.core.ops import replica

    if replica.configured(app):
        readings.replica = replica.status(app)
        readings.components["replica"] = readings.replica.lag_seconds is not None
    return readings


def oldest_waiting_seconds(queue):
    job_ids = queue.get_job_ids(0, 0)
    try:
        job = Job.fetch(job_ids[0], connection=queue.connection) if job_ids else None
    except NoSuchJobError:  # taken (and expired) between the two reads
        job = None
    if job is None or job.enqueued_at is None:
        return 0.0
    enqueued_at = job.enqueued_at if job.enqueued_at.tzinfo else job.enqueued_at.replace(tzinfo=utcnow().tzinfo)
    return max(0.0, (utcnow() - enqueued_at).total_seconds())
