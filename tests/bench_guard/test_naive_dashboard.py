"""The benchmark's naive dashboard (bench/naive_dashboard.py) counts what the roll-ups count: on a
random history, each of its tables equals the roll-ups' exact counts (the national sums), so the
ratio ours ÷ naive that `bench.run` reports compares two ways of computing the same figures."""
from collections import Counter

import pytest
import sqlalchemy as sa

from bench.naive_dashboard import MENTEE_COLUMNS, MENTEE_TABLE_METRICS, naive_figures
from network.core.database import owner_engine
from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass
from network.national.dashboards.models import ANY, NationalRollup
from network.national.dashboards.rebuild import rebuild_rollups
from network.national.dashboards.rollups import ALL, FLOW_METRICS
from tests.dashboards.history import History, make_network


@pytest.fixture
def figures(app_context):
    history = History(make_network(), 11)
    for _ in range(60):
        history.step()
    rebuild_rollups()
    with owner_engine().connect() as connection:
        naive = naive_figures(connection.connection.driver_connection, "2000-01", "2099-12")
    n = NationalRollup
    with national_rollup_bypass("test: the national sums"):
        rows = db.session.execute(sa.select(n.district, n.tenant_kind, n.metric, n.dimension, n.month, n.value,
                                            n.count)).all()
    return naive, rows


def _rollup_tables(rows):
    """The naive tables' keys, from the exact national sums."""
    tables = {name: Counter() for name in ("totals", "by_month", "by_district", "by_kind", "outcomes", "support_area",
                                           *MENTEE_COLUMNS)}
    for district, kind, metric, dimension, month, value, count in rows:
        if dimension == ALL:
            if (district, kind) == (ANY, ANY):
                tables["totals"][(metric,)] += count
                if metric in FLOW_METRICS:
                    tables["by_month"][(month, metric)] += count
            elif kind == ANY:
                tables["by_district"][(district, metric)] += count
            elif district == ANY:
                tables["by_kind"][(kind, metric)] += count
        elif (district, kind) == (ANY, ANY) and dimension == "outcome":
            tables["outcomes"][(value,)] += count
        elif (district, kind) == (ANY, ANY) and dimension in tables and metric in MENTEE_TABLE_METRICS:
            tables[dimension][(metric, value)] += count
    return {name: {key: count for key, count in table.items() if count} for name, table in tables.items()}


def test_the_naive_dashboard_counts_what_the_roll_ups_count(figures):
    naive, rows = figures
    expected = _rollup_tables(rows)
    assert expected["totals"][("matched",)] > 0 and expected["country"]
    assert {name: {key: count for key, count in table.items() if count} for name, table in naive.items()} == expected
