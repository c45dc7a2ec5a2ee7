"""The national read path on a real streaming replica, started by the test: `pg_basebackup -R`
from a throwaway primary. The national dashboard reads there while it is current, falls back
to the primary when it is too far behind or down, and says how far behind it was. The roll-up
rebuild counts there once the replica has replayed the primary's position, and on the primary
when it is down, fails, or does not catch up in time; either way its counts are the primary's."""
import threading
import time
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from prometheus_client.parser import text_string_to_metric_families

from config import database_url
from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from network.national.app import create_app
from network.national.dashboards.rebuild import rebuild_rollups
from network.national.dashboards.rebuild_replica import REPLICA_STEP
from network.national.dashboards.services import dashboard_data, parse_filters
from tests import factories
from tests.dashboards.history import History
from tests.dashboards.test_rollups import national_rows, rollup_rows
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


# --- the roll-up rebuild ------------------------------------------------------------------

REBUILD_PARTNERS = (("gama", "ngo", "porto"), ("delta", "immigrant_association", "lisboa"))


def _partner(slug):
    """The partner as History takes it, its staff member loaded in the current app context."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    staff = db.session.scalar(sa.select(User).where(User.email == f"staff@{slug}.pt"))
    return SimpleNamespace(id=tenant.id, slug=slug, staff=staff, kind=tenant.kind, district=tenant.district)


@pytest.fixture(scope="module")
def history(replicated):
    """Two more partners with a random history of every kind of step, made on the primary."""
    app = replicated[0]
    with app.app_context():
        for slug, kind, district in REBUILD_PARTNERS:
            tenant = factories.make_tenant(slug, kind=kind, district=district)
            factories.make_user(f"staff@{slug}.pt", f"Staff {slug}", [(tenant, "staff")])
        db.session.commit()
        history = History(SimpleNamespace(partners=[_partner(slug) for slug, *_ in REBUILD_PARTNERS]), seed=11)
        for _ in range(40):
            history.step()
    return history


def _register_mentee(app, history, slug):
    """A change on the primary, committed like a request's: its partner's recount runs after it."""
    with app.app_context():
        partner = _partner(slug)
        with tenant_context(partner.id):
            history._mentee(partner, date(2026, 11, 2))
        db.session.commit()


def _rebuild(app, replica=True, workers=2, on_step=lambda label: None):
    """`flask rollups rebuild` with the replica configured or not: where the shares counted
    (from the steps' labels), what it returned and the roll-ups it left."""
    labels, configured = [], app.config["DATABASE_REPLICA_URL"]
    app.config["DATABASE_REPLICA_URL"] = configured if replica else None

    def progress(done, total, label):
        labels.append(label)
        on_step(label)

    try:
        with app.app_context():
            total = rebuild_rollups(progress=progress, workers=workers)
            rows = _rollups(app)
    finally:
        app.config["DATABASE_REPLICA_URL"] = configured
    counted_on = ["replica" if label.endswith(REPLICA_STEP) else "primary"
                  for label in labels if label.endswith((REPLICA_STEP, "processes staged"))]
    return SimpleNamespace(total=total, rows=rows, counted_on=counted_on)


def _rollups(app):
    with app.app_context():
        return rollup_rows(), rollup_rows("published"), national_rows(), national_rows("published")


def test_the_rebuild_counts_on_the_replica_and_equals_a_rebuild_on_the_primary(replicated, history):
    app = replicated[0]
    on_replica = _rebuild(app, workers=2)
    assert on_replica.counted_on == ["replica", "replica"]  # both shares
    assert on_replica.total == len(on_replica.rows[0]) > 0
    on_primary = _rebuild(app, replica=False, workers=3)
    assert on_primary.counted_on == ["primary"] * 3
    assert on_replica.rows == on_primary.rows


def test_a_stopped_or_failing_replica_leaves_the_counting_to_the_primary(replicated, history, caplog):
    app, primary, replica = replicated
    expected = _rebuild(app, replica=False).rows
    replica.stop()
    try:
        stopped = _rebuild(app)
    finally:
        replica.start()
    assert stopped.counted_on == ["primary", "primary"] and stopped.rows == expected
    assert "counting on the primary: the replica is unreachable" in caplog.text

    # The replica goes away once the shares count there: the primary counts everything again.
    def stop_the_replica(label):
        if label.endswith(REPLICA_STEP) and replica.running:
            replica.stop()

    try:
        failed = _rebuild(app, workers=1, on_step=stop_the_replica)
    finally:
        replica.start()
    assert failed.counted_on == ["replica", "primary"] and failed.rows == expected
    assert "the replica failed while counting" in caplog.text


def test_the_rebuild_waits_for_a_replica_behind_the_primary_then_counts_on_the_primary(replicated, history, caplog):
    app, primary, replica = replicated
    wait_for_replay(primary, replica, "rede")
    mentees = "SELECT count(*) FROM mentees"
    replica.scalar("SELECT pg_wal_replay_pause()")
    try:
        # Committed and recounted on the primary: a rebuild on the replica as it is would drop it.
        _register_mentee(app, history, "gama")
        assert replica.scalar(mentees, "rede") == primary.scalar(mentees, "rede") - 1
        app.config["ROLLUP_REBUILD_REPLICA_WAIT_SECONDS"] = 1.5
        started = time.monotonic()
        behind = _rebuild(app)
        assert time.monotonic() - started >= 1.5 and behind.counted_on == ["primary", "primary"]
        assert "counting on the primary: the replica had not replayed up to the primary's" in caplog.text
        assert behind.rows == _rebuild(app, replica=False).rows

        # Replaying again while the rebuild waits: it counts there, the change included.
        _register_mentee(app, history, "delta")
        app.config["ROLLUP_REBUILD_REPLICA_WAIT_SECONDS"] = 60
        started = time.monotonic()
        threading.Timer(1.0, replica.scalar, ["SELECT pg_wal_replay_resume()"]).start()
        caught_up = _rebuild(app)
        assert time.monotonic() - started >= 1.0 and caught_up.counted_on == ["replica", "replica"]
    finally:
        app.config["ROLLUP_REBUILD_REPLICA_WAIT_SECONDS"] = 60
        replica.scalar("SELECT pg_wal_replay_resume()")
    assert caught_up.rows == _rebuild(app, replica=False).rows


def _until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_change_committed_while_the_replica_counts_is_recounted_after_the_swap(replicated, history):
    """The replica's snapshot does not hold it; its partner's recount waits for the rebuild's
    lock, then counts it into the new tables."""
    app, primary, replica = replicated
    mentees = "SELECT count(*) FROM mentees"
    before = primary.scalar(mentees, "rede")
    change = threading.Thread(target=_register_mentee, args=(app, history, "delta"))

    def change_once_the_replica_counts(label):
        if label.endswith(REPLICA_STEP):
            change.start()
            _until(lambda: primary.scalar(mentees, "rede") == before + 1)  # committed; its recount waits

    rebuilt = _rebuild(app, workers=1, on_step=change_once_the_replica_counts)
    change.join(timeout=60)
    assert not change.is_alive() and rebuilt.counted_on == ["replica"]
    assert _rollups(app) == _rebuild(app, replica=False).rows
