"""Importing an existing list of mentors or mentees from CSV or XLSX.

Upload -> the cells are stored as read in a `ParticipantImport` -> the preview validates
every row with the same schemas as the forms (in the reader's language) -> the confirm
step validates again and creates everyone in one transaction, or no one.
"""
import csv
import io
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple
from xml.etree.ElementTree import ParseError

from flask_babel import gettext
from marshmallow import ValidationError
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.reference.services import support_areas_by_code
from network.core.submit import Refused
from network.core.timeutil import utcnow
from tenants.participants import services
from tenants.participants.import_codes import explain_choice_errors
from tenants.participants.models import ParticipantImport
from tenants.participants.schemas import PARTICIPANT_SCHEMAS

IMPORT_COLUMNS = {
    "mentor": ("full_name", "email", "phone", "municipality", "professional_area", "skills", "gender",
               "hours_per_week", "availability_days", "availability_periods", "motivation", "expectations",
               "training_completed_on", "languages", "support_areas", "preferred_language", "date_of_birth"),
    "mentee": ("full_name", "email", "phone", "municipality", "country_of_origin", "nationality", "arrival_year",
               "portuguese_level", "languages", "support_areas", "residence_status", "migration_reason",
               "employment_status", "age_band", "gender", "preferred_mentor_gender", "referral_source",
               "availability_days", "availability_periods", "expectations", "preferred_language", "date_of_birth"),
}
REQUIRED_COLUMNS = ("full_name", "municipality")
MAX_IMPORT_ROWS = 10_000
# Limits of the file itself, checked while it is read (before any row is validated). A list of
# MAX_IMPORT_ROWS people with the longest texts the forms take (2,000 characters) is well inside.
MAX_COLUMNS = 50
MAX_CELL_CHARS = 4_000
MAX_CSV_LINE_CHARS = 64 * 1024
MAX_TABLE_LINES = 2 * MAX_IMPORT_ROWS  # empty lines included
PARSE_SECONDS = 5
# An XLSX of 10,000 rows unpacks to a few MB of XML (Excel keeps texts apart, in shared strings;
# openpyxl writes them inline: 6 MB for 8 columns), compressed about 16 times; a zip bomb unpacks
# to gigabytes, compressed 1,000 times. The part limit also bounds the one step that cannot be
# interrupted: openpyxl scans a whole sheet that does not state its dimensions before the
# first row (about 5 MB a second on one core).
MAX_XLSX_PARTS = 100
MAX_XLSX_UNPACKED_BYTES = 40 * 2**20
MAX_XLSX_PART_BYTES = 20 * 2**20
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 2**20  # small parts (styles, a theme) may compress further, harmlessly
FILE_TYPES = (".csv", ".xlsx")
LIST_SEPARATOR = ";"
LIST_COLUMNS = ("languages", "support_areas", "availability_days", "availability_periods")


# What a damaged or hostile XLSX raises while openpyxl opens or streams it (defusedxml, when
# installed, raises ValueError subclasses for entities and DTDs).
_XLSX_ERRORS = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, TypeError,
                ParseError, IndexError)


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


def _unreadable():
    return _file_error(gettext("This file could not be read. Upload a CSV or XLSX file."))


def _bounded_lines(text):
    for line in io.StringIO(text):
        if len(line) > MAX_CSV_LINE_CHARS:
            raise _file_error(gettext("A line of this file is longer than %(max)d characters: this is not a list of "
                                      "people. Check the file, or save it again as CSV.", max=MAX_CSV_LINE_CHARS))
        yield line


@contextmanager
def _csv_rows(data):
    text = _decode(data)
    if "\x00" in text:  # a binary file renamed .csv (PostgreSQL could not store it either)
        raise _unreadable()
    first_line = text[:MAX_CSV_LINE_CHARS].split("\n", 1)[0]
    # Portuguese spreadsheets separate with ";" (the comma is the decimal separator).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield csv.reader(_bounded_lines(text), delimiter=delimiter)
    except csv.Error:  # e.g. a field beyond the csv module's own limit
        raise _unreadable() from None


