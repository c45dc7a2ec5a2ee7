"""The one call the case code makes when something the roll-ups count changes:
`mark_rollups_stale()`. After the transaction commits, one refresh job per touched tenant
goes on the "rollups" queue (in-process without Redis); a rollback forgets them."""
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from network.extensions import db
from network.jobs import JobsUnavailable, enqueue
from tenants.tenancy import current_tenant_id

log = logging.getLogger(__name__)

_PENDING_KEY = "rollups_stale_tenants"


def mark_rollups_stale(tenant_id=None):
    tenant_id = tenant_id if tenant_id is not None else current_tenant_id()
    if tenant_id is not None:
        db.session.info.setdefault(_PENDING_KEY, set()).add(tenant_id)


@event.listens_for(Session, "after_commit")
def _enqueue_refreshes(session):
    pending = session.info.pop(_PENDING_KEY, ())
    if not pending:
        return
    from network.dashboards.rollups import refresh_tenant_rollups

    for tenant_id in sorted(pending):
        try:
            enqueue(refresh_tenant_rollups, tenant_id, queue="rollups", tenant_id=tenant_id)
        except JobsUnavailable as error:
            # The tenant's counts stay as they were until its next change or a rebuild.
            log.warning("roll-ups of tenant %s not refreshed: %s", tenant_id, error)
            break


@event.listens_for(Session, "after_rollback")
def _forget_stale_tenants(session):
    session.info.pop(_PENDING_KEY, None)
