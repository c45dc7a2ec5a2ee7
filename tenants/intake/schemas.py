from marshmallow import fields

from network.core.validation import FormSchema, choice_field, text_field
from tenants.intake.models import QUESTION_KINDS
from tenants.participants.models import PARTICIPANT_ROLES


class QuestionSchema(FormSchema):
    """A question as the coordination team or a partner writes it, in both languages."""

    role = choice_field(PARTICIPANT_ROLES)
    kind = choice_field(QUESTION_KINDS)
    prompt_pt = text_field(300)
    prompt_en = text_field(300)
    choices_pt = text_field(2000, required=False, load_default=None)
    choices_en = text_field(2000, required=False, load_default=None)
    required = fields.Boolean(load_default=False)
