"""Importing an existing list: a preview with every problem, then all or nothing."""
import io
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError
from openpyxl import Workbook

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants import imports
from tenants.participants.models import Mentee, MenteeLanguage, Mentor, ParticipantImport
from tests.factories import login, make_mentee, make_tenant, make_user

MENTEE_HEADER = ("full_name,email,phone,municipality,country_of_origin,arrival_year,portuguese_level,languages,"
                 "support_areas")


@pytest.fixture
def workspace(app_context):
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        yield staff


def _csv(*lines):
    return ("\n".join(lines) + "\n").encode()


def _errors_by_line(participant_import):
    with force_locale("en"):
        return {result.line: result.errors for result in imports.validate_rows(participant_import) if result.errors}


def _count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_a_file_with_the_wrong_columns_is_refused_whole(workspace):
    data = _csv("name,e-mail,municipality,favourite_colour,email,email", "Ana,ana@example.pt,Porto,blue,x,y")
    with force_locale("en"), pytest.raises(ValidationError) as error:
        imports.start_import("mentee", "list.csv", data, workspace)
    problems = error.value.normalized_messages()["file"]
    assert problems[0].startswith("Unknown columns: name, e_mail, favourite_colour. "
                                  "The columns can be: full_name, email")
    assert problems[1:] == ["These columns appear more than once: email.", "Missing columns: full_name."]
    assert _count(ParticipantImport) == 0


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("list.pdf", b"%PDF", "Upload a CSV or XLSX file."),
        ("list.xlsx", b"not a spreadsheet", "This file could not be read. Upload a CSV or XLSX file."),
        ("list.csv", b"", "The file is empty."),
        ("list.csv", b"full_name,email,municipality\n,,\n", "The file has no rows to import."),
    ],
)
def test_unreadable_or_empty_files_are_refused(workspace, filename, data, message):
    with force_locale("en"), pytest.raises(ValidationError) as error:
        imports.start_import("mentor", filename, data, workspace)
    assert error.value.normalized_messages() == {"file": [message]}


def test_the_preview_reports_every_problem_by_row_and_column(workspace):
    make_mentee("Already Here", email="here@example.pt")
    db.session.commit()
    next_year = date.today().year + 1
    data = _csv(
        MENTEE_HEADER,
        "Amina Idris,amina@example.pt,,Lisboa,SD,2023,a2,ar:native; en:b1,Habitação; health",
        f"Future Arrival,future@example.pt,,Lisboa,XX,{next_year},fluent,ar,flying",
        "Duplicate In File,AMINA@example.pt,,Porto,,,,,",
        "Duplicate In Workspace,here@example.pt,,Porto,,,,,",
        "No Contact,,,,,,,,",
    )
    participant_import = imports.start_import("mentee", "list.csv", data, workspace)
    errors = _errors_by_line(participant_import)
    # A coded column says which codes it takes.
    row = errors.pop(3)
    assert "health (Health)" in row.pop("support_areas")[0]
    assert row == {
        "country_of_origin": ["Use a two-letter country code (ISO 3166), like BR, UA or CV."],
        "arrival_year": ["The year of arrival cannot be in the future."],
        "portuguese_level": ["Use one of: none (No Portuguese yet); a1 (A1 – beginner); a2 (A2 – elementary); "
                             "b1 (B1 – intermediate); b2 (B2 – upper intermediate); c1 (C1 – advanced); "
                             "c2 (C2 – proficient); native (Native speaker)."],
        "languages": ["Write each language as code:level, like en:b2."],
    }
    assert errors == {
        4: {"email": ["Also in row 2 of this file."]},
        5: {"email": ["A mentee with this e-mail address is already registered."]},
        6: {"municipality": ["This field is required."], "email": ["Give an e-mail address or a phone number."]},
    }
    with force_locale("en"), pytest.raises(imports.ImportHasErrors):
        imports.confirm_import(participant_import, workspace)
    db.session.rollback()
    assert _count(Mentee) == 1  # only the one registered before


def test_a_confirmed_import_creates_everyone_with_their_details_and_history(workspace):
    data = _csv(MENTEE_HEADER,
                "Amina Idris,amina@example.pt,+351 912 345 678,Lisboa,SD,2023,a2,ar:native,Habitação; health")
    participant_import = imports.start_import("mentee", "list.csv", data, workspace)
    assert imports.confirm_import(participant_import, workspace).count == 1
    mentee = db.session.scalar(sa.select(Mentee))
    assert (mentee.phone, mentee.status, mentee.portuguese_level) == ("+351912345678", "applicant", "a2")
    assert [link.support_area.code for link in mentee.support_areas] == ["housing", "health"]
    assert participant_import.confirmed_at is not None and participant_import.rows == []
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["participant.imported", "import.confirmed"]
    with force_locale("en"), pytest.raises(ValidationError) as error:
        imports.confirm_import(participant_import, workspace)
    assert error.value.normalized_messages() == {"file": ["This list was already imported."]}


