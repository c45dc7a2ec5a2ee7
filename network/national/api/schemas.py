"""The API's own schemas: query strings (extending the forms' schemas) and the JSON it sends
back. Request bodies are the forms' schemas themselves (tenants/*/schemas.py)."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from network.core.validation import FormSchema, choice_field, integer_field, text_field
from network.national.dashboards.services import DashboardFilterSchema
from tenants.participants.schemas import ParticipantListSchema
from tenants.processes.models import PROCESS_STATES

ATTENTION = {"meeting_overdue": _l("Meeting overdue"), "follow_up_due": _l("Follow-up due")}


# --- query strings -------------------------------------------------------------------

MAX_PER_PAGE = 100


class PageQuerySchema(FormSchema):
    page = integer_field(1, 100_000, required=False, load_default=1)
    per_page = integer_field(1, MAX_PER_PAGE, required=False, load_default=None)

    def load(self, data, **kwargs):
        loaded = super().load(data, **kwargs)
        if loaded.get("per_page") is None:
            loaded["per_page"] = current_app.config["API_PAGE_SIZE"]
        return loaded


class ParticipantQuerySchema(ParticipantListSchema, PageQuerySchema):
    """The list page's search and filters, with a page size."""


class ProcessQuerySchema(PageQuerySchema):
    state = choice_field(PROCESS_STATES, required=False, load_default=None)
    attention = choice_field(ATTENTION, required=False, load_default=None)
    q = text_field(100, required=False, load_default=None)


class AggregatesQuerySchema(DashboardFilterSchema):
    """The dashboard's filters (from, to, district, kind, partners)."""


# --- responses ------------------------------------------------------------------------

