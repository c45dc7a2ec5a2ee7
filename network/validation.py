"""Marshmallow building blocks with translated messages; forms and the API share them."""
from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from network.accounts.passwords import check_password_policy

GENERIC_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field is required."),
    "invalid": _l("This value is not valid."),
    "validator_failed": _l("This value is not valid."),
}


class FormSchema(Schema):
    """Base schema: translated generic messages; unknown inputs (like the CSRF token) ignored."""

    class Meta:
        unknown = EXCLUDE

    def on_bind_field(self, field_name, field_obj):
        # Evaluated now, in the request's language: marshmallow needs plain strings.
        field_obj.error_messages = {**field_obj.error_messages, **{k: str(v) for k, v in GENERIC_MESSAGES.items()}}


def text_field(max_length, required=True, **kwargs):
    validators = [validate.Length(max=max_length, error=_l("Use at most {max} characters."))]
    if required:
        validators.insert(0, validate.Length(min=1, error=_l("This field is required.")))
    return fields.String(required=required, validate=validators, **kwargs)


def choice_field(choices, required=True, **kwargs):
    return fields.String(
        required=required, validate=validate.OneOf(list(choices), error=_l("Choose one of the options.")), **kwargs
    )


def _check_email(value):
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(gettext("Enter a valid e-mail address, like name@example.pt.")) from None


def email_field(required=True, **kwargs):
    return fields.String(
        required=required,
        validate=[validate.Length(max=254, error=_l("Use at most {max} characters.")), _check_email],
        **kwargs,
    )


def password_field(**kwargs):
    return fields.String(required=True, validate=check_password_policy, **kwargs)


def load_form(schema, form=None):
    """Validate a submitted form: returns (data, errors), never raises on bad input.

    Surrounding spaces are dropped, except from passwords, which are taken as typed.
    """
    form = request.form if form is None else form
    submitted = {key: value if "password" in key else value.strip() for key, value in form.items()}
    try:
        return schema.load(submitted), {}
    except ValidationError as error:
        return None, error.normalized_messages()
