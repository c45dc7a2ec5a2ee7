"""Roll-ups: the incremental path equals a rebuild from scratch, on random histories; and
the dashboard's figures equal a direct count from the case tables."""
from collections import Counter

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass, tenant_context
from network.national.dashboards.models import NationalRollup, RollupCount, RollupProfileSum
from network.national.dashboards.rebuild import rebuild_rollups
from network.national.dashboards.rollups import current_month, dimension_values, national_keys, refresh_tenant_rollups
from network.national.dashboards.services import Filters, dashboard_data
from tests.dashboards.history import History, direct_counts, make_network


def rollup_rows(column="count"):
    with national_rollup_bypass("test: read the roll-ups"):
        rows = db.session.execute(sa.select(
            RollupCount.tenant_id, RollupCount.metric, RollupCount.dimension, RollupCount.value,
            RollupCount.month, RollupCount.district, RollupCount.tenant_kind, getattr(RollupCount, column))).all()
    return sorted(tuple(row) for row in rows)


def national_rows(column="count"):
    with national_rollup_bypass("test: read the national sums"):
        n = NationalRollup
        rows = db.session.execute(sa.select(n.district, n.tenant_kind, n.metric, n.dimension, n.month, n.value,
                                            getattr(n, column))).all()
    return sorted(tuple(row) for row in rows if row[-1])


def expected_national_rows(rows):
    """The national sums, computed in Python from the tenant rows."""
    sums = Counter()
    for _tenant_id, metric, dimension, value, month, district, kind, count in rows:
        for key in national_keys((district, kind, metric, dimension, month, value)):
            sums[key] += count
    return sorted((*key, count) for key, count in sums.items() if count)


PROFILE_METRICS = ("mentees_registered", "matched", "goals_met", "active_mentees")


def published_counter():
    """What the dashboards may show (docs/disclosure.md): the published counts as `as_counter`
    adds them up, each total being the sum of its finest rows (the profiles; for "closed" its
    outcomes, goals met being the `goals_met` metric; "ongoing" being the active mentees)."""
    counter = as_counter(rollup_rows("published"))
    composed = Counter({key: value for key, value in counter.items()
                        if not (key[2] == "all" and key[1] in PROFILE_METRICS + ("closed", "ongoing"))})
    for (tenant_id, metric, dimension, value, month), total in counter.items():
        if metric in PROFILE_METRICS and dimension == "gender":
            composed[(tenant_id, metric, "all", "", month)] += total
            if metric == "goals_met":
                composed[(tenant_id, "closed", "all", "", month)] += total
                composed[(tenant_id, "closed", "outcome", "goals_met", month)] += total
            if metric == "active_mentees":
                composed[(tenant_id, "ongoing", "all", "", month)] += total
        if metric == "closed" and dimension == "outcome" and value != "goals_met":
            composed[(tenant_id, "closed", "all", "", month)] += total
    composed = Counter({key: value for key, value in composed.items()
                        if not (key[1] == "closed" and key[2] == "outcome" and key[3] == "goals_met")})
    for (tenant_id, metric, dimension, _value, month), total in list(composed.items()):
        if metric == "goals_met" and dimension == "all":
            composed[(tenant_id, "closed", "outcome", "goals_met", month)] = total
    return composed


def as_counter(rows, snapshot_metrics=("active_mentors", "active_mentees", "ongoing")):
    """The counts as the dashboards show them: a profile row counts for "all" and for each of
    the mentee's four dimensions."""
    counter = Counter()
    for tenant_id, metric, dimension, value, month, _, _, count in rows:
        for shown, shown_value in dimension_values(dimension, value):
            counter[(tenant_id, metric, shown, shown_value, None if metric in snapshot_metrics else month)] += count
    return counter


def profile_sums():
    s = RollupProfileSum
    with national_rollup_bypass("test: read the profile sums"):
        rows = db.session.execute(sa.select(s.tenant_id, s.metric, s.month, s.district, s.tenant_kind,
                                            s.published)).all()
    return sorted(tuple(row) for row in rows)


def expected_profile_sums():
    """Each partner's published profile rows added up by metric and month, in Python."""
    sums = Counter()
    for tenant_id, metric, dimension, _value, month, district, kind, published in rollup_rows("published"):
        if dimension == "profile":
            sums[(tenant_id, metric, month, district, kind)] += published
    return sorted((*key, total) for key, total in sums.items())


def test_the_profile_sums_follow_each_recount_and_the_rebuild(app_context):
    history = History(make_network(), 6)
    for step in range(40):
        history.step()
        if step % 20 == 19:
            incremental = profile_sums()
            assert incremental and incremental == expected_profile_sums(), f"step {step}"
            rebuild_rollups()
            assert profile_sums() == incremental, f"step {step}"


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_incremental_roll_ups_equal_a_rebuild_on_random_histories(app_context, seed):
    network = make_network()
    history = History(network, seed)
    for step in range(60):
        history.step()
        if step % 20 == 19:
            incremental, incremental_national = rollup_rows(), national_rows()
            published, published_national = rollup_rows("published"), national_rows("published")
            assert incremental_national == expected_national_rows(incremental)
            assert published_national == expected_national_rows(published)
            rebuild_rollups()
            assert rollup_rows() == incremental, f"seed {seed}, step {step}"
            assert national_rows() == incremental_national, f"seed {seed}, step {step}"
            # The same rows draw the same rounding, whichever path counted them.
            assert rollup_rows("published") == published, f"seed {seed}, step {step}"
            assert national_rows("published") == published_national
    # And both equal the direct count from the case tables.
    assert as_counter(rollup_rows()) == direct_counts(network.partners)


