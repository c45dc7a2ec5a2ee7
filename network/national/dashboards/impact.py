"""The impact figures read back: the national page (published counts) and a partner's own
(exact). What the roll-ups count, and how, is `impact_rows`."""
from dataclasses import replace

import sqlalchemy as sa

from network.national.dashboards.impact_rows import (
    AREA_CHANGE,
    AREA_SEPARATOR,
    AREA_T_BAND,
    CHANGE,
    CHANGE_ORDER,
    IMPACT_METRICS,
    MENTEE_INDICATORS,
    MENTOR_METRICS,
    T_BAND_DIMENSION,
)
from tenants.outcomes.measures import T_BANDS

# --- reading: the national page (published counts) and a partner's own (exact) ------------

BREAKDOWNS = ("impact_by_kind", "impact_by_district", "impact_by_area", "impact_by_cohort")
BREAKDOWN_COLUMNS = ([f"{code}|{change}" for code in MENTEE_INDICATORS for change in CHANGE_ORDER]
                     + [f"gas|{band}" for band in T_BANDS])
SATISFACTION_SCORES = ("1", "2", "3", "4", "5")
# Every dimension of the impact rows: named in the query, so that each (district, kind) of the
# national sums is one range of their primary key (district, kind, dimension, metric, ...).
IMPACT_DIMENSIONS = (CHANGE, AREA_CHANGE, T_BAND_DIMENSION, AREA_T_BAND,
                     *dict.fromkeys(dimension for _, dimension in MENTOR_METRICS.values()))
PLAIN_DIMENSIONS = (CHANGE, T_BAND_DIMENSION)  # what the kinds and districts tables show


def _column(metric, dimension, value):
    """The breakdown tables' column of a (metric, dimension, value) at the plain dimensions."""
    if dimension == CHANGE:
        return f"{metric[len('impact_'):]}|{value}"
    if dimension == T_BAND_DIMENSION:
        return f"gas|{value}"
    return None


def cohort_filters(filters):
    """`filters` widened to the whole years it touches: the impact rows are per cohort year
    (`impact_rows.cohort_of`). The national dashboard's periods are widened the same way."""
    return replace(filters, start=f"{filters.start[:4]}-01", end=f"{filters.end[:4]}-12")


def cohort_years(filters):
    return [str(year) for year in range(int(filters.start[:4]), int(filters.end[:4]) + 1)]


def impact_rows(filters, tenant_id=None):
    """(district, kind, metric, dimension, year, value, total): the published counts at the
    levels the national page shows, or one partner's exact counts (its own data), of the cohorts
    of `filters`' years. One row each: a (place, metric, dimension, cohort, value) is one row of
    `rollup_national`, and one partner's is one row of `rollup_counts`."""
    from network.core.tenancy.models import DISTRICTS
    from network.national.dashboards.models import ANY, NationalRollup, RollupCount
    from network.national.dashboards.services import PARTNER_KINDS

    if tenant_id is not None:
        r = RollupCount
        keys = (sa.literal(ANY).label("district"), sa.literal(ANY).label("tenant_kind"))
        scope, figure = [r.tenant_id == tenant_id], r.count
        model = r
    else:
        n = model = NationalRollup
        district, kind = filters.district or ANY, filters.kind or ANY
        districts = [filters.district] if filters.district else list(DISTRICTS)
        kinds = [filters.kind] if filters.kind else list(PARTNER_KINDS)
        keys = (n.district, n.tenant_kind)
        # Every dimension at the page's level; beside it (the kinds and districts tables) only the
        # plain ones: the support-area rows are most of the impact rows, and `_accumulate` reads
        # them at the page's level only.
        beside = n.dimension.in_(PLAIN_DIMENSIONS)
        scope = [sa.or_(sa.and_(n.district == district, n.tenant_kind == kind),
                        sa.and_(n.district == district, n.tenant_kind.in_(kinds), beside),
                        sa.and_(n.district.in_(districts), n.tenant_kind == kind, beside))]
        figure = n.published
    statement = (sa.select(*keys, model.metric, model.dimension, model.month, model.value, figure)
                 .where(model.dimension.in_(IMPACT_DIMENSIONS), model.metric.in_(IMPACT_METRICS),
                        model.month.in_(cohort_years(filters)), *scope))
    from network.core.extensions import db

    return [tuple(row) for row in db.session.execute(statement).all()]


