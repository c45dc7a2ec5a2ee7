"""The API's aggregates and the exports give exactly what the page shows."""
import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from tests.dashboards.test_views import PERIOD, _page_cells, network  # noqa: F401  (the fixture)
from tests.factories import bearer, login, make_api_token

pytestmark = pytest.mark.isolation


def _flatten(body):
    """The API's table figures in the page's order: each row's cells and total, then the totals."""
    shown = []
    for table in body["tables"]:
        for index, row in enumerate(table["cells"]):
            shown += row + ([table["row_totals"][index]] if table["row_totals"] else [])
        if table["column_totals"] is not None:
            shown += table["column_totals"] + ([table["grand_total"]] if table["row_totals"] else [])
    return [str(value) for value in shown]


@pytest.mark.parametrize("query", [PERIOD, f"{PERIOD}&district=porto", "kind=ngo", ""])
def test_the_api_gives_exactly_what_the_page_shows(app, client, network, query):
    with app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(User.email == network["coordinator"]))
        token = make_api_token(coordinator, scopes=["aggregates:read"])
        db.session.commit()
    body = client.get(f"/api/v1/t/{network['coordination']}/aggregates?{query}", headers=bearer(token)).get_json()
    login(client, network["coordinator"], locale="en")
    page = client.get(f"/t/{network['coordination']}/dashboard?{query}").get_data(as_text=True)
    assert _flatten(body) == _page_cells(page)
    assert body["rounding_base"] == 6 and all(int(value) % 6 == 0 for value in _flatten(body))


def test_the_national_periods_are_snapped_to_whole_years_and_bad_places_refused(app):
    from network.national.dashboards.services import parse_filters

    with app.test_request_context():
        filters, errors = parse_filters({"from": "2024-03", "to": "2025-06"}, national=True)
        assert not errors and (filters.start, filters.end) == ("2024-01", "2025-12")
        own, _ = parse_filters({"from": "2024-03", "to": "2025-06"}, national=False)
        assert (own.start, own.end) == ("2024-03", "2025-06")  # a partner's own dashboard: exact months
        assert parse_filters({"district": "atlantis"}, national=True)[1]
        assert parse_filters({"from": "2011-05", "to": "2026-02"}, national=True)[1]  # 16 whole years
