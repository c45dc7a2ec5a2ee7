"""`flask rollups rebuild`: every roll-up recounted from the case tables, from scratch.

On PostgreSQL (the network's database) the work is shared and the result swapped in at once:

1. Empty tables shaped like the live ones (`rollup_counts_next`, `rollup_national_next`,
   `rollup_profile_sums_next`) are
   created without any index, and committed, so that every worker can write to them.
2. `workers` connections read one snapshot of the case tables (`pg_export_snapshot`, as
   pg_dump's parallel jobs do); each counts a range of partners holding about as many
   processes as the others' into the new table with the statements of `rollups.rollup_selects`.
   The database's cores work side by side. With a read replica (`DATABASE_REPLICA_URL`) they
   count there, once it has replayed every change committed before the rebuild's lock, and
   copy their rows into the primary's new table (`rebuild_replica`); a replica that is down,
   does not catch up in time or fails while counting leaves the counting to the primary.
3. The national sums are added up from the new partner rows while another connection builds
   the partner table's keys and indexes (built once from every row, an index costs a fraction
   of one updated row by row; half of its build is one process writing the index, which
   leaves a core to the sums). The national table's keys follow.
4. One short transaction swaps: the old tables are dropped and the new renamed, with the old
   tables' constraints, indexes, Row-Level Security policies and grants, read from the
   catalog, so that a migration changing them is followed. Readers wait only for the swap.

A refresh of one partner (`rollups.refresh_tenant_rollups`) waits, by an advisory lock, until
the swap has committed, then recounts from the case tables as they are by then. If anything
fails the live tables are untouched and the new ones are dropped.
"""
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from types import SimpleNamespace

import psycopg
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql

from network.core.database import owner_engine
from network.core.extensions import db
from network.core.tenancy.rls import NATIONAL_ROLE, RUNTIME_ROLE, apply_transaction_settings
from network.national.dashboards.models import ANY, NationalRollup, RollupCount, RollupProfileSum
from network.national.dashboards.rebuild_replica import (
    REPLICA_STEP,
    ReplicaUnavailable,
    copy_share,
    primary_position,
    replica_engine,
    wait_for_replay,
)
from network.national.dashboards.rollups import (
    PROFILE_SUM_COLUMNS,
    REBUILD_LOCK,
    ProcessSource,
    Shard,
    case_tables,
    insert_counts,
    mentee_areas_select,
    profile_sums_select,
    rollup_selects,
    shown_pairs,
    tenant_filter,
)
from network.national.disclosure import rounding_base
from tenants.participants.models import Mentee
from tenants.processes.models import MentoringProcess

log = logging.getLogger(__name__)

LIVE_TABLES = (RollupCount.__table__.name, NationalRollup.__table__.name, RollupProfileSum.__table__.name)
SUMS = "rollup_national_sums"  # scratch: the finest national sums, before the coarser levels
NEXT = "_next"  # suffix of the tables being built, and of their constraints and indexes until the swap
_FACTS = "rollup_process_facts"
_AREAS = "rollup_mentee_areas"
_PROCESS_COLUMNS = ("tenant_id", "id", "mentee_id", "mentor_id", "state", "outcome", "matched_on", "activated_on",
                    "closed_on")
_MENTEE_COLUMNS = ("country_of_origin", "age_band", "gender", "residence_status")
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


def rebuild_steps(workers=1, on_replica=False):
    """The labels of the rebuild's steps, in order (for a progress bar); as many either way."""
    labels = [f"{metric} / {label}" for metric, label, _ in rollup_selects(snapshot_month="2000-01", base=2)]
    share = [REPLICA_STEP if on_replica else "processes staged", *labels]
    return ([f"share {index + 1}/{workers}: {label}" for index in range(workers) for label in share]
            + ["national sums", "keys and indexes built", "tables swapped"])


