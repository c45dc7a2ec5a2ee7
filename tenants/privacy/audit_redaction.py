"""The one path by which the append-only audit log changes: the personal values in the
entries about an erased person are overwritten, their keys (what changed) kept.

On PostgreSQL the runtime role may not UPDATE audit_events; it calls
`privacy_redact_audit_values(record_type, record_ids)`, a SECURITY DEFINER function of the
migrations' owner (network/migrations/versions/0009_privacy.py) that can do exactly this
and nothing else, and only in the tenant of the transaction. SQLite has no roles: the same
statement is run here, with the same rules.
"""
import sqlalchemy as sa

from network.extensions import db
from tenants.audit.models import AuditEvent
from tenants.tenancy import current_tenant_id

# The same values as the migration that created the PostgreSQL function.
REDACTION_FUNCTION = "privacy_redact_audit_values"
REDACTED = "[redacted]"
REDACTABLE_RECORD_TYPES = ("Mentor", "Mentee", "Invitation", "ApiToken")
SAFE_AUDIT_KEYS = ("consent_id", "count", "format", "import_id", "interview_id", "intake_response_id", "invitation_id",
                   "purpose", "recommendation", "role", "status", "trigger")


def redact_audit_values(record_type, record_ids):
    """Overwrite the values of the entries about these records of the current tenant; returns
    how many entries were redacted."""
    if record_type not in REDACTABLE_RECORD_TYPES:
        raise ValueError(f"{record_type!r} is not a record type about a person")
    record_ids = sorted(set(record_ids))
    if not record_ids:
        return 0
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(
            sa.text(f"SELECT {REDACTION_FUNCTION}(:record_type, :record_ids)"),
            {"record_type": record_type, "record_ids": record_ids},
        ).scalar()
    return _redact_on_sqlite(record_type, record_ids)


def redacted_changes(changes):
    return {key: value if key in SAFE_AUDIT_KEYS else REDACTED for key, value in changes.items()}


def _redact_on_sqlite(record_type, record_ids):
    # On the session's connection, as a plain statement: the ORM's tenant hook is for entities.
    table, connection = AuditEvent.__table__, db.session.connection()
    rows = connection.execute(
        sa.select(table.c.id, table.c.changes).where(
            table.c.tenant_id == current_tenant_id(), table.c.record_type == record_type,
            table.c.record_id.in_(record_ids), table.c.changes.isnot(None))
    ).all()
    redacted = [{"event_id": row.id, "changes": redacted_changes(row.changes)}
                for row in rows if isinstance(row.changes, dict)]
    if redacted:
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("event_id")).values(changes=sa.bindparam("changes")),
            redacted,
        )
    return len(redacted)
