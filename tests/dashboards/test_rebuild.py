"""The rebuild on PostgreSQL: shared out between connections, then swapped in. The swapped-in
tables keep everything the live ones had, and a rebuild that fails changes nothing."""
import pytest

from network.core.database import owner_engine
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.national.dashboards.rebuild import LIVE_TABLES, rebuild_rollups
from network.national.dashboards.rollups import refresh_tenant_rollups
from tests.dashboards.history import History, make_network
from tests.dashboards.test_rollups import national_rows, rollup_rows


def catalog(table):
    """What a table has beyond its rows, as PostgreSQL describes it."""
    with owner_engine().connect() as connection:
        run = lambda sql: sorted(tuple(row) for row in connection.exec_driver_sql(sql, {"t": table}).all())  # noqa: E731
        return {
            "columns": run("SELECT column_name, data_type, character_maximum_length, collation_name, is_nullable "
                           "FROM information_schema.columns WHERE table_name = %(t)s"),
            "constraints": run("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conrelid = %(t)s::regclass"),
            "indexes": run("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %(t)s"),
            "security": run("SELECT relrowsecurity, relforcerowsecurity, relpersistence FROM pg_class "
                            "WHERE oid = %(t)s::regclass"),
            "policies": run("SELECT policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies "
                            "WHERE tablename = %(t)s"),
            "grants": run("SELECT grantee, privilege_type FROM information_schema.role_table_grants "
                          "WHERE table_name = %(t)s"),
        }


def leftovers():
    with owner_engine().connect() as connection:
        return connection.exec_driver_sql(
            "SELECT relname FROM pg_class WHERE right(relname, 5) = '_next' OR relname = 'rollup_national_sums'"
        ).scalars().all()


@pytest.fixture
def network(app_context):
    network = make_network()
    history = History(network, 5)
    for _ in range(40):
        history.step()
    return network


def test_the_swapped_in_tables_keep_the_keys_indexes_policies_and_grants(network):
    before = {table: catalog(table) for table in LIVE_TABLES}
    assert before["rollup_counts"]["policies"] and before["rollup_counts"]["grants"]
    rows, national = rollup_rows(), national_rows()
    rebuild_rollups(workers=3)
    assert {table: catalog(table) for table in LIVE_TABLES} == before
    assert rollup_rows() == rows and national_rows() == national
    assert leftovers() == []


def test_a_failed_rebuild_changes_nothing_and_leaves_nothing_behind(network):
    rows, national = rollup_rows(), national_rows()

    def fail_midway(done, total, label):
        if "matched" in label:
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        rebuild_rollups(progress=fail_midway, workers=2)
    assert rollup_rows() == rows and national_rows() == national
    assert leftovers() == []
    # The rebuild's lock is released: a partner's refresh goes ahead.
    partner = network.partners[0]
    with tenant_context(partner.id):
        refresh_tenant_rollups(partner.id)
    db.session.commit()
    assert rollup_rows() == rows


def test_a_rebuild_failing_while_the_keys_are_built_apart_leaves_nothing_behind(network):
    """The national sums fail while another connection builds the partner table's keys: that
    connection finishes or stops, and nothing of either is left."""
    rows, national = rollup_rows(), national_rows()

    def fail_at_the_sums(done, total, label):
        if label == "national sums":
            raise RuntimeError("out of disk")

    with pytest.raises(RuntimeError, match="out of disk"):
        rebuild_rollups(progress=fail_at_the_sums, workers=2)
    assert rollup_rows() == rows and national_rows() == national
    assert leftovers() == []


def test_the_rebuild_returns_how_many_partner_rows_it_wrote(network):
    assert rebuild_rollups(workers=2) == len(rollup_rows())


def test_each_worker_counts_its_own_share_of_the_partners(network):
    rows = rollup_rows()
    for workers in (1, 4):
        rebuild_rollups(workers=workers)
        assert rollup_rows() == rows, workers
