"""Round trips to PostgreSQL per request, counted on the real connections.

Every message the app's connections send is traced by libpq (psycopg's `PGconn.trace`); a round
trip is a message after which the client waits for the server's answer: a simple `Query`
(BEGIN, ROLLBACK) or the `Sync` that ends an extended-protocol statement (and its parameters).
A pre-ping, a `set_config`, the user's query: each is one. Nothing of ours is replaced.
"""
import tempfile
from contextlib import contextmanager

import pytest
from flask import Blueprint
from psycopg import pq
from sqlalchemy import event

from network.core.extensions import db
from network.core.permissions import permission_required
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.national.app import create_app
from tests.conftest import DATABASE_URL, RUNTIME_DATABASE_URL
from tests.factories import login, make_tenant, make_user

# A page every workspace page costs at least: session, user, membership, tenant, permission.
CONSTANT_PAGE_ROUND_TRIPS = 3


@pytest.fixture(scope="module")
def floor_app(app):
    """The app (the migrated test database) with one workspace page that returns a constant;
    every connection of its pool traced from the moment it is opened (a pre-ping at checkout
    included), the trace flushed each time a connection goes back to the pool."""
    floor_app = create_app({"SQLALCHEMY_DATABASE_URI": RUNTIME_DATABASE_URL, "MIGRATION_DATABASE_URI": DATABASE_URL})
    floor = Blueprint("round_trip_floor", __name__, url_prefix=TENANT_URL_PREFIX)

    @floor.get("/constant")
    @permission_required("processes.manage")
    def constant():
        return "ok"

    floor_app.register_blueprint(floor)
    trace = tempfile.NamedTemporaryFile("w+", prefix="round-trips-")  # noqa: SIM115 (closed at teardown)

    def start(dbapi_connection, record):
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

    def flush(dbapi_connection, record):
        dbapi_connection.pgconn.untrace()  # writes out what libpq holds in its buffer
        start(dbapi_connection, record)

    with floor_app.app_context():
        engine = db.engine
    event.listen(engine, "connect", start)
    event.listen(engine, "checkin", flush)
    floor_app.extensions["round_trip_trace"] = trace
    yield floor_app
    engine.dispose()
    trace.close()


@contextmanager
def traced(app):
    """Yields the list the block's round trips are appended to (each: the message, e.g.
    `Query "BEGIN"` or `Sync`), once the block's connections are back in the pool."""
    trace = app.extensions["round_trip_trace"]
    trace.seek(0, 2)
    began = trace.tell()
    round_trips = []
    yield round_trips
    trace.seek(began)
    for line in trace.read().splitlines():
        fields = line.split("\t")  # direction, length, message type, content (one line per message)
        if fields[0] == "F" and len(fields) > 2 and fields[2] in ("Query", "Sync"):
            round_trips.append("\t".join(fields[2:]))


@pytest.fixture
def signed_in_staff(floor_app):
    with floor_app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        make_user("staff@alpha.pt", "Sara Staff", [(tenant, "staff")])
        db.session.commit()
    client = floor_app.test_client()
    login(client, "staff@alpha.pt", locale="en")
    client.get("/t/alpha/constant")  # the pool holds a connection from here, as in a running server
    return client


def test_a_constant_workspace_page_costs_at_most_three_round_trips(floor_app, signed_in_staff):
    with traced(floor_app) as round_trips:
        response = signed_in_staff.get("/t/alpha/constant")
    assert response.status_code == 200
    assert len(round_trips) <= CONSTANT_PAGE_ROUND_TRIPS, "\n".join(round_trips)


def test_a_static_file_for_a_signed_in_user_loads_no_user(floor_app, signed_in_staff):
    with traced(floor_app) as round_trips:
        response = signed_in_staff.get("/static/css/app.css")
    assert response.status_code == 200
    # A signed-in browser's files still stay out of shared caches.
    assert response.headers["Cache-Control"] == "no-store"
    assert round_trips == []
