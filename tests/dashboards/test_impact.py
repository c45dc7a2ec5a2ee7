"""The impact roll-ups and pages: the rows equal a recount from the outcome services and a
rebuild; the national page shows sums of published rows only, a partner's its exact counts; the
exports and the API carry the same figures; the disclosure audit covers the impact cells."""
import csv
import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.national.dashboards.impact import impact_data
from network.national.dashboards.impact_rows import IMPACT_METRICS
from network.national.dashboards.rebuild import rebuild_rollups
from network.national.dashboards.services import Filters
from network.national.disclosure.audit import audit, load_units
from tests.conftest import DEMO_PASSWORD
from tests.dashboards.history import History, direct_counts, make_network
from tests.dashboards.test_rollups import as_counter, rollup_rows
from tests.factories import login

PERIOD = Filters("2025-01", "2029-12")


def _impact(rows):
    return [row for row in rows if row[1] in IMPACT_METRICS]


@pytest.fixture
def network(app_context):
    network = make_network()
    history = History(network, 11)
    for _ in range(70):
        history.step()
    history.close_open_processes()
    return network


def test_impact_roll_ups_equal_a_recount_and_a_rebuild(network):
    incremental, published = _impact(rollup_rows()), _impact(rollup_rows("published"))
    assert {row[1] for row in incremental} >= {"impact_employment", "impact_gas", "impact_mentor_again"}
    recount = Counter({key: count for key, count in direct_counts(network.partners).items()
                       if key[1] in IMPACT_METRICS})
    assert as_counter(incremental) == recount
    rebuild_rollups()
    assert _impact(rollup_rows()) == incremental
    assert _impact(rollup_rows("published")) == published


def _published_sum(rows, metric, dimension, value, months=None, tenants=None):
    return sum(row[-1] for row in rows if row[1:4] == (metric, dimension, value)
               and (months is None or row[4][:4] in months) and (tenants is None or row[0] in tenants))


def test_the_national_page_adds_up_published_rows_and_a_partners_page_its_exact_counts(network):
    published, exact = _impact(rollup_rows("published")), _impact(rollup_rows())
    data = impact_data(PERIOD)
    tables = {table["key"]: table for table in data["tables"]}
    for table in data["tables"]:
        assert all(cell % data["rounding_base"] == 0 for row in table["cells"] for cell in row), table["key"]
    change = tables["impact_change"]
    for code, cells in zip(change["rows"], change["cells"], strict=True):
        assert cells == [_published_sum(published, f"impact_{code}", "change", value) for value in change["columns"]]
    porto = {partner.id for partner in network.partners if partner.district == "porto"}
    by_district = tables["impact_by_district"]
    row = by_district["cells"][by_district["rows"].index("porto")]
    column = by_district["columns"].index("employment|improved")
    assert row[column] == _published_sum(published, "impact_employment", "change", "improved", tenants=porto)
    by_cohort = tables["impact_by_cohort"]
    for year, cells in zip(by_cohort["rows"], by_cohort["cells"], strict=True):
        for name, cell in zip(by_cohort["columns"], cells, strict=True):
            metric, value = name.split("|")
            metric, dimension = ("impact_gas", "t_band") if metric == "gas" else (f"impact_{metric}", "change")
            assert cell == _published_sum(published, metric, dimension, value, months={year}), (year, name)
    own = network.partners[0].id
    with tenant_context(own):
        mine = {table["key"]: table for table in impact_data(PERIOD, own)["tables"]}
    assert "impact_by_district" not in mine
    for code, cells in zip(mine["impact_change"]["rows"], mine["impact_change"]["cells"], strict=True):
        assert cells == [_published_sum(exact, f"impact_{code}", "change", value, tenants={own})
                         for value in mine["impact_change"]["columns"]]


def test_the_audit_covers_the_impact_cells_and_passes(network):
    units, _ = load_units()
    assert {unit.metric for unit in units} & set(IMPACT_METRICS)
    result = audit()
    assert result.passed, result.failures[:5]


def test_the_pages_exports_and_api_carry_the_impact(app, client, network):
    coordinator, partner = network.coordinator.email, network.partners[0]
    db.session.commit()
    login(client, coordinator, locale="en")
    page = client.get("/t/coordenacao/dashboard/impact?from=2025-01&to=2029-12")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "National impact" in text and "Change from the start to closing" in text
    assert "By year of matching" in text and "Mean T-score" in text
    rows = list(csv.reader(io.StringIO(client.get(
        "/t/coordenacao/dashboard/impact/export?format=csv&from=2025-01&to=2029-12").get_data(as_text=True)
        .lstrip("\ufeff"))))
    data = impact_data(Filters("2025-01", "2029-12"))
    change = {table["key"]: table for table in data["tables"]}["impact_change"]
    work = next(row for row in rows if row and row[0] == "Work")
    assert [int(value) for value in work[1:4]] == change["cells"][0]
    workbook = load_workbook(io.BytesIO(client.get(
        "/t/coordenacao/dashboard/impact/export?format=xlsx&from=2025-01&to=2029-12").data))
    assert any(row[0] == "Work" and list(row[1:4]) == change["cells"][0]
               for row in workbook.active.iter_rows(values_only=True))
    assert client.get("/t/coordenacao/dashboard/impact?from=2029-13").status_code == 400
    client.post("/logout")
    login(client, partner.staff.email, locale="en")
    own = client.get(f"/t/{partner.slug}/dashboard/impact").get_data(as_text=True)
    assert "Your own cases, exact." in own and "By district" not in own


