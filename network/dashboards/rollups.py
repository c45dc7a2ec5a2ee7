"""Roll-ups: computed from the case tables by one set-based SQL, per metric and dimension.

The same statements serve both paths, so they agree by construction:

- `refresh_tenant_rollups(tenant_id)`, the incremental job: inside the tenant's own context
  (scoping and Row-Level Security apply) it replaces that tenant's rows with a fresh count.
  It is idempotent: a replayed or duplicated job writes the same rows.
- `rebuild_rollups()`, `flask rollups rebuild`: through the national bypass it empties the
  tables and runs one INSERT ... SELECT ... GROUP BY per metric and dimension (on PostgreSQL a
  metric's plain dimensions share one GROUPING SETS pass), then the national sums.

The national sums (`rollup_national`) are kept by the job as the difference between the
tenant's old and new rows, and by the rebuild with GROUP BY; both tested equal.

Every change to a process goes through `record_process_event`, and every registration,
interview and status move of a participant through `tenants.participants.services`; each
calls `mark_rollups_stale()`, and once the transaction commits one job per touched tenant
goes on the "rollups" queue.

Months are calendar months (YYYY-MM) of the date the step happened; datetimes in UTC.
"""
import logging
import re
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from network.dashboards.models import ANY, NationalRollup, RollupCount
from network.extensions import db
from network.reference.models import SupportArea
from tenants.participants.models import Interview, Mentee, MenteeSupportArea, Mentor
from tenants.processes.models import OPEN_STATES, MentoringProcess, ProcessEvent
from tenants.tenancy import current_tenant_id, national_rollup_bypass
from tenants.tenancy.rls import apply_transaction_settings
from tenants.tenancy.models import Tenant

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
ALL = "all"

# Dimensions of a mentee (the person a process serves).
MENTEE_DIMENSIONS = ("all", "country", "age_band", "gender", "residence", "support_area")

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
def _month_generic(element, compiler, **kw):
    # SQLite keeps dates as 'YYYY-MM-DD' and timestamps as 'YYYY-MM-DD HH:MM:SS...' (UTC).
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(month_of, "postgresql")
def _month_postgresql(element, compiler, **kw):
    (column,) = element.clauses.clauses
    argument = compiler.process(element.clauses, **kw)
    if isinstance(column.type, sa.DateTime) or isinstance(getattr(column.type, "impl", None), sa.DateTime):
        argument = f"timezone('UTC', {argument})"
    return f"to_char({argument}, 'YYYY-MM')"


def _const(text):
    """An SQL string constant of ours (never user input)."""
    assert re.fullmatch(r"[a-z0-9_-]*", text), text
    return sa.literal_column(f"'{text}'", sa.String)


# --- the sources ---------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    metric: str
    dimensions: tuple
    subject: str  # whose dimensions: "mentee" or "mentor" or "process"


# Breakdowns are stored where the dashboard shows them: the mentee tables (registered,
# matched, goals met, active now) and the outcomes; every other metric is counted in total.
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


def _tenant_filter(column, tenant_id):
    return [] if tenant_id is None else [column == tenant_id]


@dataclass(frozen=True)
class ProcessSource:
    """Where the process metrics read a process and its mentee: `processes` and `mentees`
    (anything with the columns of those tables: a table, or a stand-in over another) and
    `joined`, the FROM clause holding both."""
    processes: object
    mentees: object
    joined: object


def case_tables():
    p, m = MentoringProcess.__table__, Mentee.__table__
    return ProcessSource(p, m, p.join(m, sa.and_(m.c.tenant_id == p.c.tenant_id, m.c.id == p.c.mentee_id)))


