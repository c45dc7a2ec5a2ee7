"""Dashboard filters, queries and assembly. Every figure comes from the roll-up tables only:
no request ever reads a case table. Every count of people shown is a sum of the roll-ups'
`published` counts, the disclosure layer's (`network.national.disclosure`, docs/disclosure.md), never of
their exact `count`."""
import functools
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates_schema
from sqlalchemy.dialects import postgresql

from network.core.extensions import db
from network.core.ops.replica import national_reads
from network.core.tenancy import national_rollup_bypass
from network.core.tenancy.models import DISTRICTS, TENANT_KINDS, Tenant, active_partner_criteria
from network.core.validation import FormSchema, choice_field
from network.national.dashboards import cache
from network.national.dashboards.models import ANY, NationalRollup, RollupCount, RollupProfileSum
from network.national.dashboards.rollups import ALL, FLOW_METRICS, SNAPSHOT_METRICS, shown_sums
from network.national.disclosure import rounding_base

PARTNER_KINDS = {kind: label for kind, label in TENANT_KINDS.items() if kind != "coordination"}
MAX_MONTHS = 120
DEFAULT_MONTHS = 12

METRICS = {
    "mentors_registered": _l("Mentors registered"),
    "mentees_registered": _l("Mentees registered"),
    "mentors_interviewed": _l("Mentors interviewed"),
    "mentees_interviewed": _l("Mentees interviewed"),
    "matched": _l("Processes matched"),
    "agreement_signed": _l("Agreements signed"),
    "activated": _l("Processes active"),
    "closed": _l("Processes evaluated and closed"),
    "goals_met": _l("Closed with goals met"),
    "cancelled": _l("Processes cancelled"),
    "active_mentors": _l("Active mentors now"),
    "active_mentees": _l("Active mentees now"),
    "ongoing": _l("Processes ongoing now"),
}
FUNNEL = ("mentees_registered", "mentees_interviewed", "matched", "agreement_signed", "activated", "goals_met")
# Every stage names the people counted, in the plural, so the stages read alike.
FUNNEL_LABELS = {
    "mentees_registered": _l("Mentees registered"),
    "mentees_interviewed": _l("Mentees interviewed"),
    "matched": _l("Mentees matched"),
    "agreement_signed": _l("Agreements signed"),
    "activated": _l("Processes started"),
    "goals_met": _l("Processes closed with goals met"),
}
SERIES_COLUMNS = ("mentees_registered", "mentees_interviewed", "matched", "agreement_signed", "activated", "closed",
                  "goals_met")
PARTNER_ORDER = "mentees_registered"
PLACE_COLUMNS = ("mentors_registered", "mentees_registered", "matched", "closed", "goals_met", "active_mentees")
MENTEE_COLUMNS = ("mentees_registered", "matched", "goals_met", "active_mentees")
MENTEE_BREAKDOWNS = {
    "support_area": _l("Mentees by support area needed"),
    "country": _l("Mentees by country of origin"),
    "age_band": _l("Mentees by age"),
    "gender": _l("Mentees by gender"),
    "residence": _l("Mentees by residence status"),
}
OUTCOME_ORDER = ("goals_met", "partly_met", "not_met", "redefined")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# --- filters -----------------------------------------------------------------

def _check_month(value):
    if _MONTH.match(value) is None or not 2000 <= int(value[:4]) <= 2100:
        raise ValidationError(gettext("Enter a month like 2026-03."))


def _month_field(data_key):
    return fields.String(data_key=data_key, load_default=None, validate=_check_month)


