"""Roll-ups: computed from the case tables by one set-based SQL, per metric and dimension.

The same statements serve both paths, so they agree by construction:

- `recount_partners(tenant_ids)`, the incremental job's work (`hooks.recount_stale_partners`):
  every stale partner counted at once, their rows replaced where they differ
  (`replace_partner_rows`); `refresh_tenant_rollups(tenant_id)` does the same for one partner
  inside its own context (scoping and Row-Level Security apply). Both are idempotent: a
  replayed or duplicated job writes nothing.
- `rebuild.rebuild_rollups()`, `flask rollups rebuild`: every partner recounted from scratch
  with one INSERT ... SELECT ... GROUP BY per metric and dimension, then the national sums.

The national sums (`rollup_national`) are kept by the job as the difference between the
partners' old and new rows, and by the rebuild with GROUP BY; both tested equal.

Every change to a process goes through `record_process_event`, and every registration,
interview and status move of a participant through `tenants.participants.services`; each
calls `mark_rollups_stale()`, and once the transaction commits a pass goes on the "rollups"
queue, unless one is waiting there already.

Months are calendar months (YYYY-MM) of the date the step happened; datetimes in UTC.
"""
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import reduce

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from network.core.extensions import db
from network.core.reference.models import SupportArea
from network.core.tenancy import current_tenant_id, national_rollup_bypass
from network.core.tenancy.models import Tenant
from network.national.dashboards.impact_rows import impact_sources
from network.national.dashboards.models import ANY, NationalRollup, RollupCount, RollupProfileSum
from network.national.disclosure import published_sql, rounding_base
from tenants.participants.models import Interview, Mentee, MenteeSupportArea, Mentor
from tenants.processes.models import OPEN_STATES, MentoringProcess, ProcessEvent

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
ALL = "all"

# A mentee's (the person a process serves) single-valued dimensions, in the order of a profile.
PROFILE_DIMENSIONS = ("country", "age_band", "gender", "residence")
PROFILE = "profile"
PROFILE_SEPARATOR = "|"

# Flow metrics: counted in the month the step happened.
FLOW_METRICS = ("mentors_registered", "mentees_registered", "mentors_interviewed", "mentees_interviewed",
                "matched", "agreement_signed", "activated", "closed", "goals_met", "cancelled")
# Snapshot metrics: the current state, stored under the month they were computed in.
SNAPSHOT_METRICS = ("active_mentors", "active_mentees", "ongoing")


# --- month of a date or a timestamp, on both databases -------------------------

class month_of(FunctionElement):
    """'YYYY-MM' of a DATE or a UTC timestamp column."""

    type = sa.String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of)
def _month_postgresql(element, compiler, **kw):
    (column,) = element.clauses.clauses
    argument = compiler.process(element.clauses, **kw)
    if isinstance(column.type, sa.DateTime) or isinstance(getattr(column.type, "impl", None), sa.DateTime):
        argument = f"timezone('UTC', {argument})"
    return f"to_char({argument}, 'YYYY-MM')"


def _const(text):
    """An SQL string constant of ours (never user input)."""
    assert re.fullmatch(r"[a-z0-9_|-]*", text), text
    return sa.literal_column(f"'{text}'", sa.String)


# --- the sources ---------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    metric: str
    dimensions: tuple
    subject: str  # whose dimensions: "mentee" or "mentor" or "process"


# Breakdowns are stored where the dashboard shows them: the mentee tables (registered,
# matched, goals met, active now) and the outcomes; every other metric is counted in total.
# The mentee tables are stored by profile: one row per (month, country|age band|gender|
# residence) counts for each of the four dimensions, where four rows, one per dimension, would
# each be nearly as many (a partner's mentees of a month rarely share a value). Totals keep
# their own "all" rows (the funnel, the series and the partners table read only those), and
# so do support areas (a mentee has several).
MENTEE_DIMENSIONS = (ALL, PROFILE, "support_area")
SOURCES = (
    Source("mentors_registered", (ALL,), "mentor"),
    Source("mentees_registered", MENTEE_DIMENSIONS, "mentee"),
    Source("mentors_interviewed", (ALL,), "mentor"),
    Source("mentees_interviewed", (ALL,), "mentee"),
    Source("matched", MENTEE_DIMENSIONS, "mentee"),
    Source("agreement_signed", (ALL,), "mentee"),
    Source("activated", (ALL,), "mentee"),
    Source("closed", (ALL, "outcome"), "mentee"),
    Source("goals_met", MENTEE_DIMENSIONS, "mentee"),
    Source("cancelled", (ALL,), "mentee"),
    Source("active_mentors", (ALL,), "mentor"),
    Source("active_mentees", MENTEE_DIMENSIONS, "mentee"),
    Source("ongoing", (ALL, "state"), "process"),
)