def _base(metric, tenant_id, snapshot_month, source_tables):
    """(from clause, tenant column, month expression, where, person table, count expression)."""
    p, m, with_mentee = source_tables.processes, source_tables.mentees, source_tables.joined
    e, r, i = ProcessEvent.__table__, Mentor.__table__, Interview.__table__
    open_state = p.c.state.in_(OPEN_STATES)
    snapshot = _const(snapshot_month)
    # People's own metrics read their own tables, whatever `source_tables` stages.
    if metric in ("mentors_registered", "mentees_registered"):
        person = r if metric == "mentors_registered" else Mentee.__table__
        return person, person.c.tenant_id, month_of(person.c.created_at), [], person, sa.func.count()
    if metric in ("mentors_interviewed", "mentees_interviewed"):
        person, link = (r, i.c.mentor_id) if metric == "mentors_interviewed" else (Mentee.__table__, i.c.mentee_id)
        first = (
            sa.select(i.c.tenant_id, link.label("person_id"), sa.func.min(i.c.held_on).label("held_on"))
            .where(link.isnot(None), *_tenant_filter(i.c.tenant_id, tenant_id))
            .group_by(i.c.tenant_id, link)
            .subquery("first_interview")
        )
        source = first.join(person, sa.and_(person.c.tenant_id == first.c.tenant_id, person.c.id == first.c.person_id))
        return source, person.c.tenant_id, month_of(first.c.held_on), [], person, sa.func.count()
    if metric == "matched":
        return with_mentee, p.c.tenant_id, month_of(p.c.matched_on), [], m, sa.func.count()
    if metric == "agreement_signed":
        source = e.join(with_mentee, sa.and_(p.c.tenant_id == e.c.tenant_id, p.c.id == e.c.process_id))
        return (source, p.c.tenant_id, month_of(e.c.occurred_at), [e.c.to_state == "agreement_signed"], m,
                sa.func.count(sa.distinct(p.c.id)))
    if metric == "activated":
        return with_mentee, p.c.tenant_id, month_of(p.c.activated_on), [p.c.activated_on.isnot(None)], m, sa.func.count()
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


def _dimension_value(dimension, person, source, p):
    """(value expression, source with any join the dimension needs)."""
    if dimension == ALL:
        return None, source
    if dimension == "support_area":
        link, area = MenteeSupportArea.__table__, SupportArea.__table__
        source = source.join(link, sa.and_(link.c.tenant_id == person.c.tenant_id, link.c.mentee_id == person.c.id)) \
            .join(area, area.c.id == link.c.support_area_id)
        return area.c.code, source
    column = {
        "country": lambda: person.c.country_of_origin,
        "age_band": lambda: person.c.age_band,
        "gender": lambda: person.c.gender,
        "residence": lambda: person.c.residence_status,
        "outcome": lambda: p.c.outcome,
        "state": lambda: p.c.state,
    }[dimension]()
    return sa.func.coalesce(column, _const(UNKNOWN)), source


