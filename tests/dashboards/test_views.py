"""The dashboard pages: who sees what, bad filters, exports equal to the page, export jobs."""
import csv
import html
import io
import re
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from network.national.dashboards.models import DashboardExport
from tenants.participants.models import Mentee, Mentor
from tests.dashboards.history import History, make_network
from tests.factories import login, make_user

pytestmark = pytest.mark.isolation


@pytest.fixture
def network(app, snapshots):
    return snapshots.build_once("dashboards network", lambda: _build_network(app))


def _build_network(app):
    with app.app_context():
        network = make_network()
        history = History(network, 5)
        for _ in range(50):
            history.step()
        names = []
        for partner in network.partners:
            with tenant_context(partner.id):
                names += [p.full_name for model in (Mentor, Mentee) for p in db.session.scalars(db.select(model))]
        other = make_user("other.coord@example.pt", roles=[(network.coordination, "coordinator")])
        db.session.commit()
        return {"coordination": network.coordination.slug, "coordinator": network.coordinator.email,
                "other_coordinator": other.email, "partners": [(p.slug, p.staff.email) for p in network.partners],
                "names": names}


PERIOD = "from=2025-01&to=2026-12"


def test_coordinators_see_national_aggregates_and_no_person(client, network):
    login(client, network["coordinator"], locale="en")
    response = client.get(f"/t/{network['coordination']}/dashboard?{PERIOD}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("National dashboard", "Active mentors", "From registration to goals met", "By district",
                 "By partner", "Mentees by country of origin", "<svg", "role=\"img\""):
        assert text in page, text
    assert not any(name in page for name in network["names"])
    assert "<script" not in page and "style=" not in page  # the strict CSP holds
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) >= 5
    for chart in charts:
        root = ElementTree.fromstring(chart)  # well-formed, with a title for screen readers
        assert root.find("{http://www.w3.org/2000/svg}title").text


def test_partner_staff_see_their_own_dashboard_only(client, network):
    (alpha, alpha_staff), (beta, _) = network["partners"][:2]
    login(client, alpha_staff, locale="en")
    page = client.get(f"/t/{alpha}/dashboard?{PERIOD}").get_data(as_text=True)
    assert "Dashboard of" in page and "By partner" not in page
    assert client.get(f"/t/{beta}/dashboard").status_code == 404
    assert client.get(f"/t/{network['coordination']}/dashboard").status_code == 404


def test_a_coordinator_gets_404_on_every_tenant_case_route(app, client, network):
    """In a partner's workspace nothing answers; in the coordination workspace, only the pages
    meant for coordinators."""
    login(client, network["coordinator"])
    partner = network["partners"][0][0]
    checked = 0
    for rule in app.url_map.iter_rules():
        if "tenant_slug" not in rule.arguments or rule.endpoint.startswith("api."):
            continue  # (the API, with tokens: tests/api/test_isolation.py)
        view = app.view_functions[rule.endpoint]
        values = {name: 1 for name in rule.arguments}
        for slug in (partner, network["coordination"]):
            if slug == network["coordination"] and "coordinator" in getattr(view, "required_roles", ()):
                continue
            path = rule.rule
            for name, value in {**values, "tenant_slug": slug}.items():
                path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(value), path)
            path = re.sub(r"<any\(([a-z_]+)[^)]*\):[a-z_]+>", r"\1", path)
            for method in ("GET", "POST"):
                if method in rule.methods:
                    response = client.open(path, method=method)
                    assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
                    checked += 1
    assert checked > 20


@pytest.mark.parametrize("query, message", [
    ("district=atlantida", "Choose one of the options."),
    ("kind=coordination", "Choose one of the options."),
    ("from=2026-05&to=2026-01", "The period starts after it ends"),
    ("from=2026-13", "Enter a month like 2026-03."),
    ("from=1990-01&to=2026-01", "Enter a month like 2026-03."),
    ("from=2000-01&to=2026-01", "at most 120 months"),
])
def test_bad_filters_are_refused_with_a_clear_message(client, network, query, message):
    login(client, network["coordinator"], locale="en")
    response = client.get(f"/t/{network['coordination']}/dashboard?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    export = client.get(f"/t/{network['coordination']}/dashboard/export?format=csv&{query}")
    assert export.status_code == 400 and message in export.get_data(as_text=True)


def test_a_reversed_period_is_refused_in_portuguese_too(client, network):
    login(client, network["coordinator"], locale="pt_PT")
    page = client.get(f"/t/{network['coordination']}/dashboard?from=2026-05&to=2026-01").get_data(as_text=True)
    assert "O período começa depois de acabar" in html.unescape(page)


def _page_cells(page):
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip().replace("\u202f", "").replace("\xa0", "")
            for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', page)]


def _export_cells(rows):
    start = next(k for k, row in enumerate(rows) if row and row[0] in ("From registration to goals met",))
    cells = []
    for row in rows[start:]:
        values = [str(cell) for cell in row[1:]]
        while values and values[-1] == "":  # a sheet's rows are as wide as its widest
            values.pop()
        if values and all(re.fullmatch(r"\d+", value) for value in values):
            cells += values
    return cells


@pytest.mark.parametrize("slug_of", ["coordination", "partner"])
def test_exports_hold_exactly_what_the_page_shows(client, network, slug_of):
    if slug_of == "coordination":
        slug, user = network["coordination"], network["coordinator"]
    else:
        slug, user = network["partners"][0]
    login(client, user, locale="en")
    query = f"{PERIOD}&district=porto" if slug_of == "coordination" else PERIOD
    page = client.get(f"/t/{slug}/dashboard?{query}").get_data(as_text=True)
    shown = _page_cells(page)
    # Published counts only (docs/disclosure.md): multiples of the rounding base, no markers.
    assert shown and all(int(value) % 6 == 0 for value in shown)
    response = client.get(f"/t/{slug}/dashboard/export?format=csv&{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert _export_cells(rows) == shown
    workbook = load_workbook(io.BytesIO(client.get(f"/t/{slug}/dashboard/export?format=xlsx&{query}").data))
    sheet_rows = [["" if cell is None else cell for cell in row] for row in workbook.active.iter_rows(values_only=True)]
    assert _export_cells(sheet_rows) == shown


def test_exports_are_in_the_readers_language(client, network):
    login(client, network["coordinator"], locale="pt_PT")
    body = client.get(f"/t/{network['coordination']}/dashboard/export?format=csv&{PERIOD}").get_data(as_text=True)
    assert "Por distrito" in body and ";" in body.splitlines()[1]


def test_a_long_export_runs_as_a_job_with_progress(app, client, network):
    login(client, network["coordinator"], locale="en")
    base = f"/t/{network['coordination']}/dashboard"
    response = client.get(f"{base}/export?format=xlsx&from=2023-01&to=2026-06")
    assert response.status_code == 302 and "/dashboard/exports/" in response.location
    status = client.get(response.location)
    assert status.status_code == 200 and "100 %" in status.get_data(as_text=True)
    download = client.get(response.location + "/download")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    with app.app_context(), tenant_context(db.session.scalar(
            db.select(Tenant.id).where(Tenant.slug == network["coordination"]))):
        job = db.session.scalar(db.select(DashboardExport))
        assert job.status == "done" and job.progress == 100
    # Only the coordinator who asked for it can see it.
    client.post("/logout")
    login(client, network["other_coordinator"])
    assert client.get(response.location).status_code == 404
    assert client.get(response.location + "/download").status_code == 404
