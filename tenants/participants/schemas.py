"""What staff (and later the API) may send about mentors and mentees."""
import re
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, pre_load, validate, validates, validates_schema

from network.core.reference.services import support_areas_by_code
from network.core.validation import (
    FormSchema,
    choice_field,
    date_field,
    email_field,
    id_field,
    integer_field,
    text_field,
)
from tenants.participants.models import (
    AGE_BANDS,
    CONSENT_PURPOSES,
    DAY_PERIODS,
    DEFAULT_PREFERRED_LANGUAGE,
    EMPLOYMENT_STATUSES,
    GENDERS,
    LANGUAGE_LEVELS,
    MENTEE_STATUSES,
    MENTOR_STATUSES,
    MIGRATION_REASONS,
    PARTICIPANT_ROLES,
    PORTUGUESE,
    PORTUGUESE_LEVELS,
    PREFERRED_LANGUAGES,
    RECOMMENDATIONS,
    REFERRAL_SOURCES,
    RESIDENCE_STATUSES,
    ROLES,
    WEEKDAYS,
)
from tenants.participants.reference import LANGUAGE_CODES, country_codes

MENTOR_GENDER_PREFERENCES = {key: GENDERS[key] for key in ("female", "male")}
MAX_LANGUAGES = 6
MAX_RANKED_NEEDS = 3
EARLIEST_ARRIVAL_YEAR = 1940
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().-]+$")


def normalize_phone(phone):
    """Digits only, keeping a leading + : "+351 912 345 678" and "+351912345678" are one phone."""
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


def _check_phone(value):
    digits = len(re.sub(r"\D", "", value))
    if not _PHONE_CHARACTERS.match(value) or not 6 <= digits <= 15:
        raise ValidationError(gettext("Enter a phone number with 6 to 15 digits, like +351 912 345 678."))


def _check_arrival_year(value):
    if value > date.today().year:
        raise ValidationError(gettext("The year of arrival cannot be in the future."))


def optional_choice(choices):
    return choice_field(choices, required=False, load_default=None)


class LanguageSkillSchema(FormSchema):
    code = choice_field(LANGUAGE_CODES)
    level = choice_field(LANGUAGE_LEVELS)


