"""The subject-access export: everything the partner holds about one participant, as one
JSON document with stable keys (a section per table, each row with every column), also
shown as a printable page."""
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.tenancy.models import Tenant
from network.core.timeutil import utcnow
from tenants.privacy import walk

EXPORT_FORMAT = "rede-mentores/subject-access-export"
EXPORT_VERSION = 1


def subject_access_export(participant):
    """The export document of a participant of the tenant in context."""
    found = walk.rows_about(participant, same_side_only=True)
    records = {name: [] for name in walk.section_names(participant.role)}
    for table_name, rows in found.items():
        records[table_name] = [_row(table_name, row) for _, row in sorted(rows.items())]
    user = walk.portal_user(participant)
    records["users"] = [walk.columns_of(user, walk.SECRET_COLUMNS["users"])] if user else []
    records["memberships"] = [walk.columns_of(membership) for membership in walk.memberships_here(user)]
    records["api_tokens"] = [walk.columns_of(token, walk.SECRET_COLUMNS["api_tokens"])
                             for token in walk.api_tokens_of(user)]
    records["invitations"] = [walk.columns_of(invitation, walk.SECRET_COLUMNS["invitations"])
                              for invitation in walk.portal_invitations(found)]
    records["audit_events"] = [walk.columns_of(event) for event in walk.audit_entries(participant, found)]
    records["outbox"] = [_without_links(walk.columns_of(message))
                         for message in walk.outbox_messages_to(walk.addresses_of(participant, user))]
    records["participant_imports"] = [
        walk.columns_of(participant_import, exclude={"rows"}) | {"rows": rows}
        for participant_import, rows in walk.import_rows_holding(participant)
    ]
    tenant = db.session.get(Tenant, participant.tenant_id)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": utcnow().isoformat(),
        "partner": {"name": tenant.name, "slug": tenant.slug},
        "subject": {"role": participant.role, "id": participant.id},
        "records": records,
    }


def _row(table_name, row):
    secret = walk.SECRET_COLUMNS.get(table_name, ())
    return {key: walk.jsonable(value) for key, value in row.items() if key not in secret}


def _without_links(message):
    """An e-mail's one-time links (a portal invitation, a password reset) would let whoever
    reads the export act as the person: they are withheld, the rest of the message kept."""
    context = message.get("context")
    if isinstance(context, dict):
        message["context"] = {key: None if key.endswith("_url") else value for key, value in context.items()}
    return message


def record_export(participant, actor, export_format):
    """Handing over a person's data is itself in the audit log."""
    record_event("privacy.exported", actor, participant, changes={"format": export_format})