def _check_archive(data):
    """An XLSX is a zip of XML parts: refuse one that would unpack to far more than any list of
    MAX_IMPORT_ROWS people before a byte of it is parsed (a few hundred kilobytes can unpack to
    gigabytes). The sizes are those the archive declares; Python's zipfile never inflates a part
    past its declared size (a part that lies fails its checksum), so they bound the work."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    if len(members) > MAX_XLSX_PARTS:
        raise _file_error(gettext("This XLSX file has more than %(max)d parts: save only the list in a new file, "
                                  "or save it as CSV.", max=MAX_XLSX_PARTS))
    too_large = sum(member.file_size for member in members) > MAX_XLSX_UNPACKED_BYTES or any(
        member.file_size > MAX_XLSX_PART_BYTES
        or (member.file_size > RATIO_CHECKED_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1))
        for member in members)
    if too_large:
        raise _file_error(gettext("This XLSX file unpacks to far more than a list of %(rows)d people (at most "
                                  "%(megabytes)d MB): save only the list in a new file, or save it as CSV.",
                                  rows=MAX_IMPORT_ROWS, megabytes=MAX_XLSX_UNPACKED_BYTES // 2**20))


@contextmanager
def _xlsx_rows(data):
    _check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_ERRORS:
        raise _unreadable() from None
    try:
        # Read-only mode streams the sheet's XML row by row; max_col keeps a cell placed at the
        # sheet's last column from padding every row to 16,384 cells.
        yield workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    except _XLSX_ERRORS:
        raise _unreadable() from None
    finally:
        workbook.close()


def _bounded_table(reader, deadline):
    """The rows of a file, read until a limit says it is not a list this import takes."""
    table = []
    data_rows = 0
    for line, row in enumerate(reader, start=1):
        if line % 128 == 0 and time.monotonic() > deadline:
            raise _file_error(gettext("This file took too long to read. Import fewer rows at a time, or save it as "
                                      "CSV."))
        if line > MAX_TABLE_LINES:
            raise _file_error(gettext("This file has more than %(max)d lines, counting empty ones. Remove the empty "
                                      "lines, or import fewer rows at a time.", max=MAX_TABLE_LINES))
        cells = [_cell_text(cell) for cell in row]
        if any(cells[MAX_COLUMNS:]):
            raise _file_error(gettext("Row %(line)d has more than %(max)d columns.", line=line, max=MAX_COLUMNS))
        cells = cells[:MAX_COLUMNS]
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise _file_error(gettext("Row %(line)d has a cell longer than %(max)d characters.",
                                      line=line, max=MAX_CELL_CHARS))
        if line > 1 and any(cells):
            data_rows += 1
            if data_rows > MAX_IMPORT_ROWS:
                raise _file_error(gettext("The file has more than %(max)d rows; import at most %(max)d at a time.",
                                          max=MAX_IMPORT_ROWS))
        table.append(cells)
    return table


def read_table(filename, data, seconds=PARSE_SECONDS):
    """(columns, rows) of an uploaded file; each row is [line number, cell, cell, ...].

    Reading stops at the first limit the file passes (rows, columns, cell and line length, the
    XLSX archive's unpacked size, `seconds` of reading), so an upload holds a web worker for
    a few seconds at most, whatever it holds."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FILE_TYPES:
        raise _file_error(gettext("Upload a CSV or XLSX file."))
    deadline = time.monotonic() + seconds
    with (_csv_rows(data) if extension == ".csv" else _xlsx_rows(data)) as reader:
        table = _bounded_table(reader, deadline)
    if not table:
        raise _file_error(gettext("The file is empty."))
    header = table[0]
    while header and not header[-1]:
        header = header[:-1]
    columns = [_header_key(name) for name in header]
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
            explain_choice_errors(result.errors)
        results.append(result)
    return results


class ImportHasErrors(Refused):
    """A confirmed import with any invalid row imports nothing."""

    def __init__(self):
        super().__init__(gettext("Nothing was imported: the list has errors. "
                                 "Correct them in the file and upload it again."))


class ImportResult(NamedTuple):
    count: int
    # How many of them may already be registered with another partner (tenants.transfers).
    registered_elsewhere: int


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
    ids, flagged = services.insert_participants(participant_import.role, [result.data for result in results], actor,
                                       participant_import.id)
    participant_import.confirmed_at = utcnow()
    # The cells are personal data: once imported they live in the participants' records only.
    participant_import.rows = []
    record_event("import.confirmed", actor, participant_import, changes={"count": len(ids)})
    return ImportResult(len(ids), flagged)
