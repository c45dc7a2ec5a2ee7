from flask_babel import lazy_gettext as _l
from marshmallow import fields, pre_load, validate

from network.core.validation import FormSchema, email_field, text_field


class SupportAreaSchema(FormSchema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,47}$",
                                 error=_l("Use lowercase letters, digits and underscores (for example: sports).")),
    )
    name_pt = text_field(120)
    name_en = text_field(120)


class CompanySchema(FormSchema):
    name = text_field(200)
    contact_name = text_field(200, required=False, load_default=None)
    contact_email = email_field(required=False, load_default=None)

    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if value != ""}


class CompanyEditSchema(CompanySchema):
    # A checkbox: absent when unticked.
    active = fields.Boolean(load_default=False, truthy={"1", "on", "yes"}, falsy={"0", "off", "no"})
