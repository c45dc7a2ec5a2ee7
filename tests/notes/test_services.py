"""Case notes and files, by their services: history kept on edit, files checked by what they
are (not by their names or the browser's word), nothing stored when a file is refused."""
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.submit import Refused, submit
from network.core.tenancy import tenant_context
from tenants.notes import services as notes
from tenants.notes.models import CaseAttachment, CaseNote
from tests.factories import make_mentee, make_tenant, make_user

MAX = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx(extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for name in extra:
            archive.writestr(name, "x")
    return buffer.getvalue()


@pytest.fixture
def case(app_context):
    tenant = make_tenant("alfa")
    staff = make_user("staff@alfa.pt", "Teresa Técnica", [(tenant, "staff")])
    with tenant_context(tenant.id):
        yield make_mentee("Amina Mentoranda", actor=staff), staff


def _stored_files():
    root = Path(current_app.config["STORAGE_DIR"])
    return sorted(path.name for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_an_edited_note_keeps_its_earlier_text_and_the_audit_log_names_no_words(case):
    mentee, staff = case
    note = notes.add_note(mentee, "Chegou em março.", staff)
    notes.edit_note(note, "Chegou em março de 2025.", staff)
    db.session.commit()
    (stored,) = notes.notes_about(mentee)
    assert stored.body == "Chegou em março de 2025." and stored.edited_by_id == staff.id
    revisions = [(revision.body, revision.written_by_id) for revision in stored.revisions]
    assert revisions == [("Chegou em março.", staff.id)]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.record_type == "CaseNote")).all()
    assert [event.action for event in events] == ["note.added", "note.edited"]
    assert all(event.changes == {"subject": "mentee", "subject_id": mentee.id} for event in events)


@pytest.mark.parametrize("filename, data", [
    ("relatorio.pdf", PDF),
    ("foto.png", PNG),
    ("contrato.docx", _docx()),
])
def test_accepted_files_are_stored_with_the_type_their_content_shows(case, filename, data):
    mentee, staff = case
    attachment = notes.add_attachment(mentee, filename, data, staff, MAX)
    db.session.commit()
    assert notes.read_attachment(attachment, staff) == data
    assert attachment.content_type in ("application/pdf", "image/png",
                                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


HOSTILE = {
    "html_as_pdf": ("documento.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
                    "Este ficheiro não é um PDF"),
    "svg_as_pdf": ("documento.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                   "Este ficheiro não é um PDF"),
    "exe_as_png": ("foto.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
                   "Este ficheiro não é um PDF"),
    "oversized": ("grande.pdf", PDF + b"0" * MAX, "O ficheiro tem mais de 1 MB"),
    "png_named_pdf": ("foto.pdf", PNG, "não corresponde ao conteúdo"),
    "macros": ("contrato.docx", _docx(["word/vbaProject.bin"]), "macros"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_with_a_translated_message_and_nothing_is_stored(case, name):
    mentee, staff = case
    filename, data, message = HOSTILE[name]
    before = _stored_files()
    with force_locale("pt_PT"):
        outcome = submit(notes.add_attachment, mentee, filename, data, staff, MAX)
    assert isinstance(outcome.refusal, Refused) and message in outcome.refusal.message
    assert outcome.refusal.field == "file"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseAttachment)) == 0
    assert _stored_files() == before


def test_a_file_deleted_goes_from_the_storage_only_when_the_deletion_commits(case):
    mentee, staff = case
    attachment = notes.add_attachment(mentee, "relatorio.pdf", PDF, staff, MAX)
    db.session.commit()
    key = attachment.storage_key
    notes.delete_attachment(attachment, staff)
    db.session.rollback()
    assert key in _stored_files()
    notes.delete_attachment(db.session.get(CaseAttachment, attachment.id), staff)
    db.session.commit()
    assert key not in _stored_files()


def test_a_file_of_a_rolled_back_upload_is_not_left_behind(case):
    mentee, staff = case
    before = _stored_files()
    notes.add_attachment(mentee, "relatorio.pdf", PDF, staff, MAX)
    db.session.rollback()
    assert _stored_files() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNote)) == 0
