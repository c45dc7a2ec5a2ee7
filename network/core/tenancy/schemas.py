from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from network.core.tenancy.models import DISTRICTS, LOCALES, SLUG_PATTERN, TENANT_KINDS
from network.core.validation import FormSchema, choice_field, text_field


class TenantSchema(FormSchema):
    name = text_field(200)
    slug = fields.String(
        required=True,
        validate=validate.Regexp(
            SLUG_PATTERN, error=_l("Use lowercase letters, digits and hyphens (for example: cm-lisboa).")
        ),
    )
    kind = choice_field(TENANT_KINDS)
    district = choice_field(DISTRICTS)
    default_locale = choice_field(LOCALES, required=False, load_default="pt_PT")
