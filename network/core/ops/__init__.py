"""Operations: what lets the app run on several hosts and be watched.

- `requests`: the request id (`X-Request-ID`, or generated) and one log line per request;
- `logs`: the JSON (or text) log format, `LOG_FORMAT`;
- `metrics`: Prometheus series (`prometheus_client`, multiprocess under gunicorn) and `/metrics`;
- `health`: `/healthz` and `/readyz`;
- `replica`: the read replica of the national read path (`DATABASE_REPLICA_URL`) and its lag.
"""


def configure_engines(app):
    """Before the database extension builds its engines: short connect timeouts on
    PostgreSQL, and the replica as a second bind when one is configured."""
    from network.core.ops import replica

    replica.configure(app)


def init_app(app):
    from network.core.ops import health, logs, metrics, requests

    logs.configure(app)
    requests.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