class DashboardFilterSchema(FormSchema):
    start = _month_field("from")
    end = _month_field("to")
    district = choice_field(DISTRICTS, required=False, load_default=None)
    kind = choice_field(PARTNER_KINDS, required=False, load_default=None)
    partners = choice_field(("all",), required=False, load_default=None)

    @validates_schema
    def check_period(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError(gettext("The period starts after it ends: choose a start month before "
                                              "the end month."), "from")
            if months_between(start, end) > MAX_MONTHS:
                raise ValidationError(gettext("Choose a period of at most %(num)d months.", num=MAX_MONTHS), "from")


@dataclass(frozen=True)
class Filters:
    start: str
    end: str
    district: str | None = None
    kind: str | None = None
    all_partners: bool = False

    def as_args(self):
        args = {"from": self.start, "to": self.end}
        if self.district:
            args["district"] = self.district
        if self.kind:
            args["kind"] = self.kind
        if self.all_partners:
            args["partners"] = "all"
        return args

    def as_dict(self):
        return {"start": self.start, "end": self.end, "district": self.district, "kind": self.kind,
                "all_partners": self.all_partners}

    @classmethod
    def from_dict(cls, data):
        return cls(**data)

    @property
    def months(self):
        return month_range(self.start, self.end)


def parse_filters(args, national, today=None):
    """(Filters, errors) from query arguments; a partner's dashboard takes no place filters.

    The national dashboard offers a fixed grid of periods (`release_periods`): the last
    DEFAULT_MONTHS months (no period given), or whole calendar years; a period given in months
    is widened to the whole years it touches, so no filter makes a table the grid does not
    (and `flask disclosure audit` checks every table of the grid)."""
    submitted = {key: value.strip() for key, value in args.items() if isinstance(value, str) and value.strip()}
    if not national:
        for key in ("district", "kind", "partners"):
            submitted.pop(key, None)
    try:
        data = DashboardFilterSchema().load(submitted)
    except ValidationError as error:
        return None, error.normalized_messages()
    today_month = (today or date.today()).strftime("%Y-%m")
    end = data["end"] or today_month
    start = data["start"] or add_months(end, -(DEFAULT_MONTHS - 1))
    if start > end:
        return None, {"from": [gettext("The period starts after it ends: choose a start month before the end month.")]}
    if national and (data["start"] or data["end"]):
        start, end = f"{start[:4]}-01", f"{end[:4]}-12"
        if months_between(start, end) > MAX_MONTHS:
            return None, {"from": [gettext("Choose a period of at most %(num)d months.", num=MAX_MONTHS)]}
    return Filters(start, end, data["district"], data["kind"], data["partners"] == "all"), {}


def release_periods(first_month, today=None):
    """Every period the national dashboard offers, as (start, end), for data from `first_month`
    on: the default last DEFAULT_MONTHS months and every range of whole years up to MAX_MONTHS."""
    end = (today or date.today()).strftime("%Y-%m")
    periods = [(add_months(end, -(DEFAULT_MONTHS - 1)), end)]
    years = range(int(min(first_month, end)[:4]), int(end[:4]) + 1)
    periods += [(f"{first:04d}-01", f"{last:04d}-12") for first in years for last in years
                if first <= last and (last - first + 1) * 12 <= MAX_MONTHS]
    return periods


def add_months(month, delta):
    year, number = int(month[:4]), int(month[5:])
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(start, end):
    return (int(end[:4]) * 12 + int(end[5:])) - (int(start[:4]) * 12 + int(start[5:])) + 1


def month_range(start, end):
    return [add_months(start, k) for k in range(months_between(start, end))]


# --- queries (roll-up table only) ------------------------------------------------

# The statements are built once per shape (model, keys, which scope columns) with bound values,
# and run on the session's connection: the roll-up tables are not tenant-owned, so the ORM's
# tenant scoping (a walk of each statement) has nothing to add; the national bypass and the
# transaction's role apply as to any statement of the session.
_START, _END = sa.bindparam("start", type_=sa.String), sa.bindparam("end", type_=sa.String)


def _rows(statement, scope=None, filters=None):
    params = {name: list(value) if isinstance(value, list | tuple) else value for name, value in (scope or {}).items()}
    if filters is not None:
        params.update(start=filters.start, end=filters.end)
    return [list(row) for row in db.session.connection().execute(statement, params).all()]


def _shape(scope):
    """The hashable shape of a scope {column: value, or a list of values}."""
    return tuple(sorted((name, isinstance(value, list | tuple)) for name, value in scope.items()))


def _where(table, shape):
    """The scope's conditions on `table`, each value bound under its column's name; a list as one
    array (`= ANY`), so that the statement's text is the same for any number of values."""
    return [table.c[name] == (sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(table.c[name].type))) if many
                              else sa.bindparam(name)) for name, many in shape]