def rebuild_rollups(snapshot_month=None, progress=None, workers=None):
    """Recompute every roll-up from scratch and return the number of partner rows.
    `progress(done, total, label)` is called after each step (from the workers' threads too).
    The caller's session is committed first: the rebuild counts what is committed."""
    db.session.commit()
    app = current_app._get_current_object()
    workers = workers or app.config["ROLLUP_REBUILD_WORKERS"]
    steps = _Progress(rebuild_steps(workers), rebuild_steps(workers, on_replica=True), progress)
    replica = replica_engine(app) if app.config["DATABASE_REPLICA_URL"] else None
    try:
        # As the owner: the new tables are created and swapped in for the live ones.
        total = _rebuild_postgresql(owner_engine(), snapshot_month, workers, steps, replica)
    finally:
        if replica is not None:
            replica.dispose()
    from network.national.dashboards.cache import bump_generation

    bump_generation(None)
    return total


class _Progress:
    """`labels`: the steps on the primary; `alternative`: the same steps on the replica."""

    def __init__(self, labels, alternative, callback):
        self.total, self.labels = len(labels), set(labels) | set(alternative)
        self.callback, self.done, self.lock = callback, 0, threading.Lock()

    def step(self, label):
        with self.lock:
            self.done += 1
            assert label in self.labels, label
            if self.callback:
                self.callback(self.done, self.total, label)

    def restart(self):
        """The shares start again (on the primary, after the replica failed)."""
        with self.lock:
            self.done = 0


def _rebuild_postgresql(engine, snapshot_month, workers, steps, replica=None):
    base = rounding_base()
    with engine.connect() as control:  # the tables' owner, for the DDL
        with control.begin():
            # Flushed at commit, and with it every change committed before: the WAL position
            # read next covers them all (rebuild_replica), even where commits are asynchronous.
            control.exec_driver_sql("SET LOCAL synchronous_commit = local")
            # Held by this session until the end: each partner's refresh waits for the swap.
            control.exec_driver_sql("SELECT pg_advisory_lock(%(lock)s)", {"lock": REBUILD_LOCK})
            _create_next_tables(control)
        try:
            total = _count(engine, control, replica, workers, steps, snapshot_month, base)
            with control.begin():
                definitions = {name: _definition(control, name) for name in LIVE_TABLES}
            _sum_and_build_keys(engine, control, definitions, steps)
            with control.begin():
                _swap_in(control, definitions, steps)
        except BaseException:
            with control.begin():
                _drop_next_tables(control)
            raise
        finally:
            with control.begin():
                control.exec_driver_sql("SELECT pg_advisory_unlock(%(lock)s)", {"lock": REBUILD_LOCK})
    return total


def _count(engine, control, replica, workers, steps, snapshot_month, base):
    """The partner rows into the new table: counted on the replica when it is configured and has
    replayed the primary's position in time, else (or when it fails meanwhile) on the primary."""
    share = {"snapshot_month": snapshot_month, "steps": steps, "base": base}
    if replica is not None:
        target = primary_position(control)
        try:
            waited = wait_for_replay(replica, target, current_app.config["ROLLUP_REBUILD_REPLICA_WAIT_SECONDS"])
            log.info("roll-up rebuild: counting on the replica (it replayed up to %s in %.1f s)", target, waited)
            table = RollupCount.__table__.name + NEXT
            return _count_shares(replica, workers, partial(copy_share, replica, engine, table, **share))
        except ReplicaUnavailable as error:
            log.warning("roll-up rebuild: counting on the primary: the replica %s", error)
        except (sa.exc.DBAPIError, psycopg.Error) as error:
            log.warning("roll-up rebuild: counting on the primary: the replica failed while counting: %s",
                        getattr(error, "orig", None) or error)
        with control.begin():
            control.exec_driver_sql(f"TRUNCATE {RollupCount.__table__.name}{NEXT}")
        steps.restart()
    return _count_shares(engine, workers, partial(_count_share, engine, **share))


