"""Prometheus metrics (`prometheus_client`) and `/metrics`.

Two kinds of series:
- counted as things happen (requests, jobs, database connections): cheap increments. Under
  gunicorn each worker process counts on its own; with `PROMETHEUS_MULTIPROC_DIR` set (an
  empty directory per host, before the app starts) the values go to files there and any
  worker's `/metrics` adds up every process of the host.
- read when scraped (queue lengths, workers, outbox states, roll-up staleness, replica lag):
  shared state in Redis and PostgreSQL, the same whichever host answers.

Labels hold names only: the Flask endpoint (never the URL, so no ids or slugs), the method,
the status code, a queue, a job's function.
"""
import hmac
import ipaddress
import logging
import os
import time

from flask import abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
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


class SharedStateCollector:
    """The series read at scrape time from Redis and PostgreSQL (needs an app context)."""

    def collect(self):
        from network.core.ops import state

        up = GaugeMetricFamily("rede_component_up", "Whether the scrape could read the component (1) or not (0).",
                               labels=("component",))
        readings = state.read_shared_state(current_app)
        for component, ok in readings.components.items():
            up.add_metric((component,), 1 if ok else 0)
        yield up
        if readings.queues is not None:
            queues = GaugeMetricFamily("rede_rq_jobs", "Jobs in each RQ queue by state.", labels=("queue", "state"))
            for queue in readings.queues:
                for job_state in ("queued", "running", "scheduled", "failed"):
                    queues.add_metric((queue.name, job_state), getattr(queue, job_state))
            yield queues
            yield GaugeMetricFamily("rede_rq_workers", "RQ workers alive (with a recent heartbeat).",
                                    value=readings.workers)
            yield GaugeMetricFamily("rede_rollups_oldest_pending_seconds",
                                    "Age of the oldest roll-up recount waiting in its queue (0: none waiting): "
                                    "how far the dashboards may lag behind the case data.",
                                    value=readings.oldest_rollup_seconds)
        if readings.outbox is not None:
            outbox = GaugeMetricFamily("rede_outbox_messages", "E-mails in the outbox by status.", labels=("status",))
            for status, count in readings.outbox.items():
                outbox.add_metric((status,), count)
            yield outbox
        if readings.replica is not None:
            yield GaugeMetricFamily("rede_replica_lag_seconds", "Replay lag of the read replica (-1: unreachable).",
                                    value=-1 if readings.replica.lag_seconds is None
                                    else readings.replica.lag_seconds)
            yield GaugeMetricFamily("rede_replica_in_use", "Whether national reads go to the replica (1) "
                                    "or fall back to the primary (0).", value=1 if readings.replica.usable else 0)


class _ProcessCollector:
    """This process's own counters, when not in multiprocess mode."""

    def collect(self):
        return REGISTRY.collect()


def exposition():
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollector())
    registry.register(SharedStateCollector())
    return generate_latest(registry)


def _allowed(config):
    token = config["METRICS_TOKEN"]
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode()):
        return True
    networks = config["METRICS_ALLOWED_NETWORKS"]
    if networks and request.remote_addr:
        try:
            address = ipaddress.ip_address(request.remote_addr)
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
    return False


def metrics_view():
    # Neither a token nor a network configured, or neither matches: as if there were no such page.
    if not _allowed(current_app.config):
        abort(404)
    started = time.perf_counter()
    body = exposition()
    log.debug("metrics scraped in %.1f ms", (time.perf_counter() - started) * 1000)
    return current_app.response_class(body, content_type=CONTENT_TYPE_LATEST)


def init_app(app):
    for network in app.config["METRICS_ALLOWED_NETWORKS"]:
        ipaddress.ip_network(network, strict=False)  # a typo fails at start, not at the first scrape
