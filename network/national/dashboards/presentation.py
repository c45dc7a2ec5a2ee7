"""The dashboard as the reader sees it: titles, labels and shown values in the reader's
language. The page and both export formats are built from this one structure, so an
export holds exactly what the page shows."""
from datetime import date

from flask_babel import format_date, format_decimal, gettext
from flask_babel import lazy_gettext as _l

from network.core.extensions import db
from network.core.reference.models import SupportArea
from network.core.tenancy.models import DISTRICTS
from network.national.dashboards import charts
from network.national.dashboards.services import (
    FUNNEL_LABELS,
    MENTEE_BREAKDOWNS,
    METRICS,
    PARTNER_KINDS,
    PARTNER_ORDER,
    PLACE_COLUMNS,
)
from tenants.participants.models import AGE_BANDS, GENDERS, RESIDENCE_STATUSES
from tenants.participants.reference import country_name
from tenants.processes.models import OUTCOMES

TITLES = {
    "funnel": _l("From registration to goals met"),
    "by_month": _l("Month by month"),
    "by_district": _l("By district"),
    "by_kind": _l("By partner kind"),
    "by_partner": _l("By partner"),
    "outcomes": _l("Outcomes of the processes closed"),
    **MENTEE_BREAKDOWNS,
}
ROW_HEADERS = {
    "funnel": _l("Period"),
    "by_month": _l("Month"),
    "by_district": _l("District"),
    "by_kind": _l("Partner kind"),
    "by_partner": _l("Partner"),
    "outcomes": _l("Outcome"),
    "support_area": _l("Support area"),
    "country": _l("Country of origin"),
    "age_band": _l("Age"),
    "gender": _l("Gender"),
    "residence": _l("Residence status"),
}
HEADLINES = {
    "active_mentors": _l("Active mentors"),
    "active_mentees": _l("Active mentees"),
    "ongoing": _l("Processes ongoing"),
    "evaluated": _l("Processes evaluated in the period"),
    "goals_met_rate": _l("Goals met (share of processes closed)"),
}
CHART_COLUMN = {"by_district": "matched", "by_kind": "matched", "outcomes": "closed"}
LINE_SERIES = ("mentees_registered", "matched", "goals_met")
BAR_LIMIT = 12


def marker_text(value, threshold=None):
    """A figure with no value (a rate of no closed process) as text."""
    return "—" if value is None else str(value)


def disclosure_note(base):
    """What every reader of the figures is told (page, exports): how they were protected."""
    return gettext("Counts of people are rounded to a multiple of %(num)d, up or down at random, always the same "
                   "way for the same figure, so that no small number of people can be worked out; totals are the "
                   "sums of the rounded figures.", num=base)


def month_label(month):
    return format_date(date(int(month[:4]), int(month[5:]), 1), "MMM yyyy")


def _unknown(value, labels):
    return gettext("Not recorded") if value == "unknown" else str(labels.get(value, value))


def _row_labeller(key, table, filters=None):
    if key == "funnel":
        period = f"{month_label(filters['start'])} – {month_label(filters['end'])}" if filters else ""
        return lambda row: period
    if key == "by_month":
        return month_label
    if key == "by_district":
        return lambda row: str(DISTRICTS.get(row, row))
    if key == "by_kind":
        return lambda row: str(PARTNER_KINDS.get(row, row))
    if key == "by_partner":
        names = dict(zip(table["rows"], table.get("row_names", [])))
        return lambda row: names.get(row, "")
    if key == "outcomes":
        return lambda row: str(OUTCOMES.get(row, row))
    if key == "country":
        return lambda row: gettext("Not recorded") if row == "unknown" else (country_name(row) or row)
    if key == "support_area":
        areas = {area.code: area.label for area in db.session.scalars(db.select(SupportArea))}
        return lambda row: areas.get(row, row)
    labels = {"age_band": AGE_BANDS, "gender": GENDERS, "residence": RESIDENCE_STATUSES}[key]
    return lambda row: _unknown(row, labels)


