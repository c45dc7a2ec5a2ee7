"""The impact roll-ups: the change from the start to closing of each mentee indicator, the
Goal Attainment Scaling T-score bands, and the mentors' answers at closing, of the processes
closed, as rows of `rollup_counts` like every other metric (so the stale marks, the rebuild,
the national sums and the disclosure layer's published counts apply to them unchanged).

The `month` key of an impact row holds the calendar **year** the process was matched in
('YYYY'): its cohort. The impact pages count whole years of cohorts (outcomes come at closing,
months after the matching, and the national page offers whole years only), and a row per year
instead of per month is a twelfth of the rows: at `europe` the impact rows by month were more
than a third of every roll-up row, and the rebuild of them alone took longer than its limit. The
finest rows are one partner, one cohort, one indicator and one change (or one T-score band, one
answer); the support-area breakdown has its own rows (a mentee may need several areas), like the
mentee tables' support areas.
"""
import sqlalchemy as sa

from tenants.outcomes.measures import T_BAND, T_BANDS, VERSIONS
from tenants.outcomes.models import GoalAttainment, OutcomeAssessment

CHANGE_ORDER = ("improved", "same", "worse")
AREA_SEPARATOR = "|"


def cohort_of(matched_on):
    """The cohort key of a process matched on the DATE column `matched_on`: 'YYYY' (SQL)."""
    return sa.func.to_char(matched_on, "YYYY")


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


def _indicator_changes(p, closed, tenants_filter):
    """Each closed process's change of every mentee indicator, one row per (process, indicator)
    with an answer at both ends (SQL): (tenant_id, mentee_id, cohort, metric, value). One join of
    the processes with their two assessments for every indicator: a statement per indicator
    repeated it, and at `europe` those twelve statements were most of the rebuild (4 s for each
    change, 7.5 s for each support-area one, against about 5 and 10 s for all of them here)."""
    from sqlalchemy.dialects import postgresql

    intake, on_intake = _assessment(p, "mentee", "intake", "intake")
    closing, on_closing = _assessment(p, "mentee", "closing", "closing")
    both = p.join(intake, on_intake).join(closing, sa.and_(
        on_closing, closing.c.measures_version == intake.c.measures_version))
    metrics = postgresql.array([sa.literal(indicator_metric(code)) for code in MENTEE_INDICATORS])
    changes = postgresql.array([_change(code, intake, closing) for code in MENTEE_INDICATORS])
    # Two arrays unnested side by side in the select list: PostgreSQL zips them, row by row.
    return (sa.select(p.c.tenant_id, p.c.mentee_id, cohort_of(p.c.matched_on).label("cohort"),
                      sa.func.unnest(metrics).label("metric"), sa.func.unnest(changes).label("value"))
            .select_from(both).where(closed, *tenants_filter(p.c.tenant_id))
            .subquery("indicator_changes"))


def impact_sources(source_tables, tenants_filter):
    """(label, metric, dimension, from clause, tenant column, cohort, value, where, count): the
    impact metrics' counting, for `rollups.rollup_selects` to group and round (this module is
    below the roll-ups, never importing them). `metric` is the metric's name, or a column of
    names when one statement counts several metrics (`label` names the statement)."""
    p, areas = source_tables.processes, source_tables.mentee_areas
    closed = p.c.state == "closed"
    cohort = cohort_of(p.c.matched_on)

    def with_areas(source):
        return source.join(areas, sa.and_(areas.c.tenant_id == p.c.tenant_id, areas.c.mentee_id == p.c.mentee_id))

    def area_value(value):
        return sa.func.concat(areas.c.code, AREA_SEPARATOR, value)

    c = _indicator_changes(p, closed, tenants_filter)
    answered = [c.c.value.isnot(None)]
    yield "impact_indicators", c.c.metric, CHANGE, c, c.c.tenant_id, c.c.cohort, c.c.value, answered, sa.func.count()
    by_area = c.join(areas, sa.and_(areas.c.tenant_id == c.c.tenant_id, areas.c.mentee_id == c.c.mentee_id))
    yield ("impact_indicators", c.c.metric, AREA_CHANGE, by_area, c.c.tenant_id, c.c.cohort, area_value(c.c.value),
           answered, sa.func.count())
    gas = _gas_scores(tenants_filter)
    scored = p.join(gas, sa.and_(gas.c.tenant_id == p.c.tenant_id, gas.c.process_id == p.c.id))
    yield GAS_METRIC, GAS_METRIC, T_BAND_DIMENSION, scored, p.c.tenant_id, cohort, gas.c.band, [closed], sa.func.count()
    yield (GAS_METRIC, GAS_METRIC, AREA_T_BAND, with_areas(scored), p.c.tenant_id, cohort, area_value(gas.c.band),
           [closed], sa.func.count())
    mentor, on_mentor = _assessment(p, "mentor", "closing", "mentor_closing")
    answers = p.join(mentor, on_mentor)
    for metric, (code, dimension) in MENTOR_METRICS.items():
        value = sa.func.json_extract_path_text(mentor.c.answers, code)
        yield (metric, metric, dimension, answers, p.c.tenant_id, cohort, value, [closed, value.isnot(None)],
               sa.func.count())
