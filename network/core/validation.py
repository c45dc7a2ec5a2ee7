"""Marshmallow building blocks with translated messages; forms and the API share them."""
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from network.core.accounts.passwords import check_password_policy
from network.core.converters import MAX_ID

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Marshmallow's message for a nested schema given something else than an object (a list
        # of languages holding `false`), translated like the fields' messages below.
        self.error_messages = {**self.error_messages, "type": str(GENERIC_MESSAGES["invalid"])}

    def on_bind_field(self, field_name, field_obj):
        _prepare_field(field_obj)


def _prepare_field(field_obj):
    # Evaluated now, in the request's language: marshmallow needs plain strings.
    # A field's own messages (metadata "messages") win over the generic ones.
    messages = {**GENERIC_MESSAGES, **field_obj.metadata.get("messages", {})}
    field_obj.error_messages = {**field_obj.error_messages, **{k: str(v) for k, v in messages.items()}}
    if isinstance(field_obj, fields.String):
        # PostgreSQL cannot store a NUL character: refused here with a message, not by the database.
        field_obj.validators = [*field_obj.validators, _storable_text]
    # The fields inside a list or a dict are bound by their container, not by the schema.
    inner_fields = [getattr(field_obj, "inner", None), getattr(field_obj, "key_field", None),
                    getattr(field_obj, "value_field", None), *getattr(field_obj, "tuple_fields", ())]
    for inner in inner_fields:
        if inner is not None:
            _prepare_field(inner)


def _storable_text(value):
    if "\x00" in value:
        raise ValidationError(gettext("Remove the invisible control characters from this text."))


def text_field(max_length, required=True, **kwargs):
    validators = [validate.Length(max=max_length, error=_l("Use at most {max} characters."))]
    if required:
        validators.insert(0, validate.Length(min=1, error=_l("This field is required.")))
    return fields.String(required=required, validate=validators, **kwargs)


def choice_field(choices, required=True, **kwargs):
    return fields.String(
        required=required, validate=validate.OneOf(list(choices), error=_l("Choose one of the options.")), **kwargs
    )


def _not_in_future(value):
    if value > date.today():
        raise ValidationError(gettext("The date cannot be in the future."))


def date_field(required=True, past_only=False, **kwargs):
    """An ISO date (what a browser's date input sends)."""
    if not required:
        kwargs.setdefault("load_default", None)
    return fields.Date(
        required=required,
        validate=[_not_in_future] if past_only else [],
        metadata={"messages": {"invalid": _l("Enter a real date, like 2026-03-31.")}},
        **kwargs,
    )


def integer_field(minimum, maximum, required=True, **kwargs):
    if not required:
        kwargs.setdefault("load_default", None)
    return fields.Integer(
        required=required,
        strict=False,
        validate=validate.Range(min=minimum, max=maximum, error=_l("Enter a number from {min} to {max}.")),
        metadata={"messages": {"invalid": _l("Enter a whole number.")}},
        **kwargs,
    )


def id_field(required=False, **kwargs):
    """The id of a row to link to: out-of-range numbers get the same answer as unknown ids."""
    if not required:
        kwargs.setdefault("load_default", None)
    return fields.Integer(
        required=required,
        strict=False,
        validate=validate.Range(min=1, max=MAX_ID, error=_l("Choose one of the options.")),
        **kwargs,
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
        metadata={"format": "email"},  # for the OpenAPI document
        **kwargs,
    )


def password_field(**kwargs):
    return fields.String(required=True, validate=check_password_policy, **kwargs)


def load_form(schema, form=None):
    """Validate a submitted form: returns (data, errors), never raises on bad input.

    Surrounding spaces are dropped, except from passwords, which are taken as typed.
    """
    form = request.form if form is None else form
    submitted = {key: value.strip() if isinstance(value, str) and "password" not in key else value
                 for key, value in form.items()}
    try:
        return schema.load(submitted), {}
    except ValidationError as error:
        return None, error.normalized_messages()
