"""Prometheus metrics (`prometheus_client`), the series counted as things happen.

Two kinds of series:
- counted as things happen (requests, jobs, database connections): cheap increments. Under
  gunicorn each worker process counts on its own; with `PROMETHEUS_MULTIPROC_DIR` set (an
  empty directory per host, before the app starts) the values go to files there and any
  worker's `/metrics` adds up every process of the host.
- read when scraped (queue lengths, workers, outbox states, roll-up staleness, replica lag):
  shared state in Redis and PostgreSQL, the same whichever host answers (`ops.scrape`, which
  also serves `/metrics`: kept apart so the jobs can count here without importing the state).

Labels hold names only: the Flask endpoint (never the URL, so no ids or slugs), the method,
the status code, a queue, a job's function.
"""
import ipaddress
import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.pool import Pool

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter("rede_http_requests", "HTTP requests by Flask endpoint, method and status.",
                   ("endpoint", "method", "status"), registry=REGISTRY)
REQUEST_SECONDS = Histogram("rede_http_request_duration_seconds", "Time to answer a request, by Flask endpoint.",
                            ("endpoint",), registry=REGISTRY,
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
JOBS = Counter("rede_jobs", "Background jobs run, by queue, function and outcome (finished, failed).",
               ("queue", "function", "status"), registry=REGISTRY)
JOB_SECONDS = Histogram("rede_job_duration_seconds", "Time a background job ran, by queue and function.",
                        ("queue", "function"), registry=REGISTRY,
                        buckets=(0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800))
DB_CONNECTIONS_OPEN = Gauge("rede_db_pool_connections_open", "Database connections the pools hold open.",
                            registry=REGISTRY, multiprocess_mode="livesum")
DB_CONNECTIONS_IN_USE = Gauge("rede_db_pool_connections_in_use", "Database connections checked out of the pools.",
                              registry=REGISTRY, multiprocess_mode="livesum")


@event.listens_for(Pool, "connect")
def _connection_opened(dbapi_connection, record):
    DB_CONNECTIONS_OPEN.inc()


@event.listens_for(Pool, "close")
def _connection_closed(dbapi_connection, record):
    DB_CONNECTIONS_OPEN.dec()


@event.listens_for(Pool, "checkout")
def _connection_checked_out(dbapi_connection, record, proxy):
    DB_CONNECTIONS_IN_USE.inc()


@event.listens_for(Pool, "checkin")
def _connection_checked_in(dbapi_connection, record):
    DB_CONNECTIONS_IN_USE.dec()


def observe_request(endpoint, method, status, seconds):
    REQUESTS.labels(endpoint, method if method in METHODS else "other", str(status)).inc()
    REQUEST_SECONDS.labels(endpoint).observe(seconds)


def observe_job(queue, function, failed, seconds):
    JOBS.labels(queue, function, "failed" if failed else "finished").inc()
    JOB_SECONDS.labels(queue, function).observe(seconds)


def init_app(app):
    for network in app.config["METRICS_ALLOWED_NETWORKS"]:
        ipaddress.ip_network(network, strict=False)  # a typo fails at start, not at the first scrape