def _accumulate(rows, level, national):
    """The rows summed into the tables' lookups: the page's level, its cohorts and support areas,
    and (national) the partner kinds and districts beside it."""
    main, by = {}, {key: {} for key in BREAKDOWNS}

    def add(lookup, key, total):
        lookup[key] = lookup.get(key, 0) + total

    for district, kind, metric, dimension, year, value, total in rows:
        total, column = int(total), _column(metric, dimension, value)
        if (district, kind) == level:
            add(main, (metric, dimension, value), total)
            if column:
                add(by["impact_by_cohort"], (year, column), total)
            elif dimension in (AREA_CHANGE, AREA_T_BAND):
                area, _, part = value.partition(AREA_SEPARATOR)
                plain = CHANGE if dimension == AREA_CHANGE else T_BAND_DIMENSION
                add(by["impact_by_area"], (area, _column(metric, plain, part)), total)
        elif column and national and district == level[0]:
            add(by["impact_by_kind"], (kind, column), total)
        elif column and national and kind == level[1]:
            add(by["impact_by_district"], (district, column), total)
    return main, by


def _plain(main, metric_test, dimension_test, row="all", strip=False):
    return {(metric[len("impact_"):] if strip else row, value): total
            for (metric, dimension, value), total in main.items() if metric_test(metric) and dimension_test(dimension)}


def assemble_impact(filters, rows, national, threshold):
    """The impact tables (integer cells, like the dashboard's), JSON-serialisable."""
    from network.core.tenancy.models import DISTRICTS
    from network.national.dashboards.models import ANY
    from network.national.dashboards.services import PARTNER_KINDS, _table
    from network.national.disclosure import rounding_base

    level = (filters.district or ANY, filters.kind or ANY) if national else (ANY, ANY)
    main, by = _accumulate(rows, level, national)
    every = lambda _: True  # noqa: E731
    tables = [
        _table("impact_change", list(MENTEE_INDICATORS), list(CHANGE_ORDER),
               _plain(main, every, lambda d: d == CHANGE, strip=True), row_totals=True, column_totals=False),
        _table("impact_gas", ["all"], [str(band) for band in T_BANDS],
               _plain(main, every, lambda d: d == T_BAND_DIMENSION), row_totals=True, column_totals=False),
        _table("impact_mentor_again", ["all"], ["yes", "no"],
               _plain(main, lambda m: m == "impact_mentor_again", every), row_totals=True, column_totals=False),
        _table("impact_mentor_satisfaction", ["all"], list(SATISFACTION_SCORES),
               _plain(main, lambda m: m == "impact_mentor_satisfaction", every), row_totals=True,
               column_totals=False),
    ]
    if national:
        for key, chosen, choices in (("impact_by_kind", filters.kind, PARTNER_KINDS),
                                     ("impact_by_district", filters.district, DISTRICTS)):
            lookup = _level_only(chosen, main) if chosen else by[key]
            tables.append(_table(key, [chosen] if chosen else list(choices), BREAKDOWN_COLUMNS, lookup,
                                 column_totals=False))
    for key in ("impact_by_area", "impact_by_cohort"):
        tables.append(_table(key, sorted({row for row, _ in by[key]}), BREAKDOWN_COLUMNS, by[key],
                             column_totals=False))
    return {"national": national, "filters": filters.as_dict(), "threshold": threshold,
            "rounding_base": rounding_base(threshold), "tables": tables}


def _level_only(row, main):
    """When the page is filtered to one kind (or district), that table's one row is the page's level."""
    lookup = {}
    for (metric, dimension, value), total in main.items():
        column = _column(metric, dimension, value)
        if column:
            lookup[(row, column)] = total
    return lookup


def impact_data(filters, tenant_id=None):
    """The national impact figures (tenant_id None: published counts) or one partner's (exact)."""
    from flask import current_app

    from network.core.tenancy import national_rollup_bypass
    from network.national.dashboards import cache

    threshold = current_app.config["SMALL_CELL_THRESHOLD"]
    filters = cohort_filters(filters)

    def compute():
        if tenant_id is not None:
            return assemble_impact(filters, impact_rows(filters, tenant_id), False, threshold)
        with national_rollup_bypass("national impact page: roll-up counts"):
            return assemble_impact(filters, impact_rows(filters), True, threshold)

    return cache.cached(tenant_id, {"impact": filters.as_dict(), "threshold": threshold}, compute)
