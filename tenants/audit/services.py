from network.extensions import db
from tenants.audit.models import AUDIT_ACTIONS, AuditEvent


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


def recent_events(limit=20):
    return db.session.scalars(
        db.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
    ).all()