def _count_shares(engine, workers, count_share):
    """`workers` shares of the partners counted side by side in one snapshot of `engine`'s
    database: `count_share(snapshot, shard)` each; returns the sum of what they return."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as holder, holder.begin():
        snapshot = holder.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
        assert _SNAPSHOT_ID.match(snapshot), snapshot
        with ThreadPoolExecutor(workers, thread_name_prefix="rollups-rebuild") as pool:
            shares = [pool.submit(count_share, snapshot, shard) for shard in _shards(holder, workers)]
            return sum(share.result() for share in shares)


def _next_table(table):
    return sa.table(table.name + NEXT, *(sa.column(column.name) for column in table.c))


def _create_next_tables(connection):
    _drop_next_tables(connection)
    for name in LIVE_TABLES:
        connection.exec_driver_sql(f"CREATE TABLE {name}{NEXT} (LIKE {name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    # The workers count as the national role: it reads every partner and writes only this.
    connection.exec_driver_sql(f"GRANT INSERT ON rollup_counts{NEXT} TO {NATIONAL_ROLE}")


def _drop_next_tables(connection):
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(name + NEXT for name in LIVE_TABLES)}, {SUMS}")


def _shards(connection, workers):
    """`workers` shares of the partners, each with about as many processes: ranges of ids cut
    where the processes' tenant ids reach each n-th. The ranges cover every id, whatever the bounds."""
    if workers == 1:
        return [Shard(0, 1)]
    apply_transaction_settings(connection, None, True)  # the processes of every partner
    fractions = [index / workers for index in range(1, workers)]
    bounds = connection.exec_driver_sql(
        "SELECT percentile_disc(%(fractions)s::float8[]) WITHIN GROUP (ORDER BY tenant_id) FROM mentoring_processes",
        {"fractions": fractions}).scalar() or [0] * len(fractions)  # no process at all: the last share has all
    return [Shard(index, workers, ([None] + bounds)[index], (bounds + [None])[index]) for index in range(workers)]


def _count_share(engine, snapshot, shard, snapshot_month, steps, base):
    """One worker: its partners' rows into the new table; returns how many. `base`: the
    disclosure rounding base, read by the caller (the workers' threads have no app context)."""
    assert _SNAPSHOT_ID.match(snapshot), snapshot
    prefix = f"share {shard.index + 1}/{shard.count}: "
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        log.info("national roll-up bypass: flask rollups rebuild, %s", prefix.strip(": "))
        apply_transaction_settings(connection, None, True)
        # Aggregates of millions of rows: hash them in memory rather than sort on disk, and
        # skip compiling each statement to machine code (a third of a second each, for little).
        connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        connection.exec_driver_sql("SET LOCAL jit = off")
        source = _staged_process_source(connection, shard)
        steps.step(prefix + "processes staged")
        counts, rows = _next_table(RollupCount.__table__), 0
        for metric, label, select in rollup_selects(shard, snapshot_month, source_tables=source, base=base):
            inserted = connection.execute(insert_counts(select, counts).execution_options(preserve_rowcount=True))
            rows += inserted.rowcount
            steps.step(f"{prefix}{metric} / {label}")
    return rows


def _staged_process_source(connection, shard):
    """Every process of the share's partners joined to its mentee once, in a temporary table
    that the process metrics read instead of repeating that join (a million rows) per metric."""
    p, m = MentoringProcess.__table__, Mentee.__table__
    _stage(connection, _FACTS, sa.select(*(p.c[name] for name in _PROCESS_COLUMNS),
                                         *(m.c[name] for name in _MENTEE_COLUMNS))
           .select_from(case_tables().joined).where(*tenant_filter(p.c.tenant_id, shard)))
    # The support areas of the share's mentees, with their codes, read by four metrics.
    areas = mentee_areas_select()
    _stage(connection, _AREAS, areas.where(*tenant_filter(areas.selected_columns.tenant_id, shard)))
    facts = sa.table(_FACTS, *(sa.column(name, p.c[name].type) for name in _PROCESS_COLUMNS),
                     *(sa.column(name, m.c[name].type) for name in _MENTEE_COLUMNS))
    # The mentee seen through the staged rows: its id is the process's `mentee_id`.
    mentees = SimpleNamespace(c=SimpleNamespace(id=facts.c.mentee_id, tenant_id=facts.c.tenant_id,
                                                **{name: facts.c[name] for name in _MENTEE_COLUMNS}))
    return ProcessSource(facts, mentees, facts, sa.table(_AREAS, sa.column("tenant_id"), sa.column("mentee_id"),
                                                         sa.column("code")))


def _stage(connection, name, select):
    """`select` into a temporary table of this transaction, with statistics for the planner."""
    sql = select.compile(connection, compile_kwargs={"literal_binds": True})
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS {sql}")
    connection.exec_driver_sql(f"ANALYZE {name}")


