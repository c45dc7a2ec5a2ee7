"""The impact roll-ups: the change from the start to closing of each mentee indicator, the
Goal Attainment Scaling T-score bands, and the mentors' answers at closing, of the processes
closed, as rows of `rollup_counts` like every other metric (so the stale marks, the rebuild,
the national sums and the disclosure layer's published counts apply to them unchanged).

The month of an impact row is the month the process was **matched**: the cohort. A period of
whole years on the national page is then the cohorts of those years. The finest rows are one
partner, one cohort month, one indicator and one change (or one T-score band, one answer); the
support-area breakdown has its own rows (a mentee may need several areas), like the mentee
tables' support areas.
"""
import sqlalchemy as sa

from tenants.outcomes.measures import T_BAND, T_BANDS, VERSIONS
from tenants.outcomes.models import GoalAttainment, OutcomeAssessment

CHANGE_ORDER = ("improved", "same", "worse")
AREA_SEPARATOR = "|"


def indicator_metric(code):
    return f"impact_{code}"


MENTEE_INDICATORS = tuple(dict.fromkeys(indicator.code for version in VERSIONS.values()
                                        for indicator in version.mentee))
INDICATOR_METRICS = tuple(indicator_metric(code) for code in MENTEE_INDICATORS)
GAS_METRIC = "impact_gas"
MENTOR_METRICS = {"impact_mentor_again": ("mentor_again", "answer"),
                  "impact_mentor_satisfaction": ("satisfaction", "score")}
IMPACT_METRICS = (*INDICATOR_METRICS, GAS_METRIC, *MENTOR_METRICS)
# (metric kind, plain dimension, support-area dimension)
CHANGE, AREA_CHANGE, T_BAND_DIMENSION, AREA_T_BAND = "change", "area_change", "t_band", "area_t_band"


def _rank(answers, version_column, code):
    """The level's position on the indicator's scale, per version of the measures (SQL)."""
    level = sa.func.json_extract_path_text(answers, code)
    by_version = []
    for version, measures in VERSIONS.items():
        indicator = next((item for item in measures.mentee if item.code == code), None)
        if indicator is None:
            continue
        ranks = {level_code: indicator.rank(level_code) for level_code, _ in indicator.levels}
        ranks = {key: value for key, value in ranks.items() if value is not None}
        by_version.append((version_column == version, sa.case(ranks, value=level, else_=None)))
    return sa.case(*by_version, else_=None)


def _change(code, intake, closing):
    before = _rank(intake.c.answers, intake.c.measures_version, code)
    after = _rank(closing.c.answers, closing.c.measures_version, code)
    return sa.case((after > before, "improved"), (after < before, "worse"), (after == before, "same"), else_=None)


def _assessment(p, side, stage, name):
    a = OutcomeAssessment.__table__.alias(name)
    return a, sa.and_(a.c.tenant_id == p.c.tenant_id, a.c.process_id == p.c.id, a.c.side == side, a.c.stage == stage)


def _gas_scores(tenants_filter):
    """Per process whose every goal with an expected outcome is scored: its T-score band (SQL).
    The same arithmetic as `measures.gas_t_score`, in double precision."""
    g = GoalAttainment.__table__
    weighted = sa.cast(sa.func.sum(g.c.weight * g.c.score), sa.Float)
    squares = sa.cast(sa.func.sum(g.c.weight * g.c.weight), sa.Float)
    weights = sa.cast(sa.func.sum(g.c.weight), sa.Float)
    spread = sa.func.sqrt(sa.literal(0.7, sa.Float) * squares + sa.literal(0.3, sa.Float) * (weights * weights))
    t_score = sa.literal(50.0, sa.Float) + sa.literal(10.0, sa.Float) * weighted / spread
    band = sa.func.least(sa.func.greatest(sa.func.floor(t_score / T_BAND) * T_BAND, T_BANDS[0]), T_BANDS[-1])
    return (sa.select(g.c.tenant_id, g.c.process_id, sa.cast(sa.cast(band, sa.Integer), sa.Text).label("band"))
            .where(*tenants_filter(g.c.tenant_id))
            .group_by(g.c.tenant_id, g.c.process_id)
            .having(sa.func.count() == sa.func.count(g.c.score))
            .subquery("gas"))