def test_the_api_aggregates_include_the_impact_tables(app, client, network):
    from tests.factories import make_api_token

    token = make_api_token(network.coordinator, ["aggregates:read"])
    db.session.commit()
    body = client.get("/api/v1/t/coordenacao/aggregates?from=2025-01&to=2029-12",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    impact = {table["key"]: table for table in body["impact"]}
    expected = {table["key"]: table for table in impact_data(Filters("2025-01", "2029-12"))["tables"]}
    assert impact["impact_change"]["cells"] == expected["impact_change"]["cells"]
    assert impact["impact_by_cohort"]["rows"] == [str(row) for row in expected["impact_by_cohort"]["rows"]]


def test_the_demo_network_seeds_outcomes_so_the_impact_page_is_not_empty(app, client, demo_network):
    from datetime import date

    year = date.today().year
    with app.app_context():
        exact = [row for row in rollup_rows() if row[1] in IMPACT_METRICS and row[4] >= str(year - 1)]
    # The exact counts of the page's cohorts: what the page publishes of them is rounded with a
    # key drawn per database, so the demo's small counts may all be published as 0 there.
    assert sum(row[-1] for row in exact if row[1] == "impact_gas") > 0
    assert sum(row[-1] for row in exact if row[1] != "impact_gas") > 0
    login(client, "coordenacao@demo.rede-mentores.pt", password=DEMO_PASSWORD, locale="en")
    page = client.get("/t/coordenacao/dashboard/impact").get_data(as_text=True)
    assert f"{year - 1}-01" in page and "Mean T-score" in page


def test_impact_rows_are_counted_by_year_of_matching_and_read_by_whole_years(network):
    rows = _impact(rollup_rows())
    assert rows and {len(row[4]) for row in rows} == {4}, "one row per cohort year ('YYYY')"
    # A period in months counts every year it touches, on the page as in the figures.
    year = Counter(row[4] for row in rows).most_common(1)[0][0]
    some_months = impact_data(Filters(f"{year}-03", f"{year}-05"))
    whole_year = impact_data(Filters(f"{year}-01", f"{year}-12"))
    assert some_months["filters"]["start"] == f"{year}-01" and some_months["filters"]["end"] == f"{year}-12"
    assert some_months["tables"] == whole_year["tables"]
    assert any(any(row) for table in whole_year["tables"] for row in table["cells"])


def test_a_page_in_months_says_it_counts_whole_years(app, client, network):
    partner = network.partners[0]
    db.session.commit()
    login(client, partner.staff.email, locale="en")
    text = client.get(f"/t/{partner.slug}/dashboard/impact?from=2026-03&to=2026-05").get_data(as_text=True)
    assert "Periods are whole calendar years" in text
    assert 'value="2026-01"' in text and 'value="2026-12"' in text


def test_the_audits_periods_hold_the_cohort_years_they_cover():
    from datetime import date

    from network.national.disclosure.grid import Grid

    grid = Grid({"2025", "2026", "2025-03"}, date(2026, 11, 15))
    periods = {(start, end): keys for start, end, keys in grid.periods}
    assert "2025" in periods[("2025-01", "2025-12")] and "2026" in periods[("2025-01", "2026-12")]
    assert "2025" not in periods[("2026-01", "2026-12")]
    assert not {"2025", "2026"} & periods[("2025-12", "2026-11")]  # the last 12 months: no whole year


def test_upgrading_marks_every_partner_for_a_recount_into_cohort_years(app, network):
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from network.core.jobs.runner import run_job
    from network.national.dashboards.hooks import recount_stale_partners
    from network.national.dashboards.models import RollupStatus
    from tests.dashboards.test_rollups import national_rows

    db.session.commit()
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).where(RollupStatus.stale_mark.is_not(None))) == 0
    downgrade(revision="0015_dashperf")
    upgrade(revision="heads")
    stale = set(db.session.scalars(sa.select(RollupStatus.tenant_id).where(RollupStatus.stale_mark.is_not(None))))
    assert stale == {partner.id for partner in network.partners}
    db.session.remove()
    run_job(app, recount_stale_partners, None, (), {})
    counted, national = rollup_rows(), national_rows()
    rebuild_rollups()
    assert rollup_rows() == counted and national_rows() == national
