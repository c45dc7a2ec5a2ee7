"""The rebuild's counting on the read replica (`DATABASE_REPLICA_URL`), for `rebuild.py`.

A standby cannot write, not even a temporary table, so there the shares do not stage the
processes: each metric's SELECT (`rollups.rollup_selects`, the case tables joined as the
incremental refresh joins them) runs on the replica as `COPY (SELECT ...) TO STDOUT`, and its
rows stream, as they come, into the primary's new table with `COPY ... FROM STDIN`. The
replica's cores do the counting; the primary only stores rows.

Which changes the counts hold: the rebuild takes its lock on the primary and commits, flushed
(`synchronous_commit`), then reads the primary's WAL position. Every change committed before
the lock is before that position. `wait_for_replay` waits, at most
ROLLUP_REBUILD_REPLICA_WAIT_SECONDS, until the replica has replayed up to it, and only then
is the replica's snapshot taken: it holds every such change. A change committed after the
lock marks its partner stale and queues a recount, which waits for the rebuild's lock and
recounts once the new tables are in (as on the primary). A replica that is not configured,
does not answer, is not a standby or does not catch up in time is not used: the primary counts,
and the reason is logged.
"""
import logging
import time

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from config import database_url
from network.core.ops.replica import connect_args
from network.core.tenancy.rls import apply_transaction_settings
from network.national.dashboards.rollups import rollup_selects

log = logging.getLogger(__name__)

REPLICA_STEP = "read on the replica"  # a share's first step there (on the primary: "processes staged")

# Bytes the replica still has to replay up to `target`; NULL when it is not a standby.
_BEHIND_SQL = "SELECT pg_wal_lsn_diff(%(target)s::pg_lsn, pg_last_wal_replay_lsn())"
_POLL_SECONDS = 0.05


class ReplicaUnavailable(Exception):
    """The replica cannot count this rebuild: why, for the log."""


def replica_engine(app):
    """Connections of the rebuild's own (one per share and one holding the snapshot), closed after use."""
    uri = database_url(app.config["DATABASE_REPLICA_URL"])
    return sa.create_engine(uri, poolclass=NullPool, connect_args=connect_args(app, uri))


def primary_position(connection):
    """The primary's WAL position, read after the rebuild's lock was committed."""
    with connection.begin():
        return connection.exec_driver_sql("SELECT pg_current_wal_lsn()::text").scalar()


def wait_for_replay(engine, target, seconds):
    """Until the replica has replayed up to `target` (a WAL position of the primary); returns the
    seconds waited. Raises ReplicaUnavailable when it does not answer, is not a standby, or is
    still behind after `seconds`."""
    started = time.monotonic()
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            while True:
                behind = connection.exec_driver_sql(_BEHIND_SQL, {"target": target}).scalar()
                waited = time.monotonic() - started
                if behind is None:
                    raise ReplicaUnavailable("is not a standby (it replays no WAL)")
                if behind <= 0:
                    return waited
                if waited >= seconds:
                    raise ReplicaUnavailable(f"had not replayed up to the primary's {target} after {waited:.1f} s "
                                             f"({behind} bytes behind)")
                time.sleep(_POLL_SECONDS)
    except sa.exc.DBAPIError as error:
        raise ReplicaUnavailable(f"is unreachable: {error.orig}") from error


def copy_share(replica, primary, table, snapshot, shard, snapshot_month, steps, base):
    """One worker on the replica: its partners' rows, counted in the exported `snapshot`, copied
    into `table` on the primary in one transaction; returns how many."""
    prefix = f"share {shard.index + 1}/{shard.count}: "
    with replica.connect().execution_options(isolation_level="REPEATABLE READ") as source, source.begin(), \
            primary.connect() as target, target.begin():
        source.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        log.info("national roll-up bypass: flask rollups rebuild on the replica, %s", prefix.strip(": "))
        apply_transaction_settings(source, None, True)
        source.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        source.exec_driver_sql("SET LOCAL jit = off")
        steps.step(prefix + REPLICA_STEP)
        rows = 0
        for metric, label, select in rollup_selects(shard, snapshot_month, base=base):
            rows += _copy_rows(source, target, table, select)
            steps.step(f"{prefix}{metric} / {label}")
    return rows


def _copy_rows(source, target, table, select):
    """`select`'s rows from the replica into `table` on the primary, block by block, in COPY's
    text format (never parsed here)."""
    sql = select.compile(dialect=source.dialect, compile_kwargs={"literal_binds": True})
    columns = ", ".join(f'"{column.name}"' for column in select.selected_columns)
    reader = source.connection.driver_connection.cursor()
    writer = target.connection.driver_connection.cursor()
    with writer.copy(f"COPY {table} ({columns}) FROM STDIN") as sink, reader.copy(f"COPY ({sql}) TO STDOUT") as rows:
        for block in rows:
            sink.write(block)
    return writer.rowcount