def test_a_replayed_refresh_changes_nothing(app_context):
    network = make_network()
    history = History(network, 11)
    for _ in range(30):
        history.step()
    before, before_national = rollup_rows(), national_rows()
    partner = network.partners[0]
    for _ in range(2):
        with tenant_context(partner.id):
            refresh_tenant_rollups(partner.id)
        db.session.commit()
    assert rollup_rows() == before
    assert national_rows() == before_national


def test_a_rolled_back_change_schedules_no_refresh(app_context):
    network = make_network()
    History(network, 3).step()
    before = rollup_rows()
    partner = network.partners[0]
    from tests.factories import make_mentee

    with tenant_context(partner.id):
        make_mentee("Rolled Back", email="rolled@example.pt")
    db.session.rollback()
    with tenant_context(partner.id):
        refresh_tenant_rollups(partner.id)  # what a stray job would write: the same rows
    db.session.commit()
    assert rollup_rows() == before


def _expected(direct, metric, dimension="all", value="", months=None, tenants=None):
    return sum(count for (tenant_id, m, d, v, month), count in direct.items()
               if m == metric and d == dimension and v == value
               and (months is None or month is None or month in months)
               and (tenants is None or tenant_id in tenants))


def test_the_dashboard_equals_the_published_counts_of_the_roll_ups(app, app_context):
    """Every figure is the sum of the published partner rows (the exact ones equal a direct
    count from the case tables: `test_incremental_roll_ups_equal_a_rebuild_on_random_histories`)."""
    network = make_network()
    history = History(network, 7)
    for _ in range(120):
        history.step()
    assert as_counter(rollup_rows()) == direct_counts(network.partners)
    direct = published_counter()
    filters = Filters("2025-01", current_month())
    months = set(filters.months)
    data = dashboard_data(filters)
    with tenant_context(network.partners[0].id):  # as in the partner's own request
        partner_data = dashboard_data(filters, network.partners[0].id)
    porto = dashboard_data(Filters("2025-01", current_month(), district="porto"))
    tables = {table["key"]: table for table in data["tables"]}

    _check_national_tables(direct, tables, data["headline"], months)
    by_district = dict(zip(tables["by_district"]["rows"], tables["by_district"]["cells"]))
    porto_ids = {p.id for p in network.partners if p.district == "porto"}
    matched = tables["by_district"]["columns"].index("matched")
    assert by_district["porto"][matched] == _expected(direct, "matched", months=months, tenants=porto_ids)
    porto_funnel = {t["key"]: t for t in porto["tables"]}["funnel"]
    assert porto_funnel["cells"][0] == _never_wider([_expected(direct, c, months=months, tenants=porto_ids)
                                                    for c in porto_funnel["columns"]])
    _check_mentee_tables(direct, tables, months)
    partner_funnel = {t["key"]: t for t in partner_data["tables"]}["funnel"]
    own = {network.partners[0].id}
    assert partner_funnel["cells"][0] == _never_wider([_expected(direct, c, months=months, tenants=own)
                                                       for c in partner_funnel["columns"]])
    assert "by_partner" not in {t["key"] for t in partner_data["tables"]}


def _check_national_tables(direct, tables, headline, months):
    assert headline["active_mentors"] == _expected(direct, "active_mentors")
    assert headline["active_mentees"] == _expected(direct, "active_mentees")
    assert headline["ongoing"] == _expected(direct, "ongoing")
    assert headline["evaluated"] == _expected(direct, "closed", months=months)
    funnel = tables["funnel"]
    assert funnel["cells"][0] == _never_wider([_expected(direct, column, months=months)
                                              for column in funnel["columns"]])
    by_month = tables["by_month"]
    for row, cells in zip(by_month["rows"], by_month["cells"]):
        for column, value in zip(by_month["columns"], cells):
            assert value == _expected(direct, column, months={row}), (row, column)
    by_partner = tables["by_partner"]
    for tenant_id, cells in zip(by_partner["rows"], by_partner["cells"]):
        for column, value in zip(by_partner["columns"], cells):
            assert value == _expected(direct, column, months=months, tenants={tenant_id}), (tenant_id, column)


def _check_mentee_tables(direct, tables, months):
    for dimension in ("country", "age_band", "gender", "residence", "support_area"):
        table = tables[dimension]
        for value, cells in zip(table["rows"], table["cells"]):
            for column, shown in zip(table["columns"], cells):
                assert shown == _expected(direct, column, dimension, value, months=months), (dimension, value, column)
    outcomes = tables["outcomes"]
    for value, cells in zip(outcomes["rows"], outcomes["cells"]):
        assert cells[0] == _expected(direct, "closed", "outcome", value, months=months)


def _never_wider(stages):
    """The funnel's rule: a stage shows at most the stage before it."""
    return [min(stages[:k + 1]) for k in range(len(stages))]


def test_every_count_shown_is_a_multiple_of_the_rounding_base(app_context):
    network = make_network()
    history = History(network, 9)
    for _ in range(80):
        history.step()
    data = dashboard_data(Filters("2025-01", current_month()))
    assert data["rounding_base"] == 6
    for table in data["tables"]:
        for row in table["cells"] + [table["column_totals"] or []]:
            for value in row:
                assert value % 6 == 0, (table["key"], row)
    for key, value in data["headline"].items():
        assert key == "goals_met_rate" or value % 6 == 0, key