@functools.cache
def _sum_statement(model, keys, shape, snapshots=True):
    """Sums of `published` by `keys` within the scope: flow metrics over the chosen months, snapshot
    metrics as they are now. Two branches, so each is an index range on its own."""
    table = model.__table__
    columns = [table.c[key] for key in keys]
    parts = [sa.select(*columns, table.c.published).where(
        table.c.metric.in_(FLOW_METRICS), table.c.month.between(_START, _END), *_where(table, shape))]
    if snapshots:
        parts.append(sa.select(*columns, table.c.published).where(table.c.metric.in_(SNAPSHOT_METRICS),
                                                                 *_where(table, shape)))
    rows = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    grouped = [rows.c[key] for key in keys]
    return sa.select(*grouped, sa.func.sum(rows.c.published).label("total")).group_by(*grouped)


@functools.cache
def _partner_values_statement(shape):
    """A partner's sums by (metric, dimension, value), each profile row added to its four dimensions."""
    return shown_sums(_sum_statement(RollupCount, ("metric", "dimension", "value"), shape).cte("sums"))


# A metric's total is the sum of its finest published rows, so that every table that shows it
# agrees with the others to the unit (docs/disclosure.md, "one base"): the mentee metrics add up
# their profiles, "closed" its outcomes (goals met being the `goals_met` metric itself), and
# "ongoing" is "active mentees" (one open process per mentee). Each entry: (metric shown,
# metric read, which table, which rows).
PROFILE_METRICS = ("mentees_registered", "matched", "goals_met", "active_mentees")
OWN_TOTAL_METRICS = tuple(metric for metric in FLOW_METRICS + SNAPSHOT_METRICS
                          if metric not in PROFILE_METRICS + ("closed", "ongoing"))


def _total_parts(model):
    # A partner's profile rows summed by month (`rollup_profile_sums`); in the national sums, one
    # profile dimension, any of the four, counts each profile row once.
    table = model.__table__
    profile = (RollupProfileSum.__table__, []) if model is RollupCount else (table, [table.c.dimension == "gender"])
    return [
        (None, OWN_TOTAL_METRICS, table, [table.c.dimension == ALL]),
        (None, PROFILE_METRICS, *profile),
        ("closed", ("closed",), table, [table.c.dimension == "outcome", table.c.value.in_(OUTCOME_ORDER[1:])]),
        ("closed", ("goals_met",), *profile),
        ("ongoing", ("active_mentees",), *profile),
    ]


def _total_selects(model, keys, shape, snapshots, metrics):
    for shown, read, table, rows in _total_parts(model):
        label = (sa.literal(shown, sa.String) if shown else table.c.metric).label("shown")
        for kind, months in ((FLOW_METRICS, [table.c.month.between(_START, _END)]),
                             (SNAPSHOT_METRICS if snapshots else (), [])):
            wanted = [metric for metric in read if metric in kind and (metrics is None or (shown or metric) in metrics)]
            if wanted:
                yield (sa.select(*(table.c[key] for key in keys), label, table.c.published)
                       .where(table.c.metric.in_(wanted), *months, *rows, *_where(table, shape)))


@functools.cache
def total_statement(model, keys, shape, snapshots=True, metrics=None):
    """Each metric's total (of `metrics`, default all) by `keys` (+ "metric") within a scope of
    `shape`, from its finest published rows."""
    union = sa.union_all(*_total_selects(model, keys, shape, snapshots, metrics)).subquery()
    grouped = [union.c[key] for key in keys] + [union.c.shown]
    return sa.select(*grouped, sa.func.sum(union.c.published).label("total")).group_by(*grouped)


def metric_totals(model, keys, scope, filters, snapshots=True, metrics=None):
    """`scope`: {column: value, or a list of values} of `model`'s rows."""
    return _rows(total_statement(model, tuple(keys), _shape(scope), snapshots, metrics), scope, filters)


def _figures(model, scope, filters):
    """The figures every dashboard has, from `model` (either roll-up table) within `scope`."""
    shape = _shape(scope)
    # The national table has one row per dimension already; a partner's profile rows are split.
    values = (_sum_statement(model, ("metric", "dimension", "value"), shape) if model is NationalRollup
              else _partner_values_statement(shape))
    return {
        "by_value": _rows(values, scope, filters),
        "totals": metric_totals(model, (), scope, filters),
        "by_month": metric_totals(model, ("month",), scope, filters, snapshots=False),
    }


def _partner_counts(filters, tenant_id):
    """One partner's figures, from its own rows of `rollup_counts` (its primary key)."""
    return _figures(RollupCount, {"tenant_id": tenant_id}, filters)


