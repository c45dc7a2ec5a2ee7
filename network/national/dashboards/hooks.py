"""What `network.core.changes.mark_rollups_stale()` (the one call the case code makes when
something the roll-ups count changes) does, registered there at import. The partner is marked
stale in `rollup_status` in the same transaction
as the change (just before it commits, so the row is locked as briefly as possible); once it
commits, a recount goes on the "rollups" queue (`enqueue_after_commit`). A rollback forgets
both. A recount covers every change committed before it started, however many (coalescing),
and `sweep_stale_rollups`, a periodic job, recounts whatever is still stale: Redis was down,
a worker died mid-recount."""
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


@register_stale_marker
def mark_partner_stale(tenant_id=None):
    tenant_id = tenant_id if tenant_id is not None else current_tenant_id()
    if tenant_id is None or db.session.info.get(_REBUILT_AFTERWARDS_KEY):
        return
    pending = db.session.info.setdefault(_PENDING_KEY, set())
    if tenant_id not in pending:
        pending.add(tenant_id)
        # One recount waiting per partner is enough: it counts every change committed before it starts.
        enqueue_after_commit(recount_stale_partner, tenant_id, queue="rollups", tenant_id=tenant_id,
                             unless_queued=_queued_key(tenant_id))


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


def _queued_key(tenant_id):
    return f"rollups:recount-queued:{tenant_id}"


def recount_stale_partner(tenant_id):
    """The "rollups" job: recount the partner if it is stale, then clear the mark it read first,
    unless a newer change marked it meanwhile (that change's own job, or the sweep, recounts
    again). Several jobs for one partner take turns; the ones after the recount find nothing."""
    from network.national.dashboards.rollups import lock_tenant_rollups, refresh_tenant_rollups

    # Before the mark is read: a change committed from now on queues a recount of its own.
    release_queued(_queued_key(tenant_id))
    lock_tenant_rollups(tenant_id)
    mark = db.session.scalar(sa.select(RollupStatus.stale_mark).where(RollupStatus.tenant_id == tenant_id))
    if mark is None:
        return False
    refresh_tenant_rollups(tenant_id)
    cleared = RollupStatus.stale_mark == mark
    db.session.execute(sa.update(RollupStatus).where(RollupStatus.tenant_id == tenant_id).values(
        refreshed_at=utcnow(),
        stale_mark=sa.case((cleared, None), else_=RollupStatus.stale_mark),
        stale_since=sa.case((cleared, None), else_=RollupStatus.stale_since),
    ))
    return True


def sweep_stale_rollups(scheduled_for=None):
    """The periodic sweep: a recount for every partner stale for longer than
    `ROLLUP_SWEEP_GRACE` seconds (its own job should have run by then). Returns how many."""
    since = utcnow() - timedelta(seconds=current_app.config["ROLLUP_SWEEP_GRACE"])
    tenant_ids = db.session.scalars(sa.select(RollupStatus.tenant_id).where(
        RollupStatus.stale_mark.is_not(None), RollupStatus.stale_since <= since).order_by(RollupStatus.tenant_id)).all()
    for tenant_id in tenant_ids:
        enqueue(recount_stale_partner, tenant_id, queue="rollups", tenant_id=tenant_id)
    return len(tenant_ids)


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