def _national_sums(source):
    """The national sums by (district, kind) of the partner rows of `source`: a profile row adds
    to each of its four dimensions (`rollups.shown_pairs`, compiled to SQL text here)."""
    row = sa.table("r", sa.column("dimension", sa.String), sa.column("value", sa.String))
    pairs = ",\n  ".join("(" + ", ".join(_sql(part) for part in pair) + ")"
                         for pair in shown_pairs(row.c.dimension, row.c.value))
    return f"""
SELECT r.district, r.tenant_kind, r.metric, shown.dimension, r.month, shown.value, sum(r.count) AS count,
  sum(r.published) AS published
FROM {source} r CROSS JOIN LATERAL (VALUES
  {pairs}) AS shown (used, dimension, value)
WHERE shown.used
GROUP BY 1, 2, 3, 4, 5, 6
"""


def _sql(expression):
    return str(expression.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


_NATIONAL_FINEST = f"""
INSERT INTO rollup_national{NEXT} (district, tenant_kind, metric, dimension, month, value, count, published)
SELECT district, tenant_kind, metric, dimension, month, value, count, published FROM {SUMS}
"""
# The three coarser levels add up the finest one.
_NATIONAL_COARSER = f"""
INSERT INTO rollup_national{NEXT} (district, tenant_kind, metric, dimension, month, value, count, published)
SELECT coalesce(district, '{ANY}'), coalesce(tenant_kind, '{ANY}'), metric, dimension, month, value, sum(count),
  sum(published)
FROM rollup_national{NEXT} WHERE district <> '{ANY}' AND tenant_kind <> '{ANY}'
GROUP BY metric, dimension, month, value, GROUPING SETS ((district), (tenant_kind), ())
"""


def _sum_and_build_keys(engine, control, definitions, steps):
    """The national sums, while another connection builds the partner table's keys and indexes."""
    counts, national, profile_sums = LIVE_TABLES
    with control.begin():
        # Statistics first, so that the national sums are planned as a parallel aggregate (a
        # CREATE TABLE ... AS may use the database's other cores, an INSERT ... SELECT may not);
        # committed, as the index build's lock would wait for ANALYZE's.
        control.exec_driver_sql(f"ANALYZE {counts}{NEXT}")
    with ThreadPoolExecutor(1, thread_name_prefix="rollups-keys") as pool:
        counts_keys = pool.submit(_build_keys_apart, engine, counts + NEXT, definitions[counts])
        with control.begin():
            run = control.exec_driver_sql
            run("SET LOCAL work_mem = '256MB'")
            run(f"CREATE UNLOGGED TABLE {SUMS} AS {_national_sums(counts + NEXT)}")
            run(_NATIONAL_FINEST)
            run(_NATIONAL_COARSER)
            control.execute(sa.insert(_next_table(RollupProfileSum.__table__)).from_select(
                PROFILE_SUM_COLUMNS, profile_sums_select(_next_table(RollupCount.__table__))))
            steps.step("national sums")
        _build_keys(control, national + NEXT, definitions[national])
        _build_keys(control, profile_sums + NEXT, definitions[profile_sums])
        counts_keys.result()
    steps.step("keys and indexes built")


def _build_keys_apart(engine, table, definition):
    with engine.connect() as connection:  # the login role, like the control connection: the tables' owner
        _build_keys(connection, table, definition)


def _build_keys(connection, table, definition):
    """`definition`'s keys and indexes on `table`, in a transaction of their own."""
    with connection.begin():
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")  # millions of keys, sorted in memory
        for statement in definition.keys_and_indexes(table):
            connection.exec_driver_sql(statement)


def _swap_in(connection, definitions, steps):
    run = connection.exec_driver_sql
    run(f"LOCK TABLE {', '.join(LIVE_TABLES)} IN ACCESS EXCLUSIVE MODE")
    run(f"DROP TABLE {', '.join(LIVE_TABLES)}, {SUMS}")
    for name, definition in definitions.items():
        run(f"ALTER TABLE {name}{NEXT} RENAME TO {name}")
        for statement in definition.security_and_names(name):
            run(statement)
    run(f"ANALYZE {', '.join(LIVE_TABLES[1:])}")  # the partner rows were analysed before the national sums
    steps.step("tables swapped")


def _definition(connection, table):
    """What the live `table` has beyond its columns, as read from the catalog."""
    run = connection.exec_driver_sql
    oid = run("SELECT %(table)s::regclass::oid", {"table": table}).scalar()
    constraints = run(
        "SELECT conname, contype, pg_get_constraintdef(oid), pg_get_indexdef(conindid) FROM pg_constraint "
        "WHERE conrelid = %(oid)s AND contype IN ('p', 'u', 'f', 'x') ORDER BY conname", {"oid": oid}).all()
    indexes = run(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %(oid)s AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = i.indexrelid) "
        "ORDER BY c.relname", {"oid": oid}).all()
    security = run("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = %(oid)s", {"oid": oid}).one()
    policies = run(
        "SELECT policyname, permissive, roles, cmd, qual, with_check FROM pg_policies "
        "WHERE schemaname = current_schema() AND tablename = %(table)s ORDER BY policyname", {"table": table}).all()
    grants = run(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, a.privilege_type "
        "FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = %(oid)s AND a.grantee <> c.relowner ORDER BY 1, 2", {"oid": oid}).all()
    return _TableDefinition(constraints, indexes, security, policies, grants)


