"""The export as a person reads it (the page and the PDF): field names, coded values and
dates in the reader's language; the JSON download keeps the codes and ISO times."""
from datetime import date, datetime

from flask_babel import format_date, format_datetime, gettext
from flask_babel import lazy_gettext as _l

from network.core.accounts.models import ROLES
from network.core.tenancy.models import LOCALES
from tenants.activities.models import ACTIVITY_KINDS, ATTENDANCE, AUDIENCES
from tenants.participants.models import (
    AGE_BANDS,
    CONSENT_PURPOSES,
    DAY_PERIODS,
    EMPLOYMENT_STATUSES,
    GENDERS,
    LANGUAGE_LEVELS,
    MENTEE_STATUSES,
    MENTOR_STATUSES,
    MIGRATION_REASONS,
    PORTUGUESE_LEVELS,
    RECOMMENDATIONS,
    REFERRAL_SOURCES,
    RESIDENCE_STATUSES,
    WEEKDAYS,
)
from tenants.participants.reference import country_name, language_name
from tenants.privacy.labels import COLUMN_LABELS
from tenants.processes.models import (
    AGREEMENT_MODES,
    CADENCES,
    CHANGES,
    EVENT_KINDS,
    GOAL_KINDS,
    GOAL_OUTCOMES,
    LOGGED_AS,
    MEETING_ANSWERS,
    MEETING_FREQUENCIES,
    OUTCOMES,
    PROCESS_STATES,
    SIDES,
)

RECORD_TYPES = {
    "Mentor": _l("Mentor record"), "Mentee": _l("Mentee record"), "Invitation": _l("Portal invitation"),
    "Consent": _l("Consent"), "Interview": _l("Interview"), "MentoringProcess": _l("Mentoring process"),
    "ParticipantImport": _l("Uploaded list"), "User": _l("Portal account"), "ApiToken": _l("API token"),
    "Activity": _l("Activity"), "ActivityInvitation": _l("Activity invitation"),
}
# Coded columns, the same meaning in every section...
VALUE_LABELS = {
    "gender": GENDERS, "preferred_mentor_gender": GENDERS, "residence_status": RESIDENCE_STATUSES,
    "migration_reason": MIGRATION_REASONS, "employment_status": EMPLOYMENT_STATUSES, "age_band": AGE_BANDS,
    "referral_source": REFERRAL_SOURCES, "purpose": CONSENT_PURPOSES, "recommendation": RECOMMENDATIONS,
    "portuguese_level": PORTUGUESE_LEVELS, "level": LANGUAGE_LEVELS, "availability_days": WEEKDAYS,
    "availability_periods": DAY_PERIODS, "state": PROCESS_STATES, "from_state": PROCESS_STATES,
    "to_state": PROCESS_STATES, "outcome": OUTCOMES, "cadence": CADENCES, "meeting_frequency": MEETING_FREQUENCIES,
    "logged_as": LOGGED_AS, "side": SIDES, "changes": CHANGES, "role": ROLES, "record_type": RECORD_TYPES,
    "audience": AUDIENCES, "attendance": ATTENDANCE, "locale": LOCALES, "preferred_locale": LOCALES,
}
# ...and those whose codes depend on the section.
SECTION_VALUE_LABELS = {
    ("mentors", "status"): MENTOR_STATUSES, ("mentees", "status"): MENTEE_STATUSES,
    ("process_events", "kind"): EVENT_KINDS, ("agreement_goals", "kind"): GOAL_KINDS,
    ("activities", "kind"): ACTIVITY_KINDS, ("goal_outcomes", "outcome"): GOAL_OUTCOMES,
    ("meetings", "mode"): AGREEMENT_MODES, ("agreements", "mode"): AGREEMENT_MODES,
    ("meeting_confirmations", "answer"): MEETING_ANSWERS,
}
COUNTRY_COLUMNS = ("country_of_origin", "nationality")
LANGUAGE_COLUMNS = ("language_code",)


def _is_time(column):
    return column.endswith("_at") or column == "claimed_until"


def _is_date(column):
    return column.endswith("_on") or column == "target_date"


def shown(section, column, value):
    """One value as text for a person: labels for codes, local dates, yes and no."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return ", ".join(shown(section, column, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{COLUMN_LABELS.get(key, key)}: {shown(section, key, item)}" for key, item in value.items())
    if isinstance(value, str):
        return _shown_text(section, column, value)
    return str(value)


def _shown_text(section, column, value):
    try:
        if _is_time(column):
            return format_datetime(datetime.fromisoformat(value), "medium")
        if _is_date(column):
            return format_date(date.fromisoformat(value[:10]), "long")
    except ValueError:
        return value
    if column in COUNTRY_COLUMNS:
        return country_name(value) or value
    if column in LANGUAGE_COLUMNS:
        return language_name(value)
    labels = SECTION_VALUE_LABELS.get((section, column)) or VALUE_LABELS.get(column)
    return str(labels.get(value, value)) if labels else value


def readable_rows(section, rows):
    """Each row as (field label, text) pairs, in the order of the labels' names."""
    return [[(str(COLUMN_LABELS.get(key, key)), shown(section, key, value)) for key, value in sorted(row.items())]
            for row in rows]
