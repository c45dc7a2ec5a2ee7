"""`enqueue`: to RQ with Redis, in-process without it."""
import logging

from flask import current_app, g
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

from network.core.jobs.runner import REQUEST_ID_META_KEY, TENANT_META_KEY, run_job

log = logging.getLogger(__name__)

QUEUES = ("default", "mail", "rollups", "exports")


class JobsUnavailable(RuntimeError):
    """Redis could not take the job. Work that must not be lost is kept in the database
    first (like the e-mail outbox), so the caller can carry on and a sweeper retries."""


def redis_connection(app=None, for_worker=False):
    config = (app or current_app).config
    if for_worker:
        # A worker blocks on Redis for minutes at a time: no connect timeout to trip over.
        return Redis.from_url(config["REDIS_URL"])
    return Redis.from_url(config["REDIS_URL"], socket_connect_timeout=config["REDIS_CONNECT_TIMEOUT"],
                          socket_timeout=config["REDIS_CONNECT_TIMEOUT"])


def claim_queued(key, seconds):
    """Whether a job should be queued for `key`: False while another one for it waits in the
    queue, not yet started (it will see this change too); True otherwise, marking that one as
    waiting for `seconds` at most. Without Redis (jobs in-process), or when Redis fails, True:
    `enqueue` then runs the job or reports that it cannot."""
    if not current_app.config["REDIS_URL"]:
        return True
    try:
        return bool(redis_connection().set(key, 1, nx=True, ex=seconds))
    except RedisError:
        return True


def release_queued(key):
    """At the start of the job that claimed `key`: a change from now on needs a job of its own."""
    if not current_app.config["REDIS_URL"]:
        return
    try:
        redis_connection().delete(key)
    except RedisError as error:
        log.warning("could not release %s (it expires by itself): %s", key, error)


def job_options(config, queue):
    intervals = list(config["JOB_RETRY_INTERVALS"])
    return {
        "timeout": config["JOB_TIMEOUTS"][queue],
        "retry": Retry(max=len(intervals), interval=intervals) if intervals else None,
        "failure_ttl": config["JOB_FAILURE_TTL"],
    }


def enqueue(func, *args, queue="default", tenant_id=None, **kwargs):
    """Run `func(*args, **kwargs)` in the background, as `tenant_id` (None: no tenant).

    Returns the RQ job, or in-process the function's result. In-process, like on a worker,
    a failing job is logged and does not fail the caller. Raises `JobsUnavailable` when
    Redis is configured but unreachable."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    app = current_app._get_current_object()
    # The request (or job) that asked for it: its id follows the work into the job's log lines.
    request_id = g.get("request_id")
    if not app.config["REDIS_URL"]:
        try:
            return run_job(app, func, tenant_id, args, kwargs, queue=queue, request_id=request_id)
        except Exception:
            log.exception("in-process job %s failed", func.__qualname__)
            return None
    try:
        return Queue(queue, connection=redis_connection(app)).enqueue_call(
            func, args=args, kwargs=kwargs, meta={TENANT_META_KEY: tenant_id, REQUEST_ID_META_KEY: request_id},
            **job_options(app.config, queue)
        )
    except RedisError as error:
        raise JobsUnavailable(f"Redis is unreachable: {error}") from error