class ErrorBodySchema(Schema):
    status = fields.Integer(required=True)
    code = fields.String(required=True, metadata={"description": "Machine-readable, e.g. validation_failed."})
    message = fields.String(required=True, metadata={"description": "In the language of Accept-Language."})
    details = fields.Dict(keys=fields.String(), metadata={"description": "Messages per field (422)."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageLinksSchema(Schema):
    self = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


class PageSchema(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    links = fields.Nested(PageLinksSchema, required=True)


def page_of(item_schema):
    """The paged-list schema of `item_schema` (named after it, for the OpenAPI components)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (PageSchema,), {"items": fields.List(fields.Nested(item_schema), required=True)})


def _text(**kwargs):
    return fields.String(allow_none=True, **kwargs)


class LanguageOutSchema(Schema):
    code = fields.String(required=True, attribute="language_code")
    level = fields.String(required=True)


class SupportAreaLinkSchema(Schema):
    code = fields.String(attribute="support_area.code")


class ParticipantOutSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    email = _text()
    phone = _text()
    municipality = fields.String(required=True)
    status = fields.String(required=True)
    expectations = _text()
    availability_days = fields.List(fields.String())
    availability_periods = fields.List(fields.String())
    languages = fields.List(fields.Nested(LanguageOutSchema), required=True)
    support_areas = fields.Pluck(SupportAreaLinkSchema, "code", many=True, required=True)
    referral_source = _text()
    referral_activity_id = fields.Integer(allow_none=True)
    referral_network_activity_id = fields.Integer(allow_none=True)
    training_completed_on = fields.Date(allow_none=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class MentorOutSchema(ParticipantOutSchema):
    professional_area = _text()
    skills = _text()
    company_id = fields.Integer(allow_none=True)
    hours_per_week = fields.Integer(allow_none=True)
    gender = _text()
    motivation = _text()


class MenteeOutSchema(ParticipantOutSchema):
    country_of_origin = _text()
    nationality = _text()
    arrival_year = fields.Integer(allow_none=True)
    residence_status = _text()
    migration_reason = _text()
    employment_status = _text()
    age_band = _text()
    gender = _text()
    preferred_mentor_gender = _text()


class PersonRefSchema(Schema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


class GoalOutSchema(Schema):
    kind = fields.String(required=True)
    text = fields.String(required=True)
    target_date = fields.Date(allow_none=True)


class AgreementOutSchema(Schema):
    version = fields.Integer(required=True)
    meeting_frequency = fields.String(required=True)
    mode = fields.String(required=True)
    mentor_accepted_at = fields.DateTime(allow_none=True)
    mentee_accepted_at = fields.DateTime(allow_none=True)
    goals = fields.List(fields.Nested(GoalOutSchema), required=True)


class ProcessOutSchema(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(list(PROCESS_STATES)))
    cadence = fields.String(required=True)
    mentor = fields.Nested(PersonRefSchema, required=True)
    mentee = fields.Nested(PersonRefSchema, required=True)
    matched_on = fields.Date(required=True)
    activated_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    next_meeting_due_on = fields.Date(allow_none=True)
    next_follow_up_on = fields.Date(allow_none=True)
    outcome = _text()
    created_at = fields.DateTime(required=True)


class ProcessDetailOutSchema(ProcessOutSchema):
    agreement = fields.Nested(AgreementOutSchema, allow_none=True)
    meetings_count = fields.Function(lambda process: len(process.meetings), metadata={"type": "integer"})
    follow_ups_count = fields.Function(lambda process: len(process.follow_ups), metadata={"type": "integer"})


class MeetingOutSchema(Schema):
    id = fields.Integer(required=True)
    process_id = fields.Integer(required=True)
    held_on = fields.Date(required=True)
    duration_minutes = fields.Integer(required=True)
    mode = fields.String(required=True)
    topics = fields.List(fields.String(), required=True)
    notes = _text()
    logged_as = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class ActivityOutSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    place = fields.String(required=True)
    audience = fields.String(required=True)
    facilitator = fields.Function(lambda activity: activity.facilitator, allow_none=True,
                                  metadata={"type": "string", "nullable": True})
    company_id = fields.Integer(allow_none=True)
    description = _text()
    created_at = fields.DateTime(required=True)


class NetworkActivityOutSchema(ActivityOutSchema):
    facilitator = _text(attribute="facilitator_name")


def _published_count(**kwargs):
    """A count of people as published (docs/disclosure.md): rounded to a multiple of
    `rounding_base`, and the sum of the published counts it totals."""
    return fields.Integer(**kwargs)


class AggregateTableSchema(Schema):
    key = fields.String(required=True)
    rows = fields.List(fields.String(), required=True)
    row_names = fields.List(fields.String())
    columns = fields.List(fields.String(), required=True)
    hidden_rows = fields.Integer(required=True)
    cells = fields.List(fields.List(_published_count()), required=True)
    row_totals = fields.List(_published_count(), allow_none=True)
    column_totals = fields.List(_published_count(), allow_none=True)
    grand_total = _published_count(allow_none=True)


class AggregatesFiltersSchema(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)
    district = _text()
    kind = _text()
    all_partners = fields.Boolean(required=True)


class HeadlineSchema(Schema):
    active_mentors = _published_count(required=True)
    active_mentees = _published_count(required=True)
    ongoing = _published_count(required=True)
    evaluated = _published_count(required=True)
    # The share of closed processes that met their goals, in percent; null when none was closed.
    goals_met_rate = fields.Float(required=True, allow_none=True)


class AggregatesSchema(Schema):
    national = fields.Boolean(required=True)
    threshold = fields.Integer(required=True)
    rounding_base = fields.Integer(required=True)
    filters = fields.Nested(AggregatesFiltersSchema, required=True)
    headline = fields.Nested(HeadlineSchema, required=True)
    tables = fields.List(fields.Nested(AggregateTableSchema), required=True)
    partners_not_listed = fields.Integer(required=True)
    # The impact tables: change from the start to closing, GAS T-score bands, mentors' answers, by cohort.
    impact = fields.List(fields.Nested(AggregateTableSchema), required=True)
