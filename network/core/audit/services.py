import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from network.core.audit.models import AUDIT_ACTIONS, AuditEvent
from network.core.extensions import db
from network.core.tenancy import current_tenant_id
from network.core.timeutil import utcnow


def record_event(action, actor=None, record=None, changes=None):
    """Append an audit event to the current tenant's log (flushed with the caller's transaction)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        record_type=type(record).__name__ if record is not None else None,
        record_id=record.id if record is not None else None,
        changes=changes,
    )
    db.session.add(event)
    return event


def record_events(action, actor, record_type, record_ids, changes=None):
    """The same event for many records at once (a confirmed import), in one statement."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if not record_ids:
        return
    occurred_at = utcnow()
    db.session.execute(sa.insert(AuditEvent), [
        {"tenant_id": current_tenant_id(), "occurred_at": occurred_at, "actor_id": actor.id if actor else None,
         "action": action, "record_type": record_type, "record_id": record_id, "changes": changes}
        for record_id in record_ids
    ])


def recent_events(limit=20):
    return db.session.scalars(
        db.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()


def audit_log_query(action=None):
    """The current tenant's log, newest first, with the actor loaded in the same query."""
    query = (
        db.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return query