@dataclass(frozen=True)
class Shard:
    """One rebuild worker's share, the `index`-th of `count`: the partners whose id is above
    `above` and up to `up_to` (None: no bound). A range, not a modulo, so that the planner can
    estimate a share's rows from its statistics (it guesses 0.5 % of the rows for a modulo,
    and then sorts and loops where it should hash)."""
    index: int
    count: int
    above: int | None = None
    up_to: int | None = None


def tenant_filter(column, tenants):
    """`tenants`: None (every partner), one partner's id, several (a tuple, a list, a set), or a `Shard`."""
    if tenants is None:
        return []
    if isinstance(tenants, Shard):
        return ([] if tenants.above is None else [column > tenants.above]) + (
            [] if tenants.up_to is None else [column <= tenants.up_to])
    if isinstance(tenants, tuple | list | set | frozenset):
        # One array parameter, not a list of them: the statement's text stays the same whatever the
        # number of partners, so that psycopg prepares it once and PostgreSQL need not plan it every pass.
        return [column == sa.any_(sa.bindparam(None, sorted(tenants), type_=postgresql.ARRAY(sa.Integer)))]
    return [column == tenants]


@dataclass(frozen=True)
class ProcessSource:
    """Where the metrics read a process and its mentee: `processes` and `mentees` (anything
    with the columns of those tables: a table, or a stand-in over another), `joined`, the FROM
    clause holding both, and `mentee_areas`, the (tenant_id, mentee_id, code) of each support
    area a mentee needs."""
    processes: object
    mentees: object
    joined: object
    mentee_areas: object


def mentee_areas_select():
    link, area = MenteeSupportArea.__table__, SupportArea.__table__
    return sa.select(link.c.tenant_id, link.c.mentee_id, area.c.code).join_from(
        link, area, area.c.id == link.c.support_area_id)


def case_tables():
    p, m = MentoringProcess.__table__, Mentee.__table__
    return ProcessSource(p, m, p.join(m, sa.and_(m.c.tenant_id == p.c.tenant_id, m.c.id == p.c.mentee_id)),
                         mentee_areas_select().subquery("mentee_areas"))


def not_transferred_in(person):
    """A person registered by a transfer from another partner was counted there already: the
    network counts each person once (tenants.transfers)."""
    from tenants.transfers.models import IncomingTransfer

    t = IncomingTransfer.__table__
    link = t.c.mentor_id if person.name == "mentors" else t.c.mentee_id
    return ~sa.exists().where(t.c.tenant_id == person.c.tenant_id, link == person.c.id)


def _base(metric, tenants, snapshot_month, source_tables):
    """(from clause, tenant column, month expression, where, person table, count expression)."""
    if metric in _PEOPLE_METRICS:
        return _people_base(metric, tenants)
    return _process_base(metric, snapshot_month, source_tables)


_PEOPLE_METRICS = ("mentors_registered", "mentees_registered", "mentors_interviewed", "mentees_interviewed")


