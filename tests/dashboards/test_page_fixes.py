"""Defects of the dashboard found reading it in a browser (issue 21): the funnel, its wording,
the export file names."""
import html
import re

import pytest

from network.national.dashboards import services
from network.national.dashboards.services import FUNNEL
from tests.dashboards.test_views import PERIOD, network  # noqa: F401 (the fixture)
from tests.factories import login

pytestmark = pytest.mark.isolation


def test_a_funnel_stage_is_never_wider_than_the_one_before():
    flow = dict(zip(FUNNEL, (12, 6, 18, 12, 24, 6), strict=True))
    assert [services.funnel_stages(flow)[("all", metric)] for metric in FUNNEL] == [12, 6, 6, 6, 6, 6]


def _funnel_cells(page):
    section = re.search(r'<section class="panel" id="funnel">(.*?)</section>', page, re.S).group(1)
    return [int(re.sub(r"\D", "", cell)) for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', section)]


def test_the_funnel_never_goes_up_says_why_and_reads_alike(client, network):  # noqa: F811
    login(client, network["coordinator"], locale="en")
    for query in (PERIOD, f"{PERIOD}&district=porto", f"{PERIOD}&district=faro", f"{PERIOD}&kind=ngo"):
        page = client.get(f"/t/{network['coordination']}/dashboard?{query}").get_data(as_text=True)
        cells = _funnel_cells(page)
        assert len(cells) == len(FUNNEL) and cells == sorted(cells, reverse=True), (query, cells)
        assert "is never larger than the stage before it" in html.unescape(page)
    client.post("/locale", data={"locale": "pt_PT"})
    page = html.unescape(client.get(f"/t/{network['coordination']}/dashboard?{PERIOD}").get_data(as_text=True))
    for label in ("Mentorandos inscritos", "Mentorandos entrevistados", "Mentorandos emparelhados",
                  "Acordos assinados", "Processos iniciados", "Processos encerrados com objetivos cumpridos"):
        assert label in page, label


def test_export_file_names_carry_the_filters(client, network):  # noqa: F811
    login(client, network["coordinator"], locale="en")
    for query, name in (
        (PERIOD, "rede-mentores-2025-01-2026-12.csv"),
        (f"{PERIOD}&district=porto", "rede-mentores-2025-01-2026-12-district-porto.csv"),
        (f"{PERIOD}&district=porto&kind=ngo&partners=all",
         "rede-mentores-2025-01-2026-12-district-porto-kind-ngo-all-partners.csv"),
    ):
        response = client.get(f"/t/{network['coordination']}/dashboard/export?format=csv&{query}")
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


def _partner_rows(page):
    section = re.search(r'<section class="panel" id="by_partner">(.*?)</section>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.S).group(1)
    rows = []
    for row in body.split("</tr>"):
        if "<th" in row:
            name = html.unescape(re.search(r'<th scope="row">(.*?)</th>', row).group(1))
            rows.append((name, [int(re.sub(r"\D", "", cell) or 0) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]))
    return rows


def test_the_partner_table_is_sorted_largest_first_paged_and_explained(app, client, network):  # noqa: F811
    app.config["DASHBOARD_PARTNER_ROWS"] = 3
    try:
        login(client, network["coordinator"], locale="en")
        base = f"/t/{network['coordination']}/dashboard?{PERIOD}"
        page = client.get(base).get_data(as_text=True)
        first = _partner_rows(page)
        assert len(first) == 3
        registered = [cells[1] for _, cells in first]
        assert registered == sorted(registered, reverse=True)
        assert "Partners 1 to 3 of 4, sorted by Mentees registered (largest first)." in html.unescape(page)
        assert "The totals are those of all 4 partners." in page
        assert 'aria-sort="descending"' in page and "ppage=2" in page
        second = _partner_rows(client.get(f"{base}&ppage=2").get_data(as_text=True))
        assert len(second) == 1 and second[0][1][1] <= registered[-1]
        by_name = _partner_rows(client.get(f"{base}&psort=name").get_data(as_text=True))
        names = [name for name, _ in by_name]
        assert names == sorted(names, key=str.casefold)
        matched = _partner_rows(client.get(f"{base}&psort=matched").get_data(as_text=True))
        assert [cells[2] for _, cells in matched] == sorted((cells[2] for _, cells in matched), reverse=True)
    finally:
        app.config["DASHBOARD_PARTNER_ROWS"] = 50


def test_no_table_header_is_empty_and_phone_cells_carry_their_column(client, network):  # noqa: F811
    login(client, network["coordinator"], locale="en")
    page = client.get(f"/t/{network['coordination']}/dashboard?{PERIOD}").get_data(as_text=True)
    assert not re.search(r"<th[^>]*>\s*</th>", page)
    cells = re.findall(r"<td[^>]*>", page)
    assert cells and all("data-label=" in cell for cell in cells)