def test_a_spreadsheet_with_semicolons_and_windows_encoding_is_read(workspace):
    data = "full_name;email;municipality\nJoão Gonçalves;joao@example.pt;Setúbal\n".encode("cp1252")
    participant_import = imports.start_import("mentor", "lista.csv", data, workspace)
    assert participant_import.rows == [[2, "João Gonçalves", "joao@example.pt", "Setúbal"]]


def test_an_xlsx_file_is_read_with_its_dates_and_numbers(workspace):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Full name", "Email", "Municipality", "Hours per week", "Training completed on"])
    sheet.append(["Rui Costa", "rui@example.pt", "Braga", 4, date(2026, 1, 15)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    participant_import = imports.start_import("mentor", "mentores.xlsx", buffer.getvalue(), workspace)
    assert participant_import.rows == [[2, "Rui Costa", "rui@example.pt", "Braga", "4", "2026-01-15"]]
    assert imports.confirm_import(participant_import, workspace).count == 1
    mentor = db.session.scalar(sa.select(Mentor))
    assert (mentor.hours_per_week, mentor.training_completed_on) == (4, date(2026, 1, 15))


def _big_file(rows, broken_line=None):
    lines = [MENTEE_HEADER]
    for number in range(rows):
        year = date.today().year + 1 if number + 2 == broken_line else 2020
        lines.append(f"Pessoa {number},p{number}@example.pt,,Lisboa,UA,{year},a1,uk:native,housing")
    return _csv(*lines)


def test_ten_thousand_rows_are_previewed_and_imported(workspace):
    broken = imports.start_import("mentee", "big.csv", _big_file(10_000, broken_line=10_001), workspace)
    assert list(_errors_by_line(broken)) == [10_001]

    # How long it takes is a benchmark's question, not this test's (a loaded machine is slow).
    participant_import = imports.start_import("mentee", "big.csv", _big_file(10_000), workspace)
    assert imports.confirm_import(participant_import, workspace).count == 10_000
    db.session.commit()
    assert (_count(Mentee), _count(MenteeLanguage)) == (10_000, 20_000)


def test_more_rows_than_allowed_are_refused(workspace):
    with force_locale("en"), pytest.raises(ValidationError) as error:
        imports.start_import("mentee", "huge.csv", _big_file(10_001), workspace)
    assert error.value.normalized_messages() == {
        "file": ["The file has more than 10000 rows; import at most 10000 at a time."]}


# --- the pages -----------------------------------------------------------------

def test_staff_upload_preview_and_confirm_a_list(app, client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    base = f"/t/{two_partners.alpha.slug}"
    refused = client.post(f"{base}/imports/new", data={"role": "mentor"})
    assert refused.status_code == 400 and "Choose a file to upload." in refused.get_data(as_text=True)
    wrong = client.post(f"{base}/imports/new", data={
        "role": "mentor", "file": (io.BytesIO(_csv("nome,municipality", "Rui,Porto")), "list.csv")})
    assert wrong.status_code == 400 and "Missing columns: full_name." in wrong.get_data(as_text=True)

    broken = client.post(f"{base}/imports/new", data={"role": "mentor", "file": (io.BytesIO(_csv(
        "full_name,email,municipality,training_completed_on",
        "Rui Costa,rui@example.pt,Porto,2026-02-30",
        "Ana Sousa,ana@example.pt,Braga,2025-06-01",
    )), "list.csv")})
    assert broken.status_code == 302
    preview = client.get(broken.location).get_data(as_text=True)
    assert "1 row has problems." in preview and "Enter a real date, like 2026-03-31." in preview
    assert "2026-02-30" in preview and "Confirm the import" not in preview
    import_id = int(broken.location.rsplit("/", 1)[1])
    refused = client.post(f"{base}/imports/{import_id}/confirm")
    assert refused.status_code == 400
    assert "Nothing was imported" in refused.get_data(as_text=True)

    fixed = client.post(f"{base}/imports/new", data={"role": "mentor", "file": (io.BytesIO(_csv(
        "full_name,email,municipality,training_completed_on",
        "Rui Costa,rui@example.pt,Porto,2026-02-28",
        "Ana Sousa,ana@example.pt,Braga,2025-06-01",
    )), "list.csv")})
    preview = client.get(fixed.location).get_data(as_text=True)
    assert "All 2 rows are ready to be imported." in preview and "Rui Costa" in preview
    done = client.post(fixed.location + "/confirm")
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert "2 people were imported as Mentor." in page and "Ana Sousa" in page
