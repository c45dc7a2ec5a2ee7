"""`/metrics`: this process's counters (`ops.metrics`) and the shared state read at scrape time
(`ops.state`), for the addresses or the token METRICS_ALLOWED_NETWORKS / METRICS_TOKEN allow."""
import hmac
import ipaddress
import logging
import os
import time

from flask import abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from network.core.ops import state
from network.core.ops.metrics import REGISTRY

log = logging.getLogger(__name__)


class SharedStateCollector:
    """The series read at scrape time from Redis and PostgreSQL (needs an app context)."""

    def collect(self):
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