class ParticipantSchema(FormSchema):
    """The fields mentors and mentees share. Blank optional inputs arrive as None."""

    full_name = text_field(200)
    email = email_field(required=False, load_default=None)
    phone = fields.String(
        load_default=None, validate=[validate.Length(max=25, error=_l("Use at most {max} characters.")), _check_phone],
        metadata={"pattern": _PHONE_CHARACTERS.pattern},  # for the OpenAPI document
    )
    municipality = text_field(120)
    # Used only for the network's duplicate check (its keyed fingerprint), never stored.
    date_of_birth = date_field(required=False, past_only=True)
    expectations = text_field(2000, required=False, load_default=None)
    availability_days = fields.List(choice_field(WEEKDAYS), load_default=list)
    availability_periods = fields.List(choice_field(DAY_PERIODS), load_default=list)
    languages = fields.List(fields.Nested(LanguageSkillSchema), load_default=list)
    support_areas = fields.List(fields.String(), load_default=list)
    referral_source = optional_choice(REFERRAL_SOURCES)
    # The session that brought them: one of the partner's activities, or one of the network's.
    referral_activity_id = id_field()
    referral_network_activity_id = id_field()
    # Left blank (an import without the column), the programme's language.
    preferred_language = choice_field(PREFERRED_LANGUAGES, required=False, allow_none=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read once per schema: an import validates thousands of rows with one instance.
        self.support_area_codes = frozenset(support_areas_by_code())

    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        return {key: None if value == "" else value for key, value in data.items()}

    @validates("support_areas")
    def known_support_areas(self, codes, **kwargs):
        if any(code not in self.support_area_codes for code in codes):
            raise ValidationError(gettext("Choose one of the options."))
        if len(set(codes)) != len(codes):
            raise ValidationError(gettext("Choose each support area only once."))

    @validates("languages")
    def distinct_languages(self, languages, **kwargs):
        if len(languages) > MAX_LANGUAGES:
            raise ValidationError(gettext("Record at most %(count)d languages.", count=MAX_LANGUAGES))
        codes = [language.get("code") for language in languages]
        if len(set(codes)) != len(codes):
            raise ValidationError(gettext("Record each language only once."))

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def reachable(self, data, original_data, **kwargs):
        # Read as typed: a mistyped e-mail already has its own message.
        if not original_data.get("email") and not original_data.get("phone"):
            raise ValidationError(gettext("Give an e-mail address or a phone number."), "email")

    @post_load
    def normalize_contacts(self, data, **kwargs):
        if data.get("email"):
            data["email"] = data["email"].lower()
        if data.get("phone"):
            data["phone"] = normalize_phone(data["phone"])
        data["preferred_language"] = data.get("preferred_language") or DEFAULT_PREFERRED_LANGUAGE
        return data


class MentorSchema(ParticipantSchema):
    professional_area = text_field(120, required=False, load_default=None)
    skills = text_field(1000, required=False, load_default=None)
    company_id = id_field()
    hours_per_week = integer_field(1, 40, required=False)
    gender = optional_choice(GENDERS)
    motivation = text_field(2000, required=False, load_default=None)
    training_completed_on = date_field(required=False, past_only=True)


class MenteeSchema(ParticipantSchema):
    country_of_origin = optional_choice(country_codes())
    nationality = optional_choice(country_codes())
    arrival_year = fields.Integer(
        load_default=None,
        strict=False,
        validate=[
            validate.Range(min=EARLIEST_ARRIVAL_YEAR, error=_l("Enter a year from {min} on.")),
            _check_arrival_year,
        ],
        metadata={"messages": {"invalid": _l("Enter a year with four digits, like 2023.")}},
    )
    portuguese_level = optional_choice(PORTUGUESE_LEVELS)
    residence_status = optional_choice(RESIDENCE_STATUSES)
    migration_reason = optional_choice(MIGRATION_REASONS)
    employment_status = optional_choice(EMPLOYMENT_STATUSES)
    age_band = optional_choice(AGE_BANDS)
    gender = optional_choice(GENDERS)
    preferred_mentor_gender = optional_choice(MENTOR_GENDER_PREFERENCES)

    @validates("languages")
    def portuguese_has_its_own_field(self, languages, **kwargs):
        if any(language.get("code") == PORTUGUESE for language in languages):
            raise ValidationError(gettext("Record Portuguese in its own field."))

    @validates("support_areas")
    def few_ranked_needs(self, codes, **kwargs):
        if len(codes) > MAX_RANKED_NEEDS:
            raise ValidationError(gettext("Choose at most %(count)d support areas.", count=MAX_RANKED_NEEDS))


ROLES["mentor"].schema, ROLES["mentee"].schema = MentorSchema, MenteeSchema
PARTICIPANT_SCHEMAS = {code: role.schema for code, role in ROLES.items()}


class StatusMoveSchema(FormSchema):
    status = choice_field({**MENTOR_STATUSES, **MENTEE_STATUSES})


class InterviewSchema(FormSchema):
    held_on = date_field(past_only=True)
    interviewer_id = id_field(required=True)
    notes = text_field(4000, required=False, load_default=None)
    recommendation = choice_field(RECOMMENDATIONS)

    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if value != ""}


class ConsentSchema(FormSchema):
    purpose = choice_field(CONSENT_PURPOSES)
    text_version = text_field(32)
    given_on = date_field(past_only=True)


CONSENT_FILTERS = {"given": _l("Current consent"), "missing": _l("No current consent")}
CASELOAD_FILTERS = {"mine": _l("My caseload"), "unassigned": _l("Unassigned")}
SORT_OPTIONS = {"name": _l("Name"), "created": _l("Registered on"), "status": _l("Status"),
                "municipality": _l("Municipality")}
SORT_DIRECTIONS = {"asc": _l("Ascending"), "desc": _l("Descending")}


class ParticipantListSchema(FormSchema):
    """The search, filters, sorting and page of a list (a GET query string)."""

    q = text_field(100, required=False, load_default=None)
    status = optional_choice({**MENTOR_STATUSES, **MENTEE_STATUSES})
    support_area = fields.String(load_default=None)
    language = optional_choice(LANGUAGE_CODES)
    municipality = text_field(120, required=False, load_default=None)
    consent = optional_choice(CONSENT_FILTERS)
    owner = optional_choice(CASELOAD_FILTERS)
    sort = choice_field(SORT_OPTIONS, required=False, load_default="name")
    direction = choice_field(SORT_DIRECTIONS, required=False, load_default="asc")
    page = integer_field(1, 100_000, required=False, load_default=1)

    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if value != ""}

    @validates("support_area")
    def known_support_area(self, code, **kwargs):
        if code is not None and code not in support_areas_by_code():
            raise ValidationError(gettext("Choose one of the options."))


class ImportUploadSchema(FormSchema):
    role = choice_field(PARTICIPANT_ROLES)
