"""The impact figures as the reader sees them (page, CSV, XLSX): labels in the reader's language,
and the shares and mean T-scores computed from the tables' counts only (published counts on the
national page: what a reader could compute from the counts themselves)."""
from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import get_decimal_symbol
from flask_babel import format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l

from network.core.extensions import db
from network.core.reference.models import SupportArea
from network.core.tenancy.models import DISTRICTS
from network.national.dashboards.impact_rows import CHANGE_ORDER, MENTEE_INDICATORS
from network.national.dashboards.presentation import disclosure_note, month_label
from network.national.dashboards.services import PARTNER_KINDS
from tenants.outcomes.measures import CHANGES, T_BANDS, band_mean

INDICATORS = {
    "employment": _l("Work"),
    "portuguese": _l("Portuguese (CEFR)"),
    "qualification": _l("Recognition of qualifications"),
    "housing": _l("Housing"),
    "network": _l("People to ask for help"),
    "rights": _l("Knowledge of rights and services"),
}
TITLES = {
    "impact_by_kind": _l("By partner kind"),
    "impact_by_district": _l("By district"),
    "impact_by_area": _l("By support area needed"),
    "impact_by_cohort": _l("By year of matching"),
}
ROW_HEADERS = {
    "impact_by_kind": _l("Partner kind"),
    "impact_by_district": _l("District"),
    "impact_by_area": _l("Support area"),
    "impact_by_cohort": _l("Year of matching"),
}


def _share(part, whole):
    return None if not whole else round(100 * part / whole, 1)


class _Shown:
    """A figure with one decimal as `format_decimal(value, format="#,##0.0")` writes it, the
    reader's language looked up once: a national page shows some 170 of them, and each lookup
    through Flask-Babel cost more than the figure (the presentation of the national page at
    `small`: median 29 → 18 ms side by side, load average 7 on the 2 shared cores)."""

    ONE_DECIMAL = Decimal("0.1")

    def __init__(self):
        self.point = get_decimal_symbol(get_locale())

    def __call__(self, value, suffix=""):
        if value is None:
            return "—"
        if abs(value) >= 1000:  # a group separator: babel's rules per language
            return format_decimal(value, format="#,##0.0") + suffix
        rounded = Decimal(str(value)).quantize(self.ONE_DECIMAL, rounding=ROUND_HALF_EVEN)
        return str(rounded).replace(".", self.point) + suffix


def _row_labels(key):
    if key == "impact_by_kind":
        return lambda row: str(PARTNER_KINDS.get(row, row))
    if key == "impact_by_district":
        return lambda row: str(DISTRICTS.get(row, row))
    if key == "impact_by_area":
        areas = {area.code: area.label for area in db.session.scalars(db.select(SupportArea))}
        return lambda row: str(areas.get(row, row))
    return str


def _summary(cells_by_column, _shown):
    """{indicator: (share improved, n)} and (mean T, n) of one row of a breakdown."""
    summary = {}
    for code in MENTEE_INDICATORS:
        counts = [cells_by_column.get(f"{code}|{change}", 0) for change in CHANGE_ORDER]
        summary[code] = {"share": _shown(_share(counts[0], sum(counts)), " %"), "n": sum(counts)}
    bands = {band: cells_by_column.get(f"gas|{band}", 0) for band in T_BANDS}
    return summary, {"mean": _shown(band_mean(bands)), "n": sum(bands.values())}


def _mentors(tables, _shown):
    again = tables["impact_mentor_again"]["cells"][0]
    satisfaction = dict(zip(tables["impact_mentor_satisfaction"]["columns"],
                            tables["impact_mentor_satisfaction"]["cells"][0], strict=True))
    answered = sum(satisfaction.values())
    mean = sum(int(score) * count for score, count in satisfaction.items()) / answered if answered else None
    return {"again_yes": again[0], "again_no": again[1], "again_share": _shown(_share(again[0], sum(again)), " %"),
            "satisfaction_n": answered, "satisfaction_mean": _shown(mean)}


def _breakdowns(tables, _shown):
    breakdowns = []
    for key in ("impact_by_kind", "impact_by_district", "impact_by_area", "impact_by_cohort"):
        if key not in tables:
            continue
        table, label = tables[key], _row_labels(key)
        rows = []
        for row, cells in zip(table["rows"], table["cells"], strict=True):
            summary, gas_row = _summary(dict(zip(table["columns"], cells, strict=True)), _shown)
            rows.append({"label": label(row), "indicators": summary, "gas": gas_row})
        breakdowns.append({"key": key, "title": str(TITLES[key]), "row_header": str(ROW_HEADERS[key]), "rows": rows})
    return breakdowns


def present_impact(data):
    tables = {table["key"]: table for table in data["tables"]}
    _shown = _Shown()
    change = tables["impact_change"]
    indicators = []
    for code, cells in zip(change["rows"], change["cells"], strict=True):
        total = sum(cells)
        indicators.append({"label": str(INDICATORS[code]), "counts": cells, "total": total,
                           "shares": [_shown(_share(cell, total), " %") for cell in cells]})
    gas = dict(zip(tables["impact_gas"]["columns"], tables["impact_gas"]["cells"][0], strict=True))
    return {
        "indicators": indicators, "changes": [str(CHANGES[change]) for change in CHANGE_ORDER],
        "indicator_labels": [str(INDICATORS[code]) for code in MENTEE_INDICATORS],
        "indicator_codes": MENTEE_INDICATORS,
        "gas": {"n": sum(gas.values()), "mean": _shown(band_mean(gas)), "bands": gas},
        "mentors": _mentors(tables, _shown), "breakdowns": _breakdowns(tables, _shown),
        "threshold": data["threshold"],
        "rounding_base": data["rounding_base"], "national": data["national"],
    }


def export_rows(presented, filters, scope_name):
    """The page as rows of cells (counts as numbers)."""
    rows = [[gettext("Rede Mentores: impact"), scope_name],
            [gettext("Matched in"), f"{month_label(filters.start)} – {month_label(filters.end)}"]]
    if presented["national"]:
        rows.append([disclosure_note(presented["rounding_base"])])
    rows += [[], [gettext("Change from the start to closing")],
             [gettext("Indicator"), *presented["changes"], gettext("Total")]]
    for item in presented["indicators"]:
        rows.append([item["label"], *item["counts"], item["total"]])
    gas, mentors = presented["gas"], presented["mentors"]
    rows += [[], [gettext("Goal attainment (GAS T-score)")],
             [gettext("Processes scored"), gas["n"]], [gettext("Mean T-score"), gas["mean"]],
             [], [gettext("Mentors")],
             [gettext("Would mentor again"), mentors["again_yes"], mentors["again_share"]],
             [gettext("Would not mentor again"), mentors["again_no"]],
             [gettext("Mean satisfaction (1 to 5)"), mentors["satisfaction_mean"]]]
    for breakdown in presented["breakdowns"]:
        rows += [[], [breakdown["title"]],
                 [breakdown["row_header"], *(gettext("%(indicator)s: improved", indicator=label)
                                             for label in presented["indicator_labels"]),
                  gettext("Mean T-score"), gettext("Processes scored")]]
        for row in breakdown["rows"]:
            rows.append([row["label"], *(row["indicators"][code]["share"] for code in presented["indicator_codes"]),
                         row["gas"]["mean"], row["gas"]["n"]])
    return rows
