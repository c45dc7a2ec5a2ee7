from network.core.validation import FormSchema, choice_field, id_field, text_field
from tenants.participants.models import PARTICIPANT_ROLES


class BreakGlassRequestSchema(FormSchema):
    tenant_id = id_field(required=True)
    role = choice_field(PARTICIPANT_ROLES)
    participant_id = id_field(required=True)
    reason = text_field(1000)