def _people_base(metric, tenants):
    """People's own metrics read their own tables, whatever `source_tables` stages."""
    r, i = Mentor.__table__, Interview.__table__
    if metric in ("mentors_registered", "mentees_registered"):
        person = r if metric == "mentors_registered" else Mentee.__table__
        return (person, person.c.tenant_id, month_of(person.c.created_at), [not_transferred_in(person)], person,
                sa.func.count())
    person, link = (r, i.c.mentor_id) if metric == "mentors_interviewed" else (Mentee.__table__, i.c.mentee_id)
    first = (
        sa.select(i.c.tenant_id, link.label("person_id"), sa.func.min(i.c.held_on).label("held_on"))
        .where(link.isnot(None), *tenant_filter(i.c.tenant_id, tenants))
        .group_by(i.c.tenant_id, link)
        .subquery("first_interview")
    )
    source = first.join(person, sa.and_(person.c.tenant_id == first.c.tenant_id, person.c.id == first.c.person_id))
    return source, person.c.tenant_id, month_of(first.c.held_on), [], person, sa.func.count()


def _process_base(metric, snapshot_month, source_tables):
    p, m, with_mentee = source_tables.processes, source_tables.mentees, source_tables.joined
    e, r = ProcessEvent.__table__, Mentor.__table__
    open_state = p.c.state.in_(OPEN_STATES)
    snapshot = _const(snapshot_month)
    if metric == "matched":
        return with_mentee, p.c.tenant_id, month_of(p.c.matched_on), [], m, sa.func.count()
    if metric == "agreement_signed":
        # The events alone (each references its process, which references its mentee): the
        # partial index `ix_process_events_agreement_signed` holds exactly these rows.
        return (e, e.c.tenant_id, month_of(e.c.occurred_at), [e.c.to_state == "agreement_signed"], None,
                sa.func.count(sa.distinct(e.c.process_id)))
    if metric == "activated":
        return (with_mentee, p.c.tenant_id, month_of(p.c.activated_on), [p.c.activated_on.isnot(None)], m,
                sa.func.count())
    if metric == "closed":
        return with_mentee, p.c.tenant_id, month_of(p.c.closed_on), [p.c.state == "closed"], m, sa.func.count()
    if metric == "goals_met":
        return (with_mentee, p.c.tenant_id, month_of(p.c.closed_on),
                [p.c.state == "closed", p.c.outcome == "goals_met"], m, sa.func.count())
    if metric == "cancelled":
        return with_mentee, p.c.tenant_id, month_of(p.c.closed_on), [p.c.state == "cancelled"], m, sa.func.count()
    if metric == "active_mentors":
        source = p.join(r, sa.and_(r.c.tenant_id == p.c.tenant_id, r.c.id == p.c.mentor_id))
        return source, p.c.tenant_id, snapshot, [open_state], r, sa.func.count(sa.distinct(p.c.mentor_id))
    if metric == "active_mentees":
        return with_mentee, p.c.tenant_id, snapshot, [open_state], m, sa.func.count(sa.distinct(p.c.mentee_id))
    if metric == "ongoing":
        return p, p.c.tenant_id, snapshot, [open_state], None, sa.func.count()
    raise ValueError(metric)


def _dimension_value(dimension, person, source, source_tables):
    """(value expression, source with any join the dimension needs)."""
    if dimension == ALL:
        return None, source
    if dimension == PROFILE:
        values = [_dimension_value(name, person, source, source_tables)[0] for name in PROFILE_DIMENSIONS]
        return reduce(lambda joined, value: joined + _const(PROFILE_SEPARATOR) + value, values), source
    if dimension == "support_area":
        areas = source_tables.mentee_areas
        source = source.join(areas, sa.and_(areas.c.tenant_id == person.c.tenant_id,
                                            areas.c.mentee_id == person.c.id))
        return areas.c.code, source
    p = source_tables.processes
    column = {
        "country": lambda: person.c.country_of_origin,
        "age_band": lambda: person.c.age_band,
        "gender": lambda: person.c.gender,
        "residence": lambda: person.c.residence_status,
        "outcome": lambda: p.c.outcome,
        "state": lambda: p.c.state,
    }[dimension]()
    return sa.func.coalesce(column, _const(UNKNOWN)), source