class _TableDefinition:
    def __init__(self, constraints, indexes, security, policies, grants):
        self.constraints, self.indexes = constraints, indexes
        self.security, self.policies, self.grants = security, policies, grants

    def keys_and_indexes(self, table):
        """Built on the new table under provisional names, before the swap, in an order that lets
        others read the table until the last statements: the indexes, primary and unique keys'
        included (CREATE INDEX locks out writers only), then the foreign keys (the same), then
        the primary and unique keys over their indexes and the exclusion constraints (these
        lock out readers)."""
        keyed = {"p": "PRIMARY KEY", "u": "UNIQUE"}
        indexes = [(name, index) for name, kind, _, index in self.constraints if kind in keyed] + self.indexes
        statements = [_renamed_index(definition, _provisional(name), table) for name, definition in indexes]
        statements += [f"ALTER TABLE {table} ADD CONSTRAINT {_provisional(name)} {definition}"
                       for name, kind, definition, _ in self.constraints if kind == "f"]
        for name, kind, definition, _ in self.constraints:
            if kind in keyed:
                deferrable = re.search(r" (?:NOT )?DEFERRABLE.*$", definition)
                statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {_provisional(name)} {keyed[kind]} "
                                  f"USING INDEX {_provisional(name)}{deferrable[0] if deferrable else ''}")
        statements += [f"ALTER TABLE {table} ADD CONSTRAINT {_provisional(name)} {definition}"
                       for name, kind, definition, _ in self.constraints if kind == "x"]
        return statements

    def security_and_names(self, table):
        """After the swap: the live table's names, Row-Level Security and grants."""
        statements = [f"ALTER TABLE {table} RENAME CONSTRAINT {_provisional(name)} TO {name}"
                      for name, *_ in self.constraints]
        statements += [f"ALTER INDEX {_provisional(name)} RENAME TO {name}" for name, _ in self.indexes]
        row_security, forced = self.security
        if row_security:
            statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        if forced:
            statements.append(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for name, permissive, roles, command, using, check in self.policies:
            statement = f"CREATE POLICY {name} ON {table} AS {permissive} FOR {command} TO {', '.join(roles)}"
            statement += f" USING ({using})" if using else ""
            statement += f" WITH CHECK ({check})" if check else ""
            statements.append(statement)
        # New tables get the schema's default privileges: replace them with the live table's.
        statements.append(f"REVOKE ALL ON {table} FROM PUBLIC, {', '.join(self._roles_with_defaults())}")
        statements += [f"GRANT {privilege} ON {table} TO {grantee}" for grantee, privilege in self.grants]
        return statements

    def _roles_with_defaults(self):
        return sorted({RUNTIME_ROLE, NATIONAL_ROLE} | {grantee for grantee, _ in self.grants if grantee != "PUBLIC"})


def _renamed_index(definition, name, table):
    """`definition` (pg_get_indexdef) for an index `name` on `table`."""
    return re.sub(r"^(CREATE (?:UNIQUE )?INDEX )(\S+)( ON (?:ONLY )?)(\S+)",
                  lambda match: f"{match[1]}{name}{match[3]}{table}", definition)


def _provisional(name):
    provisional = name + NEXT
    assert len(provisional) <= 63, f"{provisional}: longer than PostgreSQL's names"
    return provisional
