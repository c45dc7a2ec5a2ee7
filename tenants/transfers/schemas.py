from marshmallow import fields

from network.core.validation import FormSchema, choice_field, date_field, id_field, text_field
from tenants.transfers.models import TRANSFER_ITEMS


class TransferStartSchema(FormSchema):
    """A's staff: the partner, what travels, and the person's consent as given."""

    to_tenant_id = id_field(required=True)
    items = fields.List(choice_field(TRANSFER_ITEMS), load_default=list)
    consent_text_version = text_field(32)
    consent_given_on = date_field(past_only=True)