def rollup_selects(tenant_id=None, snapshot_month=None, grouping_sets=False, source_tables=None):
    """One SELECT per (metric, dimension), with the columns of `rollup_counts`;
    `tenant_id` None: every tenant. `grouping_sets` (PostgreSQL): a metric's plain
    dimensions in one pass, `GROUP BY ... GROUPING SETS`, the same rows in fewer scans.
    `source_tables`: where processes and their mentees are read (default: `case_tables()`)."""
    snapshot_month = snapshot_month or current_month()
    source_tables = source_tables or case_tables()
    t = Tenant.__table__
    for source_def in SOURCES:
        plain = [d for d in source_def.dimensions if d not in (ALL, "support_area")]
        combined = grouping_sets and ALL in source_def.dimensions and len(plain) > 1
        for dimension in source_def.dimensions:
            if combined and dimension in plain:
                continue
            source, tenant_column, month, where, person, count = _base(source_def.metric, tenant_id, snapshot_month,
                                                                       source_tables)
            p = source_tables.processes
            groups = [tenant_column]
            if not isinstance(month, sa.sql.elements.ColumnClause):
                groups.append(month)
            if combined and dimension == ALL:
                values = [(name, _dimension_value(name, person, source, p)[0]) for name in plain]
                dimension_column = sa.case(*((sa.func.grouping(value) == 0, _const(name)) for name, value in values),
                                           else_=_const(ALL))
                value_column = sa.case(*((sa.func.grouping(value) == 0, value) for _, value in values),
                                       else_=_const(""))
                groups.append(sa.func.grouping_sets(sa.tuple_(), *(sa.tuple_(value) for _, value in values)))
                label = "+".join([ALL, *plain])
            else:
                value, source = _dimension_value(dimension, person, source, p)
                dimension_column = _const(dimension)
                value_column = value if value is not None else _const("")
                if value is not None:
                    groups.append(value)
                label = dimension
            counted = (
                sa.select(
                    tenant_column.label("tenant_id"),
                    dimension_column.label("dimension"),
                    month.label("month"),
                    value_column.label("value"),
                    count.label("count"),
                )
                .select_from(source)
                .where(*where, *_tenant_filter(tenant_column, tenant_id))
                .group_by(*groups)
                .subquery("counted")
            )
            # The partner's district and kind are added to the counted rows, not grouped by.
            yield source_def.metric, label, (
                sa.select(counted.c.tenant_id, _const(source_def.metric).label("metric"), counted.c.dimension,
                          counted.c.month, counted.c.value, t.c.district.label("district"),
                          t.c.kind.label("tenant_kind"), counted.c["count"])
                .join_from(counted, t, t.c.id == counted.c.tenant_id)
            )


_COLUMNS = ("tenant_id", "metric", "dimension", "month", "value", "district", "tenant_kind", "count")


def _insert(select):
    return sa.insert(RollupCount).from_select(_COLUMNS, select)


def current_month(today=None):
    return (today or date.today()).strftime("%Y-%m")


# --- the national sums ---------------------------------------------------------------

LEVELS = ((True, True), (True, False), (False, True), (False, False))  # (by district, by kind)
_ROW = ("district", "tenant_kind", "metric", "dimension", "month", "value")


def national_keys(row):
    """The four `rollup_national` keys one tenant row adds to."""
    district, kind, *rest = row
    return [(district if by_district else ANY, kind if by_kind else ANY, *rest) for by_district, by_kind in LEVELS]


def _tenant_rows(tenant_id):
    columns = [getattr(RollupCount, name) for name in _ROW] + [RollupCount.count]
    return db.session.execute(sa.select(*columns).where(RollupCount.tenant_id == tenant_id)).all()


def _upsert_add(dialect_name):
    module = postgresql if dialect_name == "postgresql" else sqlite
    table = NationalRollup.__table__
    statement = module.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(_ROW), set_={"count": table.c["count"] + statement.excluded["count"]})


def _apply_national_difference(old_rows, new_rows):
    difference = Counter()
    for rows, sign in ((new_rows, 1), (old_rows, -1)):
        for *key, count in rows:
            for national_key in national_keys(key):
                difference[national_key] += sign * count
    changes = [dict(zip(_ROW, key), count=change) for key, change in sorted(difference.items()) if change]
    if not changes:
        return
    # Sorted keys: concurrent refreshes of different tenants lock shared rows in one order.
    connection = db.session.connection()
    connection.execute(_upsert_add(connection.dialect.name), changes)
    emptied = [{f"k_{name}": change[name] for name in _ROW} for change in changes if change["count"] < 0]
    if emptied:
        table = NationalRollup.__table__
        key = [table.c[name] == sa.bindparam(f"k_{name}") for name in _ROW]
        connection.execute(sa.delete(table).where(*key, table.c["count"] == 0), emptied)


# --- the incremental path --------------------------------------------------------

_LOCK_NAMESPACE = 7001
_REBUILD_LOCK = 7000


