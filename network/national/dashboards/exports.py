"""CSV and XLSX of exactly what the dashboard shows (the same published counts, the reader's
language). Small exports stream from the request; large ones (a long period, or every
partner of a large network) are prepared by a job on the "exports" queue, whose status
page shows its progress."""
import logging

from flask import current_app
from flask_babel import force_locale, gettext, ngettext

from network.core.extensions import db
from network.core.spreadsheets import csv_bytes, xlsx_bytes
from network.core.tenancy import current_tenant_id
from network.core.tenancy.models import DISTRICTS
from network.core.timeutil import utcnow
from network.national.dashboards.models import DashboardExport
from network.national.dashboards.presentation import disclosure_note, marker_text, month_label, present
from network.national.dashboards.services import PARTNER_KINDS, Filters, dashboard_data, months_between, partner_count

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def needs_job(filters, national):
    config = current_app.config
    if months_between(filters.start, filters.end) > config["EXPORT_JOB_MONTHS"]:
        return True
    return national and filters.all_partners and partner_count(filters) > config["EXPORT_JOB_PARTNERS"]


def filename(filters, file_format):
    """The period and every filter in the name, so two downloads of different selections never look alike."""
    parts = ["rede-mentores", filters.start, filters.end]
    if filters.district:
        parts.append(f"district-{filters.district}")
    if filters.kind:
        parts.append(f"kind-{filters.kind}")
    if filters.all_partners:
        parts.append("all-partners")
    return f"{'-'.join(parts)}.{file_format}"


def _table_rows(table, marker):
    rows = [[], [table["title"]]]
    header = [table["row_header"], *table["columns"]]
    if table["has_row_totals"]:
        header.append(gettext("Total"))
    rows.append(header)
    for row in table["rows"]:
        line = [row["label"], *(marker(cell) for cell in row["cells"])]
        if table["has_row_totals"]:
            line.append(marker(row["total"]))
        rows.append(line)
    if table["column_totals"] is not None:
        line = [gettext("Total"), *(marker(cell) for cell in table["column_totals"])]
        if table["has_row_totals"]:
            line.append(marker(table["grand_total"]))
        rows.append(line)
    if table["hidden_rows"]:
        rows.append([gettext("%(num)d more partners are not listed on the page.", num=table["hidden_rows"])])
    return rows


def export_rows(presented, filters, scope_name):
    """Rows of cells (text, or integers for shown counts): a heading block, then each section."""
    threshold = presented["threshold"]
    marker = lambda value: value if isinstance(value, int) else marker_text(value, threshold)  # noqa: E731
    rows = [
        [gettext("Rede Mentores dashboard"), scope_name],
        [gettext("Period"), f"{month_label(filters.start)} – {month_label(filters.end)}"],
    ]
    if filters.district:
        rows.append([gettext("District"), str(DISTRICTS[filters.district])])
    if filters.kind:
        rows.append([gettext("Partner kind"), str(PARTNER_KINDS[filters.kind])])
    rows.append([disclosure_note(presented["rounding_base"])])
    rows.append([])
    rows.append([gettext("Headline figures")])
    for item in presented["headline"]:
        rows.append([item["label"], item["value"] if isinstance(item["value"], (int, float)) else item["shown"]])
    for table in presented["tables"]:
        rows += _table_rows(table, marker)
    if presented["partners_not_listed"]:
        rows.append([])
        rows.append([gettext("By partner")])
        rows.append([ngettext("%(num)d partner matches these filters.", "%(num)d partners match these filters.",
                              presented["partners_not_listed"])])
    return rows


def to_csv(rows, locale):
    # Spreadsheets in Portuguese expect ";" between fields (the comma is the decimal mark).
    return csv_bytes(rows, delimiter=";" if locale.startswith("pt") else ",")


def to_xlsx(rows, sheet_title):
    return xlsx_bytes(rows, sheet_title, bold_row=lambda row: len(row) == 1, column_widths={"A": 42})


def build(data, filters, file_format, locale, scope_name):
    presented = present(data)
    rows = export_rows(presented, filters, scope_name)
    if file_format == "csv":
        return to_csv(rows, locale)
    return to_xlsx(rows, gettext("Dashboard"))


# --- the job ---------------------------------------------------------------------

def _progress(export, percent, status="running"):
    export.progress = percent
    export.status = status
    db.session.commit()


def run_export(export_id, national, scope_name):
    """The "exports" job, in the requesting tenant's context."""
    export = db.session.get(DashboardExport, export_id)
    if export is None or export.status == "done":
        return
    try:
        _progress(export, 5)
        filters = Filters.from_dict(export.filters)
        with force_locale(export.locale):
            data = dashboard_data(filters, None if national else current_tenant_id())
            _progress(export, 60)
            content = build(data, filters, export.file_format, export.locale, scope_name)
        export.content = content
        export.filename = filename(filters, export.file_format)
        export.finished_at = utcnow()
        _progress(export, 100, "done")
    except Exception as error:
        db.session.rollback()
        export = db.session.get(DashboardExport, export_id)
        export.status = "failed"
        export.error = str(error)[:500]
        db.session.commit()
        log.exception("dashboard export %s failed", export_id)
