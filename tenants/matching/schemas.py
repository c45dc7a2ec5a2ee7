from flask_babel import gettext
from marshmallow import ValidationError, post_load, validates_schema

from network.core.validation import choice_field, integer_field, text_field
from tenants.processes.models import CADENCES
from tenants.processes.schemas import ProcessFormSchema


class MatchSchema(ProcessFormSchema):
    candidate_id = integer_field(1, 2**31 - 1)
    cadence = choice_field(CADENCES)


class MatchingSettingsSchema(ProcessFormSchema):
    weight_support_areas = integer_field(0, 100)
    weight_languages = integer_field(0, 100)
    weight_location = integer_field(0, 100)
    weight_availability = integer_field(0, 100)
    weight_load = integer_field(0, 100)
    weight_preferences = integer_field(0, 100)
    max_mentees_per_mentor = integer_field(1, 10)
    mentee_choice = choice_field(("yes", "no"), required=False)

    @post_load
    def choice_as_flag(self, data, **kwargs):
        return {**data, "mentee_choice": data.get("mentee_choice") == "yes"}

    @validates_schema
    def some_weight(self, data, **kwargs):
        if not any(value for key, value in data.items() if key.startswith("weight_")):
            raise ValidationError(gettext("Give at least one criterion a weight above zero."), "weight_support_areas")


class ProfileSharingSchema(ProcessFormSchema):
    shares_profile = choice_field(("yes", "no"))
    short_bio = text_field(300, required=False)