def refresh_tenant_rollups(tenant_id, snapshot_month=None):
    """The "rollups" job: recount one tenant from its case tables, replace its rows, and add
    the difference to the national sums. Idempotent: a replay finds nothing to change."""
    if current_tenant_id() != tenant_id:
        raise RuntimeError("refresh_tenant_rollups runs in the tenant's own context")
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Refreshes of one tenant take turns, and none runs during a rebuild.
        connection.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:rebuild)"), {"rebuild": _REBUILD_LOCK})
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:namespace, :tenant)"),
                           {"namespace": _LOCK_NAMESPACE, "tenant": tenant_id})
    old_rows = _tenant_rows(tenant_id)
    db.session.execute(sa.delete(RollupCount).where(RollupCount.tenant_id == tenant_id))
    selects = [select for _, _, select in rollup_selects(tenant_id, snapshot_month)]
    db.session.execute(_insert(sa.union_all(*selects)))
    _apply_national_difference(old_rows, _tenant_rows(tenant_id))
    from network.dashboards.cache import bump_generation

    bump_generation(tenant_id)


# --- the full rebuild -------------------------------------------------------------

_FACTS = "rollup_process_facts"
_MENTEE_COLUMNS = ("country_of_origin", "age_band", "gender", "residence_status")


def _staged_process_source():
    """PostgreSQL: every process joined to its mentee once, into a temporary table that the
    process metrics read instead of repeating that join (a million rows each) per metric."""
    p, m = MentoringProcess.__table__, Mentee.__table__
    process_columns = [column for column in p.c if column.name in
                       ("tenant_id", "id", "mentee_id", "mentor_id", "state", "outcome", "matched_on", "activated_on",
                        "closed_on")]
    staged = sa.select(*process_columns, *(m.c[name] for name in _MENTEE_COLUMNS)).select_from(case_tables().joined)
    connection = db.session.connection()
    sql = staged.compile(connection, compile_kwargs={"literal_binds": True})
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {_FACTS} ON COMMIT DROP AS {sql}")
    connection.exec_driver_sql(f"ANALYZE {_FACTS}")
    facts = sa.table(_FACTS, *(sa.column(column.name, column.type) for column in process_columns),
                     *(sa.column(name, m.c[name].type) for name in _MENTEE_COLUMNS))
    # The mentee seen through the staged rows: its id is the process's `mentee_id`.
    mentees = SimpleNamespace(c=SimpleNamespace(id=facts.c.mentee_id, tenant_id=facts.c.tenant_id,
                                                **{name: facts.c[name] for name in _MENTEE_COLUMNS}))
    return ProcessSource(facts, mentees, facts)


_NATIONAL_FINEST = """
INSERT INTO rollup_national (district, tenant_kind, metric, dimension, month, value, count)
SELECT district, tenant_kind, metric, dimension, month, value, sum(count)
FROM rollup_counts GROUP BY district, tenant_kind, metric, dimension, month, value
"""
# The three coarser levels add up the finest one: a tenth of the rows to read.
_NATIONAL_COARSER = f"""
INSERT INTO rollup_national (district, tenant_kind, metric, dimension, month, value, count)
SELECT coalesce(district, '{ANY}'), coalesce(tenant_kind, '{ANY}'), metric, dimension, month, value, sum(count)
FROM rollup_national WHERE district <> '{ANY}' AND tenant_kind <> '{ANY}'
GROUP BY metric, dimension, month, value, GROUPING SETS ((district), (tenant_kind), ())
"""


class _KeysDropped:
    """PostgreSQL: the roll-up tables' keys dropped while the rebuild fills them, and created
    again after. Millions of rows inserted into an indexed table cost a B-tree descent (and its
    WAL) each; one index built from the sorted rows at the end costs a fraction of that. The
    DDL needs the tables' owner, the login role: `flask rollups rebuild` is the operator's
    command and never runs in a request. Inside the transaction, so a failure restores all."""

    def __init__(self, connection):
        self.connection = connection
        self.constraints = [constraint for table in (RollupCount.__table__, NationalRollup.__table__)
                            for constraint in (table.primary_key, *table.foreign_key_constraints)]

    def _as_owner(self, statements):
        self.connection.exec_driver_sql("SELECT set_config('role', 'none', true)")
        for statement in statements:
            self.connection.execute(statement)
        apply_transaction_settings(self.connection, None, True)

    def drop(self):
        self._as_owner([sa.schema.DropConstraint(constraint) for constraint in self.constraints])

    def restore(self):
        self.connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        self._as_owner([sa.schema.AddConstraint(constraint) for constraint in self.constraints])


