"""What mentors and mentees send from the portal. Meetings, acceptances and final
evaluations use the processes' own schemas: one validation for staff and participants."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from network.core.validation import choice_field, integer_field, text_field
from tenants.participants.schemas import ParticipantSchema
from tenants.processes.models import GOAL_PROGRESS, MEETING_ANSWERS
from tenants.processes.schemas import ProcessFormSchema

_YES_NO = {"truthy": {"yes"}, "falsy": {"no"}, "metadata": {"messages": {"invalid": _l("Choose yes or no.")}}}


class ContactSchema(ParticipantSchema):
    """Load with only=CONTACT_FIELDS: the contacts a participant corrects, and whether
    their mentor (or mentee) may see them."""

    shares_contact = fields.Boolean(required=True, **_YES_NO)


CONTACT_FIELDS = ("email", "phone", "shares_contact", "preferred_language")


def contact_labels(role):
    """The contact form's labels, for the values someone else saved meanwhile."""
    pair = _l("my mentee") if role == "mentor" else _l("my mentor")
    return {"email": _l("E-mail address"), "phone": _l("Phone"),
            "shares_contact": _l("Show my e-mail address and phone to %(pair)s?", pair=pair),
            "preferred_language": _l("Language of my e-mails and documents")}


class FollowUpAnswerSchema(ProcessFormSchema):
    satisfaction = integer_field(1, 5)
    progress = fields.Dict(keys=fields.Integer(), values=fields.Integer(validate=validate.OneOf(list(GOAL_PROGRESS))),
                           required=True)
    comment = text_field(2000, required=False, load_default=None)


class MeetingAnswerSchema(ProcessFormSchema):
    """A side's answer about a logged meeting: confirmed, or disputed with an optional short reason."""

    answer = choice_field(MEETING_ANSWERS)
    reason = text_field(300, required=False, load_default=None)
