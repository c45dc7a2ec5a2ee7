"""Per request: an id (the proxy's `X-Request-ID`, or a new one) carried into the response,
the log and every job the request enqueues; one log line and the request metrics at the end.
Cheap by design: a clock read, a dict and one formatted line per request."""
import logging
import re
import time
import uuid

from flask import g, request
from sqlalchemy import inspect as sa_inspect

from network.core.ops import metrics
from network.core.ops.logs import FIELDS

log = logging.getLogger("rede.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like; anything else (or too long to be an id) is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
UNMATCHED = "unmatched"


def current_request_id():
    """The id of the request (or job) being served; None outside both."""
    return g.get("request_id")


def endpoint_name():
    """The Flask endpoint, never the URL: no ids or slugs in labels and logs."""
    rule = request.url_rule
    return rule.endpoint if rule is not None else UNMATCHED


def _user_id(user):
    """The loaded user's id without a query: after a lost connection its attributes are expired,
    and reloading them here would turn the 503 page into a 500."""
    if user is None or user.is_anonymous:
        return None
    identity = sa_inspect(user).identity
    return identity[0] if identity else None


def init_app(app):
    @app.before_request
    def start_request():
        g.request_started = time.perf_counter()
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def finish_request(response):
        started = g.get("request_started")
        if started is None:  # a response made before our first hook ran
            return response
        duration = time.perf_counter() - started
        endpoint = endpoint_name()
        response.headers[REQUEST_ID_HEADER] = g.request_id
        metrics.observe_request(endpoint, request.method, response.status_code, duration)
        tenant = g.get("tenant")
        user = g.get("_login_user")  # only when the request loaded it: no query of our own
        log.info("request", extra={FIELDS: {
            "kind": "request",
            "request_id": g.request_id,
            "method": request.method,
            "endpoint": endpoint,
            "route": request.url_rule.rule if request.url_rule is not None else None,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
            "tenant_id": tenant.id if tenant is not None else None,
            "user_id": _user_id(user),
        }})
        return response