def impact_sources(source_tables, tenants_filter):
    """(metric, dimension, from clause, tenant column, month of matching, value, where, count):
    the impact metrics' counting, for `rollups.rollup_selects` to group and round."""
    from network.national.dashboards.rollups import month_of

    p, areas = source_tables.processes, source_tables.mentee_areas
    closed = p.c.state == "closed"
    cohort = month_of(p.c.matched_on)

    def with_areas(source):
        return source.join(areas, sa.and_(areas.c.tenant_id == p.c.tenant_id, areas.c.mentee_id == p.c.mentee_id))

    def area_value(value):
        return sa.func.concat(areas.c.code, AREA_SEPARATOR, value)

    intake, on_intake = _assessment(p, "mentee", "intake", "intake")
    closing, on_closing = _assessment(p, "mentee", "closing", "closing")
    both = p.join(intake, on_intake).join(closing, sa.and_(
        on_closing, closing.c.measures_version == intake.c.measures_version))
    for code in MENTEE_INDICATORS:
        value = _change(code, intake, closing)
        metric, where = indicator_metric(code), [closed, value.isnot(None)]
        yield metric, CHANGE, both, p.c.tenant_id, cohort, value, where, sa.func.count()
        yield metric, AREA_CHANGE, with_areas(both), p.c.tenant_id, cohort, area_value(value), where, sa.func.count()
    gas = _gas_scores(tenants_filter)
    scored = p.join(gas, sa.and_(gas.c.tenant_id == p.c.tenant_id, gas.c.process_id == p.c.id))
    yield GAS_METRIC, T_BAND_DIMENSION, scored, p.c.tenant_id, cohort, gas.c.band, [closed], sa.func.count()
    yield (GAS_METRIC, AREA_T_BAND, with_areas(scored), p.c.tenant_id, cohort, area_value(gas.c.band), [closed],
           sa.func.count())
    mentor, on_mentor = _assessment(p, "mentor", "closing", "mentor_closing")
    answered = p.join(mentor, on_mentor)
    for metric, (code, dimension) in MENTOR_METRICS.items():
        value = sa.func.json_extract_path_text(mentor.c.answers, code)
        yield metric, dimension, answered, p.c.tenant_id, cohort, value, [closed, value.isnot(None)], sa.func.count()


# --- reading: the national page (published counts) and a partner's own (exact) ------------

BREAKDOWNS = ("impact_by_kind", "impact_by_district", "impact_by_area", "impact_by_cohort")
BREAKDOWN_COLUMNS = ([f"{code}|{change}" for code in MENTEE_INDICATORS for change in CHANGE_ORDER]
                     + [f"gas|{band}" for band in T_BANDS])
SATISFACTION_SCORES = ("1", "2", "3", "4", "5")


def _column(metric, dimension, value):
    """The breakdown tables' column of a (metric, dimension, value) at the plain dimensions."""
    if dimension == CHANGE:
        return f"{metric[len('impact_'):]}|{value}"
    if dimension == T_BAND_DIMENSION:
        return f"gas|{value}"
    return None


def impact_rows(filters, tenant_id=None):
    """(district, kind, metric, dimension, year, value, total): sums of published counts at the
    levels the national page shows, or of one partner's exact counts (its own data)."""
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
        scope = [sa.or_(sa.and_(n.district == district, n.tenant_kind.in_([kind, *kinds])),
                        sa.and_(n.district.in_(districts), n.tenant_kind == kind))]
        figure = n.published
    year = sa.func.substr(model.month, 1, 4)
    grouped = (*keys, model.metric, model.dimension, year.label("year"), model.value)
    statement = (sa.select(*grouped, sa.cast(sa.func.sum(figure), sa.BigInteger))
                 .where(model.metric.in_(IMPACT_METRICS), model.month.between(filters.start, filters.end), *scope)
                 .group_by(*grouped))
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

    def compute():
        if tenant_id is not None:
            return assemble_impact(filters, impact_rows(filters, tenant_id), False, threshold)
        with national_rollup_bypass("national impact page: roll-up counts"):
            return assemble_impact(filters, impact_rows(filters), True, threshold)

    return cache.cached(tenant_id, {"impact": filters.as_dict(), "threshold": threshold}, compute)
