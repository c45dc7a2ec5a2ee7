"""The national read path on a real streaming replica, started by the test: `pg_basebackup -R`
from a throwaway primary. The national dashboard reads there while it is current, falls back
to the primary when it is too far behind or down, and says how far behind it was."""
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from prometheus_client.parser import text_string_to_metric_families

from config import database_url
from network.core.extensions import db
from network.national.app import create_app
from network.national.dashboards.services import dashboard_data, parse_filters
from tests import factories
from tests.ops.pgcluster import wait_for_replay

TOKEN = "replica-scrape-token"


@pytest.fixture(scope="module")
def replicated(clusters):
    primary = clusters.primary("primary")
    primary.create_database("rede")
    replica = clusters.replica_of(primary)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(primary.url("rede")),
                      "DATABASE_REPLICA_URL": replica.url("rede"), "REPLICA_CHECK_SECONDS": 0,
                      "METRICS_TOKEN": TOKEN})
    with app.app_context():
        upgrade(revision="heads")  # on the primary; the replica follows
        factories.two_partner_network()
        db.session.commit()
    return app, primary, replica


def _set_active_mentees(primary, count):
    """The national roll-up's headline figure, written on the primary as the roll-up job would
    (a mentee total is the sum of the published rows of one profile dimension: docs/disclosure.md)."""
    engine = sa.create_engine(database_url(primary.url("rede")))
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM rollup_national WHERE metric = 'active_mentees'")
        connection.exec_driver_sql(
            "INSERT INTO rollup_national (district, tenant_kind, dimension, metric, month, value, count, published) "
            "VALUES ('', '', 'gender', 'active_mentees', '2026-12', 'female', %(count)s, %(count)s)", {"count": count})
    engine.dispose()


def _national(app):
    with app.test_request_context():
        filters, errors = parse_filters({}, True)
        data = dashboard_data(filters)
        # What the caller's own session uses afterwards: still the primary.
        assert db.session.get_bind().url.port == int(app.config["SQLALCHEMY_DATABASE_URI"].rsplit(":", 1)[1]
                                                     .split("/")[0])
        return data["headline"]["active_mentees"], data["read_from"]


def test_national_reads_use_the_replica_while_it_is_current_and_the_primary_otherwise(replicated):
    app, primary, replica = replicated
    _set_active_mentees(primary, 7)
    wait_for_replay(primary, replica, "rede")
    assert replica.scalar("SELECT count FROM rollup_national WHERE metric = 'active_mentees'", "rede") == 7

    shown, source = _national(app)
    assert shown == 7 and source["replica"] is True and source["lag_seconds"] == 0

    # The replica stops replaying: the primary moves on to 9, the replica still says 7.
    replica.scalar("SELECT pg_wal_replay_pause()")
    _set_active_mentees(primary, 9)
    app.config["REPLICA_MAX_LAG_SECONDS"] = 3600
    shown, source = _national(app)
    assert (shown, source["replica"]) == (7, True)  # read there: a lag the setting accepts
    assert source["lag_seconds"] > 0
    app.config["REPLICA_MAX_LAG_SECONDS"] = 0
    shown, source = _national(app)
    assert (shown, source["replica"]) == (9, False)  # too far behind: the primary answers

    replica.scalar("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, replica, "rede")
    app.config["REPLICA_MAX_LAG_SECONDS"] = 30
    assert _national(app)[0] == 9 and _national(app)[1]["replica"] is True


def test_the_dashboard_and_metrics_show_the_replica_lag_and_a_stopped_replica_falls_back(replicated):
    app, primary, replica = replicated
    _set_active_mentees(primary, 11)
    wait_for_replay(primary, replica, "rede")
    client = app.test_client()
    factories.login(client, "coord@example.pt", locale="en")
    page = client.get("/t/coordenacao/dashboard").get_data(as_text=True)
    assert "Last refreshed:" in page and "Read from the replica database, 0 s behind the main one." in page

    def scrape():
        text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
        return {sample.name: sample.value for family in text_string_to_metric_families(text)
                for sample in family.samples if sample.name.startswith("rede_replica")}

    assert scrape() == {"rede_replica_lag_seconds": 0, "rede_replica_in_use": 1}

    replica.stop()
    try:
        shown, source = _national(app)
        assert (shown, source) == (11, {**source, "replica": False, "lag_seconds": None})
        page = client.get("/t/coordenacao/dashboard").get_data(as_text=True)
        assert "Last refreshed:" in page and "Read from the replica" not in page
        assert scrape() == {"rede_replica_lag_seconds": -1, "rede_replica_in_use": 0}
        readiness = client.get("/readyz")
        assert readiness.status_code == 200  # the primary serves the national reads meanwhile
        assert readiness.get_json()["checks"]["replica"] == "unreachable"
    finally:
        replica.start()
    shown, source = _national(app)
    assert (shown, source["replica"]) == (11, True)