def _national_select(by_district, by_kind):
    r = RollupCount.__table__
    district = r.c.district if by_district else _const(ANY)
    kind = r.c.tenant_kind if by_kind else _const(ANY)
    groups = [column for column, used in ((r.c.district, by_district), (r.c.tenant_kind, by_kind)) if used]
    return sa.select(district, kind, r.c.metric, r.c.dimension, r.c.month, r.c.value, sa.func.sum(r.c["count"])) \
        .group_by(*groups, r.c.metric, r.c.dimension, r.c.month, r.c.value)


def rebuild_steps(dialect_name):
    """The labels of the rebuild's steps, in order (for a progress bar)."""
    labels = [f"{metric} / {label}" for metric, label, _ in
              rollup_selects(snapshot_month="2000-01", grouping_sets=dialect_name == "postgresql")]
    if dialect_name == "postgresql":
        return ["processes staged", *labels, "keys created", "national, finest level", "national, coarser levels"]
    return [*labels, *(_national_label(*level) for level in LEVELS)]


def _national_label(by_district, by_kind):
    return f"national {'district' if by_district else '-'} {'kind' if by_kind else '-'}"


def rebuild_rollups(snapshot_month=None, progress=None):
    """Recompute every roll-up from scratch, set-based, in one transaction: one
    INSERT ... SELECT ... GROUP BY per metric and dimension, then the national sums.
    `progress(done, total, label)` is called after each step."""
    postgres = db.session.connection().dialect.name == "postgresql"
    labels = rebuild_steps("postgresql" if postgres else "other")
    done = 0

    def step(label):
        nonlocal done
        done += 1
        assert labels[done - 1] == label, (labels[done - 1], label)
        if progress:
            progress(done, len(labels), label)

    with national_rollup_bypass("flask rollups rebuild"):
        connection = db.session.connection()
        if postgres:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:rebuild)"), {"rebuild": _REBUILD_LOCK})
            # Aggregates of millions of rows: hash them in memory rather than sort on disk.
            connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
            # Compiling each statement's expressions to machine code costs a third of a second
            # and saves less on these hash aggregates.
            connection.exec_driver_sql("SET LOCAL jit = off")
            connection.exec_driver_sql("TRUNCATE rollup_counts, rollup_national")
            keys = _KeysDropped(connection)
            keys.drop()
            source_tables = _staged_process_source()
            step("processes staged")
        else:
            db.session.execute(sa.delete(RollupCount))
            db.session.execute(sa.delete(NationalRollup))
            source_tables = None
        for metric, label, select in rollup_selects(None, snapshot_month, grouping_sets=postgres,
                                                    source_tables=source_tables):
            db.session.execute(_insert(select))
            step(f"{metric} / {label}")
        if postgres:
            keys.restore()
            step("keys created")
            connection.exec_driver_sql(_NATIONAL_FINEST)
            step("national, finest level")
            connection.exec_driver_sql(_NATIONAL_COARSER)
            step("national, coarser levels")
        else:
            for by_district, by_kind in LEVELS:
                db.session.execute(sa.insert(NationalRollup).from_select(list(_ROW) + ["count"],
                                                                         _national_select(by_district, by_kind)))
                step(_national_label(by_district, by_kind))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(RollupCount))
    db.session.commit()
    from network.dashboards.cache import bump_generation

    bump_generation(None)
    return total