def _national_counts(filters, partner_ids):
    """The national figures, from `rollup_national` at the level the filters choose; the
    partners table from `rollup_counts`, only for the partners listed. The place tables read
    only the metrics they show."""
    n = NationalRollup
    district, kind = filters.district or ANY, filters.kind or ANY
    counts = _figures(n, {"district": district, "tenant_kind": kind}, filters)
    districts = [filters.district] if filters.district else list(DISTRICTS)
    kinds = [filters.kind] if filters.kind else list(PARTNER_KINDS)
    counts["by_district"] = metric_totals(n, ("district",), {"district": districts, "tenant_kind": kind}, filters,
                                          metrics=PLACE_COLUMNS)
    counts["by_kind"] = metric_totals(n, ("tenant_kind",), {"district": district, "tenant_kind": kinds}, filters,
                                      metrics=PLACE_COLUMNS)
    if partner_ids is not None:
        if len(partner_ids) <= 1000:
            scope = {"tenant_id": list(partner_ids)}  # primary key lookups
        else:  # every partner of a large network, asked for explicitly
            scope = {column: value for column, value in (("district", filters.district),
                                                         ("tenant_kind", filters.kind)) if value}
        counts["by_partner"] = metric_totals(RollupCount, ("tenant_id",), scope, filters, metrics=PLACE_COLUMNS)
    return counts


def _selected_partners(filters):
    """The criteria of the active partners the filters select."""
    criteria = list(active_partner_criteria())
    if filters.district:
        criteria.append(Tenant.district == filters.district)
    if filters.kind:
        criteria.append(Tenant.kind == filters.kind)
    return criteria


def _partners(filters):
    """Every partner the filters select (metadata only), so partners with no activity show too."""
    query = sa.select(Tenant.id, Tenant.name).where(*_selected_partners(filters))
    return db.session.execute(query.order_by(Tenant.name, Tenant.id)).all()


def partner_count(filters):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Tenant).where(*_selected_partners(filters)))


# --- assembly --------------------------------------------------------------------

def _table(key, rows, columns, lookup, row_totals=False, column_totals=True, chart=None, row_names=None,
           limit=None):
    """A table of published counts. Its totals are the sums of its cells: the published counts
    add up (docs/disclosure.md), so the totals are the same figures other tables show."""
    cells = [[int(lookup.get((row, column), 0)) for column in columns] for row in rows]
    shown_rows = rows if limit is None else rows[:limit]
    table = {
        "key": key, "rows": list(shown_rows), "columns": list(columns), "chart": chart,
        "hidden_rows": len(rows) - len(shown_rows),
        "cells": cells[:len(shown_rows)],
        "row_totals": [sum(row) for row in cells[:len(shown_rows)]] if row_totals and rows else None,
        "column_totals": ([sum(row[j] for row in cells) for j in range(len(columns))] if column_totals and rows
                          else None),
        "grand_total": sum(map(sum, cells)) if row_totals and column_totals and rows else None,
    }
    if row_names:
        table["row_names"] = [row_names[row] for row in shown_rows]
    return table


def _rate(numerator, denominator):
    """A percentage of two published counts (nothing a reader could not divide themselves)."""
    return None if denominator == 0 else round(100 * numerator / denominator, 1)


def _national_tables(filters, counts, partners):
    by_district = {(district, metric): int(total) for district, metric, total in counts["by_district"]}
    by_kind = {(kind, metric): int(total) for kind, metric, total in counts["by_kind"]}
    districts = [filters.district] if filters.district else list(DISTRICTS)
    kinds = [filters.kind] if filters.kind else list(PARTNER_KINDS)
    tables = [_table("by_district", districts, PLACE_COLUMNS, by_district, chart="bar"),
              _table("by_kind", kinds, PLACE_COLUMNS, by_kind, chart="bar")]
    if "by_partner" in counts:
        by_partner = {(tenant_id, metric): int(total) for tenant_id, metric, total in counts["by_partner"]}
        names = {tenant_id: name for tenant_id, name in partners}
        # Largest first (the page sorts and pages them further); exports hold every row.
        order = sorted(names, key=lambda t: (-by_partner.get((t, PARTNER_ORDER), 0), names[t], t))
        tables.append(_table("by_partner", order, PLACE_COLUMNS, by_partner, row_names=names))
    return tables


