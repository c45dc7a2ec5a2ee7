"""Importing an existing list of mentors or mentees from CSV or XLSX.

Upload -> the cells are stored as read in a `ParticipantImport` -> the preview validates
every row with the same schemas as the forms (in the reader's language) -> the confirm
step validates again and creates everyone in one transaction, or no one.
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext, ngettext
from marshmallow import ValidationError
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from network.extensions import db
from network.reference.services import support_areas_by_code
from network.submit import Refused
from network.timeutil import utcnow
from tenants.audit.services import record_event
from tenants.participants import services
from tenants.participants.models import ParticipantImport
from tenants.participants.schemas import PARTICIPANT_SCHEMAS

IMPORT_COLUMNS = {
    "mentor": ("full_name", "email", "phone", "municipality", "professional_area", "skills", "gender",
               "hours_per_week", "availability_days", "availability_periods", "motivation", "expectations",
               "training_completed_on", "languages", "support_areas"),
    "mentee": ("full_name", "email", "phone", "municipality", "country_of_origin", "nationality", "arrival_year",
               "portuguese_level", "languages", "support_areas", "residence_status", "migration_reason",
               "employment_status", "age_band", "gender", "preferred_mentor_gender", "referral_source",
               "availability_days", "availability_periods", "expectations"),
}
REQUIRED_COLUMNS = ("full_name", "municipality")
MAX_IMPORT_ROWS = 10_000
FILE_TYPES = (".csv", ".xlsx")
LIST_SEPARATOR = ";"
LIST_COLUMNS = ("languages", "support_areas", "availability_days", "availability_periods")


def _file_error(message):
    return ValidationError({"file": [message]})


# --- reading the file --------------------------------------------------------

def _header_key(header):
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Portugal saves CSV as Windows-1252.
        return data.decode("cp1252", errors="replace")


def _read_csv(data):
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Portuguese spreadsheets separate with ";" (the comma is the decimal separator).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return [[_cell_text(cell) for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(data):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise _file_error(gettext("This file could not be read. Upload a CSV or XLSX file.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(filename, data):
    """(columns, rows) of an uploaded file; each row is [line number, cell, cell, ...]."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FILE_TYPES:
        raise _file_error(gettext("Upload a CSV or XLSX file."))
    table = _read_csv(data) if extension == ".csv" else _read_xlsx(data)
    if not table:
        raise _file_error(gettext("The file is empty."))
    columns = [_header_key(header) for header in table[0]]
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        cells = (cells + [""] * len(columns))[: len(columns)]
        if any(cells):
            rows.append([line, *cells])
    return columns, rows


def check_columns(role, columns):
    expected = IMPORT_COLUMNS[role]
    named = [column for column in columns if column]
    problems = []
    unknown = [column for column in named if column not in expected]
    if unknown:
        problems.append(gettext("Unknown columns: %(columns)s. The columns can be: %(expected)s.",
                                columns=", ".join(unknown), expected=", ".join(expected)))
    repeated = sorted({column for column in named if named.count(column) > 1})
    if repeated:
        problems.append(gettext("These columns appear more than once: %(columns)s.", columns=", ".join(repeated)))
    missing = [column for column in REQUIRED_COLUMNS if column not in named]
    if missing:
        problems.append(gettext("Missing columns: %(columns)s.", columns=", ".join(missing)))
    if problems:
        raise ValidationError({"file": problems})


def start_import(role, filename, data, actor):
    """Read and store an upload for preview. Problems with the file as a whole raise."""
    columns, rows = read_table(filename, data)
    check_columns(role, columns)
    if not rows:
        raise _file_error(gettext("The file has no rows to import."))
    if len(rows) > MAX_IMPORT_ROWS:
        raise _file_error(ngettext("The file has %(num)d row; import at most %(max)d at a time.",
                                   "The file has %(num)d rows; import at most %(max)d at a time.",
                                   len(rows), max=MAX_IMPORT_ROWS))
    participant_import = ParticipantImport(
        role=role, filename=filename[-255:], columns=columns, rows=rows, created_by_id=actor.id if actor else None
    )
    db.session.add(participant_import)
    db.session.flush()
    return participant_import


