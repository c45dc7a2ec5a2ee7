"""`/readyz` against servers the test starts and stops itself: red within 5 seconds when the
database or Redis stops (or stops answering), green again once it is back."""
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from config import database_url
from network.national.app import create_app

DEADLINE = 5


def _probe(client):
    started = time.monotonic()
    response = client.get("/readyz")
    return response.status_code, response.get_json(), time.monotonic() - started


def _ready(client):
    status, body, _seconds = _probe(client)
    return status, body["checks"]


def _red_in_time(client):
    status, body, seconds = _probe(client)
    assert seconds < DEADLINE, f"/readyz took {seconds:.1f} s"
    assert status == 503 and body["status"] == "not ready"
    return body["checks"]


def test_readyz_follows_the_database_and_redis_as_they_stop_and_come_back(clusters, redis_server):
    primary = clusters.primary("readiness")
    primary.create_database("rede")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(primary.url("rede")), "REDIS_URL": redis_server.url})
    with app.app_context():
        upgrade(revision="heads")
    client = app.test_client()
    all_ok = {"database": "ok", "migrations": "ok", "redis": "ok"}
    assert _ready(client) == (200, all_ok)

    redis_server.stop()
    assert _red_in_time(client) == {**all_ok, "redis": "unreachable"}
    redis_server.start()
    assert _ready(client) == (200, all_ok)

    primary.stop()
    assert _red_in_time(client) == {**all_ok, "database": "unreachable", "migrations": "unreachable"}
    primary.start()
    assert _ready(client) == (200, all_ok)

    # A schema behind the code (a deploy that skipped `flask db upgrade`) is not ready either.
    engine = sa.create_engine(database_url(primary.url("rede")))
    with engine.begin() as connection:
        head = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001_foundation'")
    assert _red_in_time(client) == {**all_ok, "migrations": "behind"}
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = %(head)s", {"head": head})
    engine.dispose()
    assert _ready(client) == (200, all_ok)
    assert set(client.get("/readyz").get_json()) == {"status", "checks"}  # no versions, no errors, no hosts


def test_readyz_does_not_hang_on_servers_that_accept_and_never_answer(silent_port):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(f"postgresql://postgres@127.0.0.1:{silent_port}/rede"),
                      "REDIS_URL": f"redis://127.0.0.1:{silent_port}/0"})
    checks = _red_in_time(app.test_client())
    assert checks["database"] in {"unreachable", "timeout"} and checks["redis"] in {"unreachable", "timeout"}