def rollup_selects(tenants=None, snapshot_month=None, source_tables=None, base=None):
    """One SELECT per (metric, dimension), with the columns of `rollup_counts`, for `tenants`
    (None: every partner; one partner's id; a `Shard`). `source_tables`: where processes and
    their mentees are read (default: `case_tables()`). `base`: the disclosure rounding base
    of the published counts (default: the app's, `network.national.disclosure.rounding_base`)."""
    snapshot_month = snapshot_month or current_month()
    base = base or rounding_base()
    source_tables = source_tables or case_tables()
    for source_def in SOURCES:
        for dimension in source_def.dimensions:
            source, tenant_column, month, where, person, count = _base(source_def.metric, tenants, snapshot_month,
                                                                       source_tables)
            value, source = _dimension_value(dimension, person, source, source_tables)
            yield source_def.metric, dimension, _rounded(source_def.metric, dimension, source, tenant_column, month,
                                                         value, where, count, tenants, base)
    # The impact of the processes closed (network.national.dashboards.impact): the same grouping and rounding.
    for label, metric, dimension, source, tenant_column, month, value, where, count in impact_sources(
            source_tables, lambda column: tenant_filter(column, tenants)):
        yield label, dimension, _rounded(metric, dimension, source, tenant_column, month, value, where, count,
                                         tenants, base)


def _rounded(metric, dimension, source, tenant_column, month, value, where, count, tenants, base):
    """The rows of one (metric, dimension): counted by partner, month and value, with the
    partner's district and kind, and the published count. `metric`: the metric's name, or a
    column of `source` naming it (one statement counting several metrics)."""
    t = Tenant.__table__
    several = not isinstance(metric, str)
    groups = [tenant_column, metric] if several else [tenant_column]
    if not getattr(month, "is_literal", False):  # a snapshot's month is one constant
        groups.append(month)
    if value is not None:
        groups.append(value)
    counted = (
        sa.select(
            tenant_column.label("tenant_id"),
            *([metric.label("metric")] if several else []),
            month.label("month"),
            (value if value is not None else _const("")).label("value"),
            count.label("count"),
        )
        .select_from(source)
        .where(*where, *tenant_filter(tenant_column, tenants))
        .group_by(*groups)
        .subquery("counted")
    )
    # The row's identity, drawing its rounding (network.national.disclosure): the same row, the same draw.
    named = (_const("|") + counted.c.metric + _const(f"|{dimension}|") if several
             else _const(f"|{metric}|{dimension}|"))
    cell = sa.cast(counted.c.tenant_id, sa.Text) + named + counted.c.month + _const("|") + counted.c.value
    # The partner's district and kind are added to the counted rows, not grouped by.
    return (
        sa.select(counted.c.tenant_id, counted.c.metric if several else _const(metric).label("metric"),
                  _const(dimension).label("dimension"), counted.c.month, counted.c.value,
                  t.c.district.label("district"), t.c.kind.label("tenant_kind"), counted.c["count"],
                  published_sql(counted.c["count"], cell, base).label("published"))
        .join_from(counted, t, t.c.id == counted.c.tenant_id)
    )


_COLUMNS = ("tenant_id", "metric", "dimension", "month", "value", "district", "tenant_kind", "count", "published")


def insert_counts(select, table=RollupCount.__table__):
    return sa.insert(table).from_select(_COLUMNS, select)


def current_month(today=None):
    return (today or date.today()).strftime("%Y-%m")


# --- the national sums ---------------------------------------------------------------

LEVELS = ((True, True), (True, False), (False, True), (False, False))  # (by district, by kind)
NATIONAL_KEY = ("district", "tenant_kind", "metric", "dimension", "month", "value")


def shown_pairs(dimension, value):
    """The one profile split, as SQL: (used, dimension, value) for each pair a stored row counts
    for: itself when it is not a profile row, else each of the mentee's four dimensions (its part
    of the value). `dimension`, `value`: the row's columns. The live recount (`shown_sums`) and
    the rebuild (`rebuild._national_sums`, compiled to text) both use it; `dimension_values` is
    the same split of a row already read into Python."""
    return [(dimension != PROFILE, dimension, value)] + [
        (dimension == PROFILE, sa.literal(name), sa.func.split_part(value, PROFILE_SEPARATOR, index))
        for index, name in enumerate(PROFILE_DIMENSIONS, start=1)]


