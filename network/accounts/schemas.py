from flask_babel import gettext
from marshmallow import ValidationError, fields, validates_schema

from network.accounts.models import ROLES
from network.validation import FormSchema, choice_field, email_field, password_field, text_field
from tenants.tenancy.models import LOCALES


class LoginSchema(FormSchema):
    email = email_field()
    password = text_field(256)


class EmailSchema(FormSchema):
    email = email_field()


class NewPasswordSchema(FormSchema):
    password = password_field()
    password_confirm = fields.String(required=True)

    @validates_schema
    def passwords_match(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError(gettext("The two passwords do not match."), "password_confirm")


class NewAccountSchema(NewPasswordSchema):
    name = text_field(200)


class InvitationSchema(FormSchema):
    email = email_field()
    role = choice_field(ROLES)


class ProfileSchema(FormSchema):
    name = text_field(200)
    preferred_locale = choice_field(LOCALES)


class UserSchema(FormSchema):
    email = email_field()
    name = text_field(200)
    password = password_field()
    preferred_locale = choice_field(LOCALES, required=False, load_default=None)