def _mentee_table(dimension, values):
    lookup = {(value, metric): total for (metric, dim, value), total in values.items()
              if dim == dimension and metric in MENTEE_COLUMNS and total}
    rows = sorted({value for value, _ in lookup}, key=lambda value: (-lookup.get((value, "mentees_registered"), 0),
                                                                      value))
    # A mentee may need several support areas: that column does not add up to the mentees.
    return _table(dimension, rows, MENTEE_COLUMNS, lookup, column_totals=dimension != "support_area", chart="bar")


def funnel_stages(flow):
    """The funnel's stages, never wider than the stage before: a stage counts what happened in
    the period, and someone who reached it in the period may have passed the earlier stage
    before the period began (or in another district); those are left out of the later stage,
    so the funnel reads as "of these, so many went on". The month table keeps every event."""
    stages, previous = {}, None
    for metric in FUNNEL:
        value = flow[metric] if previous is None else min(flow[metric], previous)
        stages[("all", metric)] = previous = value
    return stages


def assemble(filters, counts, threshold, partners=None, partners_not_listed=0):
    """The dashboard's data: JSON-serialisable, published counts only, labels resolved at rendering."""
    values = {(metric, dimension, value): int(total) for metric, dimension, value, total in counts["by_value"]}
    flow = dict.fromkeys(FLOW_METRICS + SNAPSHOT_METRICS, 0)
    flow.update({metric: int(total) for metric, total in counts["totals"]})
    national = partners is not None
    headline = {
        "active_mentors": flow["active_mentors"],
        "active_mentees": flow["active_mentees"],
        "ongoing": flow["ongoing"],
        "evaluated": flow["closed"],
        "goals_met_rate": _rate(flow["goals_met"], flow["closed"]),
    }
    tables = [_table("funnel", ["all"], FUNNEL, funnel_stages(flow), column_totals=False, chart="funnel")]
    series = {(month, metric): int(total) for month, metric, total in counts["by_month"]}
    tables.append(_table("by_month", filters.months, SERIES_COLUMNS, series, chart="line"))
    if national:
        tables += _national_tables(filters, counts, partners)
    # Goals met is the `goals_met` metric itself, so the outcomes add up to "closed" everywhere.
    outcomes = {(value, "closed"): values.get(("closed", "outcome", value), 0) for value in OUTCOME_ORDER[1:]}
    outcomes[("goals_met", "closed")] = flow["goals_met"]
    tables.append(_table("outcomes", list(OUTCOME_ORDER), ["closed"], outcomes, chart="bar"))
    tables += [_mentee_table(dimension, values) for dimension in MENTEE_BREAKDOWNS]
    return {"national": national, "filters": filters.as_dict(), "threshold": threshold,
            "rounding_base": rounding_base(threshold), "headline": headline, "tables": tables,
            "partners_not_listed": partners_not_listed}


def dashboard_scope(tenant, roles):
    """Which dashboard `roles` in `tenant` may read: True, the national one (coordinators in
    the coordination workspace); False, the partner's own (its staff); None, neither."""
    if tenant.is_coordination:
        return True if "coordinator" in roles else None
    return False if roles & {"partner_admin", "staff"} else None


def dashboard_data(filters, tenant_id=None):
    """The national dashboard (tenant_id None) or one partner's, suppressed. The national
    one reads from the replica when one is configured and current (`national_reads`).

    The national partners table needs a row per partner: it is built when the filters select
    at most EXPORT_JOB_PARTNERS partners, or when every partner is asked for."""
    config = current_app.config
    threshold, partner_rows = config["SMALL_CELL_THRESHOLD"], config["DASHBOARD_PARTNER_ROWS"]

    def compute():
        if tenant_id is not None:
            return assemble(filters, _partner_counts(filters, tenant_id), threshold)
        return national_reads(national)

    def national(source):
        selected = partner_count(filters)
        listed = filters.all_partners or selected <= config["EXPORT_JOB_PARTNERS"]
        partners = [tuple(row) for row in _partners(filters)] if listed else []
        with national_rollup_bypass("national dashboard: roll-up counts"):
            counts = _national_counts(filters, [tenant_id for tenant_id, _ in partners] if listed else None)
        data = assemble(filters, counts, threshold, partners=partners,
                        partners_not_listed=0 if listed else selected)
        data["read_from"] = source.describe()
        return data

    return cache.cached(tenant_id, {"filters": filters.as_dict(), "threshold": threshold, "rows": partner_rows,
                                    "listed": config["EXPORT_JOB_PARTNERS"], "order": PARTNER_ORDER}, compute)
