from marshmallow import fields, validate

from network.core.tenancy.models import DISTRICTS, LOCALES, TENANT_KINDS
from network.core.tenancy.schemas import TenantSchema
from network.core.validation import FormSchema, choice_field, email_field, text_field

PARTNER_KINDS = {kind: label for kind, label in TENANT_KINDS.items() if kind != "coordination"}


class PartnerSchema(TenantSchema):
    """A new partner: the slug (its address) is chosen once."""

    kind = choice_field(PARTNER_KINDS)


class PartnerEditSchema(FormSchema):
    name = text_field(200)
    kind = choice_field(PARTNER_KINDS)
    district = choice_field(DISTRICTS)
    default_locale = choice_field(LOCALES, required=False, load_default="pt_PT")


class PartnerAdminInvitationSchema(FormSchema):
    email = email_field()


class PartnerStatusSchema(FormSchema):
    active = fields.String(required=True, validate=validate.OneOf(["0", "1"]))


class YearSchema(FormSchema):
    year = fields.Integer(load_default=None, strict=False, validate=validate.Range(min=2000, max=2100))
