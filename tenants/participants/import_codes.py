"""The codes an import file's coded columns take, with their labels in the reader's language:
listed in the problems of a row, shown as labels in the preview, and written into the
template files staff download to fill in."""
from flask_babel import gettext

from network.core.reference.services import support_areas_by_code
from network.core.spreadsheets import csv_bytes, xlsx_bytes
from tenants.participants.models import (
    AGE_BANDS,
    DAY_PERIODS,
    EMPLOYMENT_STATUSES,
    GENDERS,
    LANGUAGE_LEVELS,
    MIGRATION_REASONS,
    PORTUGUESE_LEVELS,
    REFERRAL_SOURCES,
    RESIDENCE_STATUSES,
    WEEKDAYS,
)
from tenants.participants.reference import country_choices, country_name, language_choices, language_name

_CHOICES = {
    "gender": GENDERS, "preferred_mentor_gender": {key: GENDERS[key] for key in ("female", "male")},
    "age_band": AGE_BANDS, "portuguese_level": PORTUGUESE_LEVELS, "residence_status": RESIDENCE_STATUSES,
    "migration_reason": MIGRATION_REASONS, "employment_status": EMPLOYMENT_STATUSES,
    "referral_source": REFERRAL_SOURCES, "availability_days": WEEKDAYS, "availability_periods": DAY_PERIODS,
}
COUNTRY_COLUMNS = ("country_of_origin", "nationality")
CHOICE_MESSAGE = "Choose one of the options."


def codes(column):
    """(code, label) pairs a coded column takes, or None for a free-text column."""
    if column in _CHOICES:
        return [(code, str(label)) for code, label in _CHOICES[column].items()]
    if column == "support_areas":
        return [(code, area.label) for code, area in support_areas_by_code().items()]
    if column in COUNTRY_COLUMNS:
        return list(country_choices())
    return None  # free text, and languages (code:level, see `codes_hint`)


def codes_hint(column):
    """The codes of a column in one sentence (countries are too many: the standard and examples)."""
    if column in COUNTRY_COLUMNS:
        return gettext("Use a two-letter country code (ISO 3166), like BR, UA or CV.")
    if column == "languages":
        return gettext("Use language:level, with languages %(languages)s and levels %(levels)s.",
                       languages=", ".join(code for code, _ in language_choices()),
                       levels=", ".join(LANGUAGE_LEVELS))
    pairs = codes(column)
    if not pairs:
        return None
    return gettext("Use one of: %(codes)s.", codes="; ".join(f"{code} ({label})" for code, label in pairs))


def explain_choice_errors(errors):
    """Where a row's coded cell is not a code, say which codes the column takes."""
    for column, messages in errors.items():
        hint = codes_hint(column)
        if hint and any(message == gettext(CHOICE_MESSAGE) for message in messages):
            errors[column] = [hint if message == gettext(CHOICE_MESSAGE) else message for message in messages]
    return errors


def shown_cell(column, value):
    """A cell as the preview shows it: the labels of its codes, the text otherwise."""
    if not value:
        return value
    if column in COUNTRY_COLUMNS:
        return country_name(value.upper()) or value
    if column == "languages":
        parts = [part.partition(":") for part in value.split(";") if part.strip()]
        return "; ".join(f"{language_name(code.strip().lower())} {level.strip().upper()}".strip()
                         for code, _, level in parts)
    pairs = codes(column)
    if not pairs:
        return value
    labels = {code.lower(): label for code, label in pairs}
    return "; ".join(labels.get(part.strip().lower(), part.strip()) for part in value.split(";") if part.strip())


def template_rows(columns):
    """The template: the column names, and nothing else (the codes are on their own sheet or file)."""
    return [list(columns)]


def code_rows(columns):
    """Every coded column's codes with their meaning: column, code, meaning."""
    rows = [[gettext("Column"), gettext("Code"), gettext("Meaning")]]
    for column in columns:
        if column == "languages":
            rows += [[column, code, name] for code, name in language_choices()]
            rows += [[column, level, str(label)] for level, label in LANGUAGE_LEVELS.items()]
            continue
        rows += [[column, code, label] for code, label in codes(column) or ()]
    return rows


def template_file(role, columns, file_format):
    """(bytes, file name) of the template; the XLSX holds the codes on a second sheet, the CSV is
    the header row (its codes are a file of their own, `codes_file`)."""
    if file_format == "xlsx":
        content = xlsx_bytes(template_rows(columns), gettext("People"), bold_row=lambda row: True,
                             extra_sheets=[(gettext("Codes"), code_rows(columns))])
    else:
        content = csv_bytes(template_rows(columns))
    return content, f"rede-mentores-{role}s-template.{file_format}"


def codes_file(role, columns):
    return csv_bytes(code_rows(columns)), f"rede-mentores-{role}s-codes.csv"