def dimension_values(dimension, value):
    """The (dimension, value) pairs a stored row counts for (`shown_pairs`, in Python)."""
    if dimension != PROFILE:
        return [(dimension, value)]
    return list(zip(PROFILE_DIMENSIONS, value.split(PROFILE_SEPARATOR)))


def shown_sums(sums):
    """PostgreSQL: `sums` (metric, dimension, value, total) with each profile row added to its four
    dimensions (`shown_pairs`: a partner's few thousand rows need not come to Python)."""
    shown = sa.union_all(*(
        sa.select(sums.c.metric, dimension.label("dimension"), value.label("value"), sums.c.total).where(used)
        for used, dimension, value in shown_pairs(sums.c.dimension, sums.c.value))).subquery("shown")
    keys = (shown.c.metric, shown.c.dimension, shown.c.value)
    return sa.select(*keys, sa.cast(sa.func.sum(shown.c.total), sa.BigInteger)).group_by(*keys)  # not numeric


PROFILE_SUM_COLUMNS = ("tenant_id", "metric", "month", "district", "tenant_kind", "published")


def profile_sums_select(counts, tenants=None):
    """The profile rows of `counts` (`rollup_counts` or a table like it) of `tenants` summed by
    partner, metric and month: the rows of `rollup_profile_sums`."""
    keys = [counts.c[name] for name in PROFILE_SUM_COLUMNS[:-1]]
    published = sa.cast(sa.func.sum(counts.c.published), sa.BigInteger).label("published")
    where = [counts.c.dimension == PROFILE, *tenant_filter(counts.c.tenant_id, tenants)]
    return sa.select(*keys, published).where(*where).group_by(*keys)


def sum_profiles(tenants):
    """Replace the profile sums of `tenants` (as `tenant_filter` takes them) with their rows' sums now."""
    sums = RollupProfileSum.__table__
    connection = db.session.connection()
    connection.execute(sa.delete(sums).where(*tenant_filter(sums.c.tenant_id, tenants)))
    connection.execute(sa.insert(sums).from_select(PROFILE_SUM_COLUMNS, profile_sums_select(RollupCount.__table__,
                                                                                            tenants)))


def national_keys(row):
    """The `rollup_national` keys one tenant row adds to: four levels of each of its
    (dimension, value) pairs."""
    district, kind, metric, dimension, month, value = row
    return [(district if by_district else ANY, kind if by_kind else ANY, metric, shown, month, shown_value)
            for shown, shown_value in dimension_values(dimension, value) for by_district, by_kind in LEVELS]


def _upsert_add():
    table = NationalRollup.__table__
    statement = postgresql.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(NATIONAL_KEY), set_={"count": table.c["count"] + statement.excluded["count"],
                                                 "published": table.c.published + statement.excluded.published})


def apply_national_difference(old_rows, new_rows):
    difference, published = Counter(), Counter()
    for rows, sign in ((new_rows, 1), (old_rows, -1)):
        for *key, count, published_count in rows:
            for national_key in national_keys(key):
                difference[national_key] += sign * count
                published[national_key] += sign * published_count
    changes = [dict(zip(NATIONAL_KEY, key), count=change, published=published[key])
               for key, change in sorted(difference.items()) if change or published[key]]
    if not changes:
        return
    # Sorted keys: concurrent refreshes of different tenants lock shared rows in one order.
    connection = db.session.connection()
    connection.execute(_upsert_add(), changes)
    emptied = [{f"k_{name}": change[name] for name in NATIONAL_KEY} for change in changes if change["count"] < 0]
    if emptied:
        table = NationalRollup.__table__
        key = [table.c[name] == sa.bindparam(f"k_{name}") for name in NATIONAL_KEY]
        connection.execute(sa.delete(table).where(*key, table.c["count"] == 0), emptied)


# --- the incremental path --------------------------------------------------------

_LOCK_NAMESPACE = 7001
REBUILD_LOCK = 7000  # held by `rebuild.rebuild_rollups` while it runs


