"""Row-Level Security of the roll-up tables (PostgreSQL): a tenant's refresh job reads and
writes only that tenant's roll-ups; the national role reads all and rebuilds them."""
import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy.rls import NATIONAL_ROLE, RUNTIME_ROLE
from tests.dashboards.history import History, make_network


def _as(connection, role, tenant_id):
    connection.exec_driver_sql(
        "SELECT set_config('app.tenant_id', %(t)s, true), set_config('role', %(r)s, true)",
        {"t": "" if tenant_id is None else str(tenant_id), "r": role},
    )


@pytest.fixture
def partners(app_context):
    network = make_network()
    history = History(network, 8)
    for _ in range(30):
        history.step()
    return [partner.id for partner in network.partners]


def test_a_tenant_sees_and_writes_only_its_own_roll_ups(partners):
    alpha, beta = partners[:2]
    with db.engine.connect() as connection:
        with connection.begin():
            _as(connection, RUNTIME_ROLE, alpha)
            assert set(connection.exec_driver_sql("SELECT tenant_id FROM rollup_counts").scalars()) == {alpha}
            with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
                connection.exec_driver_sql(
                    f"INSERT INTO rollup_counts (tenant_id, metric, dimension, month, value, district, tenant_kind, "
                    f"count) VALUES ({beta}, 'matched', 'all', '2026-01', '', 'porto', 'ngo', 99)")
        with connection.begin():
            _as(connection, RUNTIME_ROLE, alpha)
            connection.exec_driver_sql(f"DELETE FROM rollup_counts WHERE tenant_id = {beta}")
        with connection.begin():
            _as(connection, NATIONAL_ROLE, None)
            seen = set(connection.exec_driver_sql("SELECT tenant_id FROM rollup_counts").scalars())
            assert {alpha, beta} <= seen  # the DELETE above could not touch beta's rows


def test_the_national_role_may_rebuild_roll_ups_and_nothing_else(partners):
    with db.engine.connect() as connection:
        with connection.begin() as transaction:
            _as(connection, NATIONAL_ROLE, None)
            connection.exec_driver_sql("TRUNCATE rollup_counts, rollup_national")
            transaction.rollback()
        with connection.begin():
            _as(connection, NATIONAL_ROLE, None)
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                connection.exec_driver_sql("DELETE FROM mentoring_processes")
