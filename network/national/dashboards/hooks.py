"""What `network.core.changes.mark_rollups_stale()` (the one call the case code makes when
something the roll-ups count changes) does, registered there at import. The partner is marked
stale in `rollup_status` in the same transaction as the change (just before it commits, so the
row is locked as briefly as possible); once it commits, a pass goes on the "rollups" queue
(`enqueue_after_commit`) unless one is waiting already. A rollback forgets both. A pass
(`recount_stale_partners`) recounts every partner stale when it starts, all at once, so the
worker's cost is per pass, not per partner or per change (coalescing), and
`sweep_stale_rollups`, a periodic job, queues a pass whenever a partner has stayed stale too
long: Redis was down, a worker died mid-recount."""
import logging
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from network.core.changes import register_stale_marker
from network.core.extensions import db
from network.core.jobs import enqueue
from network.core.jobs.after_commit import enqueue_after_commit
from network.core.jobs.queueing import release_queued
from network.core.tenancy import current_tenant_id
from network.core.timeutil import utcnow
from network.national.dashboards.models import STALE_MARKS, RollupStatus

log = logging.getLogger(__name__)

_PENDING_KEY = "rollups_stale_tenants"
_REBUILT_AFTERWARDS_KEY = "rollups_rebuilt_afterwards"


@contextmanager
def rebuilt_afterwards():
    """For a bulk load that `rebuild_rollups()` counts once at its end (the demo's seeding):
    the block's changes mark no partner stale and queue no recount, which without Redis would
    run in the process after every commit, partner by partner."""
    db.session.info[_REBUILT_AFTERWARDS_KEY] = True
    try:
        yield
    finally:
        db.session.info.pop(_REBUILT_AFTERWARDS_KEY, None)


# Set while a pass waits in the queue, released when it starts: one waiting pass sees every change.
_QUEUED_KEY = "rollups:recount-queued"


@register_stale_marker
def mark_partner_stale(tenant_id=None):
    tenant_id = tenant_id if tenant_id is not None else current_tenant_id()
    if tenant_id is None or db.session.info.get(_REBUILT_AFTERWARDS_KEY):
        return
    pending = db.session.info.setdefault(_PENDING_KEY, set())
    if tenant_id not in pending:
        pending.add(tenant_id)
        enqueue_after_commit(recount_stale_partners, queue="rollups", unless_queued=_QUEUED_KEY)


@event.listens_for(Session, "before_commit")
def _write_stale_marks(session):
    pending = session.info.pop(_PENDING_KEY, None)
    # In id order: two transactions marking the same partners lock their rows in one order.
    for tenant_id in sorted(pending or ()):
        insert = postgresql.insert(RollupStatus).values(tenant_id=tenant_id, stale_mark=STALE_MARKS.next_value(),
                                                        stale_since=utcnow())
        session.execute(insert.on_conflict_do_update(
            index_elements=[RollupStatus.tenant_id],
            set_={"stale_mark": insert.excluded.stale_mark,
                  "stale_since": sa.func.coalesce(RollupStatus.stale_since, insert.excluded.stale_since)},
        ))


@event.listens_for(Session, "after_rollback")
def _forget_stale_tenants(session):
    session.info.pop(_PENDING_KEY, None)


def recount_stale_partners():
    """The "rollups" job, one pass: every partner marked stale (up to `ROLLUP_RECOUNT_BATCH`, the
    longest waiting first; a next pass is queued for the rest) recounted at once by the rebuild's
    statements restricted to them (`rollups.recount_partners`). Each partner's mark is read once
    its lock is held, before it is counted, and cleared only if it is still that number: a change
    committed during the pass keeps its partner stale for the next one. All in the job's one
    transaction, so a pass that fails clears no mark. Returns the ids of the partners recounted."""
    from network.national.dashboards.rollups import lock_tenant_rollups, recount_partners

    # Before the marks are read: a change committed from now on queues a pass of its own.
    release_queued(_QUEUED_KEY)
    batch = current_app.config["ROLLUP_RECOUNT_BATCH"]
    waiting = db.session.scalars(sa.select(RollupStatus.tenant_id).where(RollupStatus.stale_mark.is_not(None))
                                 .order_by(RollupStatus.stale_since, RollupStatus.tenant_id).limit(batch + 1)).all()
    if len(waiting) > batch:
        enqueue_after_commit(recount_stale_partners, queue="rollups", unless_queued=_QUEUED_KEY)
    if not waiting:
        return []
    # Another pass may hold some of them: wait for it, then count only what it left stale.
    lock_tenant_rollups(waiting[:batch])
    marks = dict(db.session.execute(sa.select(RollupStatus.tenant_id, RollupStatus.stale_mark).where(
        RollupStatus.tenant_id.in_(waiting[:batch]), RollupStatus.stale_mark.is_not(None))).all())
    if marks:
        recount_partners(sorted(marks))
        _clear_marks(marks)
    return sorted(marks)


def _clear_marks(marks):
    """Each partner's mark cleared if it is still the one read before counting (`marks`: tenant
    id -> mark), in id order, as the last statement of the pass: the rows stay locked (a change
    marking them waits) only until the pass commits."""
    status = RollupStatus.__table__
    cleared = status.c.stale_mark == sa.bindparam("read_mark")
    db.session.connection().execute(
        sa.update(status).where(status.c.tenant_id == sa.bindparam("read_tenant")).values(
            refreshed_at=utcnow(),
            stale_mark=sa.case((cleared, None), else_=status.c.stale_mark),
            stale_since=sa.case((cleared, None), else_=status.c.stale_since)),
        [{"read_tenant": tenant_id, "read_mark": mark} for tenant_id, mark in sorted(marks.items())])


def sweep_stale_rollups(scheduled_for=None):
    """The periodic sweep: a pass (`recount_stale_partners`) when a partner has been stale for
    longer than `ROLLUP_SWEEP_GRACE` seconds (the pass its change queued should have run by
    then). Returns how many partners were that late."""
    since = utcnow() - timedelta(seconds=current_app.config["ROLLUP_SWEEP_GRACE"])
    late = db.session.scalar(sa.select(sa.func.count()).select_from(RollupStatus).where(
        RollupStatus.stale_mark.is_not(None), RollupStatus.stale_since <= since))
    if late:
        enqueue(recount_stale_partners, queue="rollups")
    return late


def rollup_freshness(tenant_id=None):
    """For the dashboards: when the figures (of one partner, or of all) were last recounted,
    and how many partners wait for a recount, since when."""
    scope = [] if tenant_id is None else [RollupStatus.tenant_id == tenant_id]
    row = db.session.execute(sa.select(
        sa.func.max(RollupStatus.refreshed_at),
        sa.func.count().filter(RollupStatus.stale_mark.is_not(None)),
        sa.func.min(RollupStatus.stale_since),
    ).where(*scope)).one()
    return {"refreshed_at": row[0], "stale_partners": row[1], "stale_since": row[2]}