def lock_tenant_rollups(tenant_ids):
    """Until the transaction ends: refreshes of one partner take turns, and none runs during a
    rebuild. `tenant_ids`: one id or several, locked in ascending order (two refreshes of
    overlapping partners wait for each other, never deadlock). Taking one again in the same
    transaction is free."""
    connection = db.session.connection()
    connection.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:rebuild)"), {"rebuild": REBUILD_LOCK})
    ids = sorted(tenant_ids) if isinstance(tenant_ids, tuple | list | set | frozenset) else [tenant_ids]
    # One statement: `unnest` yields the sorted array in its order, and each row takes its lock in turn.
    connection.execute(sa.text("SELECT count(pg_advisory_xact_lock(:namespace, tenant)) FROM unnest(:tenants) tenant")
                       .bindparams(sa.bindparam("tenants", type_=postgresql.ARRAY(sa.Integer))),
                       {"namespace": _LOCK_NAMESPACE, "tenants": ids})


def refresh_tenant_rollups(tenant_id, snapshot_month=None):
    """Recount one partner, inside its own context (scoping and Row-Level Security apply):
    `replace_partner_rows`, then the difference added to the national sums. Idempotent: a
    replay finds nothing to change. (The "rollups" job recounts every stale partner at once:
    `hooks.recount_stale_partners`.)"""
    if current_tenant_id() != tenant_id:
        raise RuntimeError("refresh_tenant_rollups runs in the tenant's own context")
    lock_tenant_rollups(tenant_id)
    apply_national_difference(*replace_partner_rows([tenant_id], snapshot_month))
    from network.national.dashboards.cache import bump_generations

    bump_generations([tenant_id])


def recount_partners(tenant_ids, snapshot_month=None):
    """Recount several partners in one pass (the "rollups" job, `hooks.recount_stale_partners`):
    their rows counted and replaced across tenants through the national bypass
    (`replace_partner_rows`), then the difference added to the national sums, in the caller's
    transaction. The caller holds `lock_tenant_rollups(tenant_ids)`."""
    with national_rollup_bypass(f"roll-ups: recount of {len(tenant_ids)} partners"):
        old_rows, new_rows = replace_partner_rows(tenant_ids, snapshot_month)
    # Back in the job's own role: the bypass writes the partner rows, not the national sums.
    apply_national_difference(old_rows, new_rows)
    from network.national.dashboards.cache import bump_generations

    bump_generations(tenant_ids)


_FRESH = "rollup_fresh"  # a temporary table: the partners' rows as counted now


def replace_partner_rows(tenant_ids, snapshot_month=None):
    """Count the partners `tenant_ids` with the statements of `rollup_selects` (the rebuild's,
    restricted to them) into a temporary table, then bring their rows in `rollup_counts` to it,
    writing only the rows that differ. The caller holds `lock_tenant_rollups(tenant_ids)` and
    runs as a role that may read and write those partners' rows (their own context, or the
    national bypass). Returns (old rows, new rows) of what changed, as `apply_national_difference`
    takes them."""
    connection = db.session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{_FRESH}")
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {_FRESH} (LIKE {RollupCount.__tablename__}) ON COMMIT DROP")
    live = RollupCount.__table__
    fresh = sa.table(_FRESH, *(sa.column(name, live.c[name].type) for name in _COLUMNS))
    selects = [select for _, _, select in rollup_selects(list(tenant_ids), snapshot_month)]
    connection.execute(insert_counts(sa.union_all(*selects), fresh))
    key = [fresh.c[name] == live.c[name] for name in ("tenant_id", "dimension", "metric", "month", "value")]
    same = key + [fresh.c[name] == live.c[name] for name in ("district", "tenant_kind", "count", "published")]
    national = [live.c[name] for name in NATIONAL_KEY] + [live.c["count"], live.c.published]
    old_rows = connection.execute(sa.delete(live).where(
        *tenant_filter(live.c.tenant_id, list(tenant_ids)), ~sa.exists().where(*same)).returning(*national)).all()
    added = sa.select(*(fresh.c[name] for name in _COLUMNS)).where(~sa.exists().where(*key))
    new_rows = connection.execute(sa.insert(live).from_select(_COLUMNS, added).returning(*national)).all()
    sum_profiles(list(tenant_ids))  # the partners table's totals follow their rows, in the same transaction
    return old_rows, new_rows
