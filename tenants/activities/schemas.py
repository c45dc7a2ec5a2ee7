"""What staff and coordinators send about activities, invitations and attendance."""
from flask_babel import gettext
from marshmallow import ValidationError, fields, pre_load, validates_schema

from network.core.validation import FormSchema, choice_field, date_field, id_field, text_field
from tenants.activities.models import ACTIVITY_KINDS, AUDIENCES, TRAINING_FOR_ROLE


class ActivitySchema(FormSchema):
    kind = choice_field(ACTIVITY_KINDS)
    title = text_field(200)
    held_on = date_field()
    place = text_field(200)
    audience = choice_field(AUDIENCES)
    facilitator_name = text_field(200, required=False, load_default=None)
    company_id = id_field()
    description = text_field(2000, required=False, load_default=None)

    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if value != ""}

    @validates_schema(skip_on_field_errors=True)
    def training_is_for_its_own_audience(self, data, **kwargs):
        trained = TRAINING_FOR_ROLE.get(data["kind"])
        if trained and data["audience"] != f"{trained}s":
            raise ValidationError(gettext("An initial training is for mentors or for mentees, separately: "
                                          "choose the matching audience."), "audience")


class PartnerActivitySchema(ActivitySchema):
    # "mentor:12" or "mentee:5": a workshop (talent exchange) is led by one of the partner's participants.
    facilitator = fields.String(load_default=None)


def participant_reference(value):
    """("mentor", 12) from "mentor:12"; None for anything else."""
    role, _, number = (value or "").partition(":")
    if role in ("mentor", "mentee") and number.isdigit() and 0 < int(number) < 2**31:
        return role, int(number)
    return None
