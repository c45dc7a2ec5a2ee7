"""Validation of every process form (the API will load the same schemas)."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields, pre_load, validate

from network.core.validation import FormSchema, choice_field, date_field, integer_field, text_field
from tenants.processes.models import (
    AGREEMENT_MODES,
    CHANGES,
    GOAL_KINDS,
    GOAL_OUTCOMES,
    GOAL_PROGRESS,
    MEETING_FREQUENCIES,
    MEETING_MODES,
    NEXT_STEPS,
    OUTCOMES,
    PROCESS_STATES,
    SIDES,
)

MAX_GOALS = 8


class ProcessFormSchema(FormSchema):
    """Blank inputs count as not given, so optional fields may be left empty."""

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return {key: value for key, value in data.items() if value not in ("", None, [])}


class GoalSchema(ProcessFormSchema):
    kind = choice_field(GOAL_KINDS)
    text = text_field(500)
    target_date = date_field(required=False)


class AgreementSchema(ProcessFormSchema):
    meeting_frequency = choice_field(MEETING_FREQUENCIES)
    mode = choice_field(AGREEMENT_MODES)
    place = text_field(200, required=False, load_default=None)
    mentor_duties = text_field(2000)
    mentee_duties = text_field(2000)
    goals = fields.List(
        fields.Nested(GoalSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_GOALS, error=_l("Write between {min} and {max} goals.")),
    )
    base_version = integer_field(0, 10_000)


def goal_rows(form):
    """The goal rows of the agreement form (goal-1-kind, goal-1-text, ...), blank rows left out."""
    rows = []
    for index in range(1, MAX_GOALS + 1):
        row = {name: form.get(f"goal-{index}-{name}", "").strip() for name in ("kind", "text", "target_date")}
        if row["kind"] or row["text"]:
            rows.append(row)
    return rows


class TransitionSchema(ProcessFormSchema):
    to_state = choice_field(PROCESS_STATES)
    reason = text_field(1000, required=False, load_default=None)


class AcceptanceSchema(ProcessFormSchema):
    side = choice_field(SIDES)
    version = integer_field(1, 10_000)


class MeetingSchema(ProcessFormSchema):
    held_on = date_field(past_only=True)
    duration_minutes = integer_field(5, 600)
    mode = choice_field(MEETING_MODES)
    topics = fields.List(fields.String(validate=validate.Length(max=48)), load_default=list)
    notes = text_field(4000, required=False, load_default=None)


class NextMeetingSchema(ProcessFormSchema):
    on = date_field()
    at = fields.Time(required=True, metadata={"messages": {"invalid": _l("Enter a time, like 18:30.")}})
    place = text_field(200, required=False, load_default=None)


def _score(minimum, maximum, required=False):
    return integer_field(minimum, maximum, required=required)


class FollowUpSchema(ProcessFormSchema):
    held_on = date_field(past_only=True)
    mentor_satisfaction = _score(1, 5)
    mentee_satisfaction = _score(1, 5)
    issues = text_field(2000, required=False, load_default=None)
    actions = text_field(2000, required=False, load_default=None)
    progress = fields.Dict(keys=fields.Integer(), values=fields.Integer(validate=validate.OneOf(list(GOAL_PROGRESS))),
                           required=True)


class EvaluationSchema(ProcessFormSchema):
    satisfaction = _score(1, 5, required=True)
    changes = fields.List(choice_field(CHANGES), load_default=list)
    would_repeat = fields.Boolean(required=True, truthy={"yes"}, falsy={"no"},
                                  metadata={"messages": {"invalid": _l("Choose yes or no.")}})
    comments = text_field(2000, required=False, load_default=None)
    goal_outcomes = fields.Dict(keys=fields.Integer(), values=choice_field(GOAL_OUTCOMES), required=True)


class CloseSchema(ProcessFormSchema):
    outcome = choice_field(OUTCOMES)
    next_step = choice_field(NEXT_STEPS)


def keyed_values(form, prefix):
    """{id: value} from inputs named `<prefix>-<id>` (per-goal answers)."""
    return {key[len(prefix) + 1:]: value for key, value in form.items()
            if key.startswith(prefix + "-") and key[len(prefix) + 1:].isdigit() and value != ""}


def meeting_form(form):
    """A submitted meeting form, its topic checkboxes as a list."""
    return {**form.to_dict(), "topics": form.getlist("topics")}


def evaluation_form(form):
    """A submitted final evaluation: changes as a list, one outcome per goal (outcome-<goal id>)."""
    return {**form.to_dict(), "changes": form.getlist("changes"), "goal_outcomes": keyed_values(form, "outcome")}