# --- validating the rows -----------------------------------------------------

@dataclass
class RowResult:
    line: int
    cells: dict
    data: dict | None = None
    errors: dict = field(default_factory=dict)


def _flatten(messages):
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    if isinstance(messages, list):
        return [text for value in messages for text in _flatten(value)]
    return [str(messages)]


def _support_area_lookup():
    """Areas may be written as their code or their name in either language."""
    lookup = {}
    for code, area in support_areas_by_code().items():
        for name in (code, area.name_pt, area.name_en):
            lookup[name.strip().lower()] = code
    return lookup


def _list(cell):
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _payload(cells, area_lookup, errors):
    payload = {column: value for column, value in cells.items() if column not in LIST_COLUMNS}
    payload["support_areas"] = [area_lookup.get(area.lower(), area) for area in _list(cells.get("support_areas", ""))]
    for column in ("availability_days", "availability_periods"):
        payload[column] = [value.lower() for value in _list(cells.get(column, ""))]
    languages = []
    for part in _list(cells.get("languages", "")):
        code, separator, level = part.partition(":")
        if not separator:
            errors["languages"] = [gettext("Write each language as code:level, like en:b2.")]
            break
        languages.append({"code": code.strip().lower(), "level": level.strip().lower()})
    else:
        payload["languages"] = languages
    return payload


def validate_rows(participant_import):
    """Every row with its data (when valid) or its errors, per column, in the current language."""
    role = participant_import.role
    schema = PARTICIPANT_SCHEMAS[role]()
    area_lookup = _support_area_lookup()
    registered = dict(zip(("email", "phone"), services.registered_contacts(role)))
    first_seen = {"email": {}, "phone": {}}
    columns = [column for column in participant_import.columns]
    results = []
    for line, *values in participant_import.rows:
        cells = {column: value for column, value in zip(columns, values) if column}
        result = RowResult(line=line, cells=cells)
        payload = _payload(cells, area_lookup, result.errors)
        try:
            result.data = schema.load(payload)
        except ValidationError as error:
            for column, messages in error.normalized_messages().items():
                result.errors.setdefault(column, []).extend(dict.fromkeys(_flatten(messages)))
        contacts = result.data or {}
        for column in ("email", "phone"):
            value = contacts.get(column)
            if not value:
                continue
            if value in registered[column]:
                result.errors.setdefault(column, []).append(str(services.duplicate_message(role, column)))
            elif value in first_seen[column]:
                result.errors.setdefault(column, []).append(
                    gettext("Also in row %(line)d of this file.", line=first_seen[column][value]))
            else:
                first_seen[column][value] = line
        if result.errors:
            result.data = None
        results.append(result)
    return results


class ImportHasErrors(Refused):
    """A confirmed import with any invalid row imports nothing."""

    def __init__(self):
        super().__init__(gettext("Nothing was imported: the list has errors. "
                                 "Correct them in the file and upload it again."))


def confirm_import(participant_import, actor):
    """Create every participant of the list in the caller's transaction, or none."""
    # Two confirmations of one list (a double click, two people) run one after the other:
    # the second waits for the first's commit here, then finds the list imported.
    db.session.refresh(participant_import, with_for_update=True)
    if participant_import.confirmed_at is not None:
        raise _file_error(gettext("This list was already imported."))
    results = validate_rows(participant_import)
    if any(result.errors for result in results):
        raise ImportHasErrors()
    ids = services.insert_participants(participant_import.role, [result.data for result in results], actor,
                                       participant_import.id)
    participant_import.confirmed_at = utcnow()
    # The cells are personal data: once imported they live in the participants' records only.
    participant_import.rows = []
    record_event("import.confirmed", actor, participant_import, changes={"count": len(ids)})
    return len(ids)
