from flask_babel import gettext
from marshmallow import ValidationError, fields, validates_schema

from network.core.accounts.models import ROLES
from network.core.accounts.passwords import check_password_is_not_personal
from network.core.tenancy.models import LOCALES
from network.core.validation import FormSchema, choice_field, email_field, password_field, text_field


class LoginSchema(FormSchema):
    email = email_field()
    password = text_field(256)


class EmailSchema(FormSchema):
    email = email_field()


class NewPasswordSchema(FormSchema):
    """A new password for the account of `email` and `name` (which it must not contain)."""

    password = password_field()
    password_confirm = fields.String(required=True)

    def __init__(self, *args, email=None, name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email, self.account_name = email, name

    @validates_schema
    def passwords_match(self, data, **kwargs):
        if data.get("password") != data.get("password_confirm"):
            raise ValidationError(gettext("The two passwords do not match."), "password_confirm")

    @validates_schema
    def password_is_not_personal(self, data, **kwargs):
        if "password" in data:
            check_personal(data["password"], self.account_email, data.get("name", self.account_name))


def check_personal(password, email, name):
    try:
        check_password_is_not_personal(password, email, name)
    except ValidationError as error:
        raise ValidationError(error.messages, "password") from None


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

    @validates_schema
    def password_is_not_personal(self, data, **kwargs):
        if "password" in data:
            check_personal(data["password"], data.get("email"), data.get("name"))