def _column_label(key, column):
    return str(FUNNEL_LABELS[column] if key == "funnel" else METRICS[column])


def present(data):
    threshold = data["threshold"]
    marker = lambda value: marker_text(value, threshold)  # noqa: E731
    headline = []
    for key, label in HEADLINES.items():
        value = data["headline"][key]
        if key == "goals_met_rate" and isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = format_decimal(value, format="#,##0.0") + " %"
        elif isinstance(value, int):
            shown = format_decimal(value)
        else:
            shown = marker(value)
        headline.append({"key": key, "label": str(label), "value": value, "shown": shown})
    tables = []
    for table in data["tables"]:
        key = table["key"]
        label_of = _row_labeller(key, table, data.get("filters"))
        columns = [_column_label(key, column) for column in table["columns"]]
        rows = []
        for index, row in enumerate(table["rows"]):
            total = table["row_totals"][index] if table["row_totals"] else None
            rows.append({"label": label_of(row), "cells": table["cells"][index], "total": total})
        presented = {
            "key": key, "title": str(TITLES[key]), "row_header": str(ROW_HEADERS[key]), "columns": columns,
            "rows": rows, "has_row_totals": table["row_totals"] is not None,
            "column_totals": table["column_totals"], "grand_total": table["grand_total"],
            "hidden_rows": table["hidden_rows"],
        }
        presented["chart"] = _chart(key, table, presented, marker)
        tables.append(presented)
    return {"headline": headline, "tables": tables, "threshold": threshold,
            "rounding_base": data["rounding_base"], "partners_not_listed": data.get("partners_not_listed", 0)}


def _chart(key, table, presented, marker):
    chart_id = f"chart-{key}"
    title = presented["title"]
    if table["chart"] == "funnel" and table["rows"]:
        items = list(zip(presented["columns"], table["cells"][0]))
        return charts.funnel_chart(chart_id, title, items, marker)
    if table["chart"] == "line" and table["rows"]:
        columns = table["columns"]
        series = [(str(METRICS[column]), [row[columns.index(column)] for row in table["cells"]])
                  for column in LINE_SERIES if column in columns]
        return charts.line_chart(chart_id, title, [row["label"] for row in presented["rows"]], series, marker)
    if table["chart"] == "bar" and table["rows"]:
        column = CHART_COLUMN.get(key, table["columns"][0])
        j = table["columns"].index(column)
        items = [(row["label"], row["cells"][j]) for row in presented["rows"]][:BAR_LIMIT]
        return charts.bar_chart(chart_id, f"{title}: {METRICS[column]}", items, marker)
    return None


def page_partners(presented, sort, page, per_page):
    """The partners table as the page shows it: sorted by `sort` (a column, largest first; or
    "name"), `per_page` rows of page `page`. Its totals stay those of every partner."""
    table = next((table for table in presented["tables"] if table["key"] == "by_partner"), None)
    if table is None:
        return None
    if sort == "name":
        rows = sorted(table["rows"], key=lambda row: row["label"].casefold())
    else:
        sort = sort if sort in PLACE_COLUMNS else PARTNER_ORDER
        index = PLACE_COLUMNS.index(sort)
        rows = sorted(table["rows"], key=lambda row: -(row["cells"][index] if isinstance(row["cells"][index], int)
                                                       else -1))
    total = len(rows)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    table["rows"] = rows[(page - 1) * per_page:page * per_page]
    table["paging"] = {"sort": sort, "page": page, "pages": pages, "total": total,
                       "first": (page - 1) * per_page + 1 if total else 0,
                       "last": (page - 1) * per_page + len(table["rows"]),
                       "columns": list(zip(PLACE_COLUMNS, table["columns"], strict=True)),
                       "sort_label": (gettext("name") if sort == "name"
                                      else gettext("%(column)s (largest first)", column=METRICS[sort]))}
    return table["paging"]


def shown_text(value, threshold):
    """A shown value as text in the reader's language (the page's table cells)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value)
    return marker_text(value, threshold)
