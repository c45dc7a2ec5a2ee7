"""The one path by which the append-only audit log changes: the personal values in the
entries about an erased person are overwritten, their keys (what changed) kept.

The runtime role may not UPDATE audit_events; it calls
`privacy_redact_audit_values(erasure_id, record_type, record_ids)`, a SECURITY DEFINER
function of the migrations' owner (network/migrations/versions/0013_onedb_runtime_login.py)
that does exactly this and nothing else: only in the tenant of the transaction, only for an
erasure recorded by the same transaction, only for records about that erasure's person.
"""
import sqlalchemy as sa

from network.core.extensions import db

REDACTION_FUNCTION = "privacy_redact_audit_values"
REDACTED = "[redacted]"
REDACTABLE_RECORD_TYPES = ("Mentor", "Mentee", "Invitation", "ApiToken")
# The same values as the migration that created the function.
SAFE_AUDIT_KEYS = ("consent_id", "count", "format", "import_id", "interview_id", "intake_response_id", "invitation_id",
                   "purpose", "recommendation", "role", "status", "trigger")


def redact_audit_values(erasure, record_type, record_ids):
    """Overwrite the values of the entries about these records of the erased person (`erasure`,
    flushed in this transaction); returns how many entries were redacted."""
    if record_type not in REDACTABLE_RECORD_TYPES:
        raise ValueError(f"{record_type!r} is not a record type about a person")
    record_ids = sorted(set(record_ids))
    if not record_ids:
        return 0
    db.session.flush()
    return db.session.execute(
        sa.text(f"SELECT {REDACTION_FUNCTION}(:erasure_id, :record_type, :record_ids)"),
        {"erasure_id": erasure.id, "record_type": record_type, "record_ids": record_ids},
    ).scalar()


def redacted_changes(changes):
    return {key: value if key in SAFE_AUDIT_KEYS else REDACTED for key, value in changes.items()}
