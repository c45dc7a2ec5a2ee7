"""Case notes and attachments: written, edited (the earlier text kept), read and removed by
partner staff. Free of Flask requests; the views commit through `network.core.submit`."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.storage import StoredFileMissing, delete_file_after_commit, put_file, storage
from network.core.submit import Refused
from network.core.timeutil import utcnow
from tenants.notes.files import FileRefused, check_upload
from tenants.notes.models import CaseAttachment, CaseNote, CaseNoteRevision

UNCHANGED = _l("The note was not changed.")
MISSING_FILE = _l("This file is no longer stored. Tell the partner's administrator.")


def subject_name(subject):
    """"mentor", "mentee" or "process"."""
    return getattr(subject, "role", "process")


def _about(model, subject):
    return getattr(model, f"{subject_name(subject)}_id") == subject.id


def _subject_columns(subject):
    return {f"{subject_name(subject)}_id": subject.id}


def notes_about(subject):
    """The notes of a mentor, a mentee or a process, newest first, with their history."""
    return db.session.scalars(
        sa.select(CaseNote).where(_about(CaseNote, subject))
        .options(selectinload(CaseNote.author), selectinload(CaseNote.edited_by),
                 selectinload(CaseNote.revisions).selectinload(CaseNoteRevision.written_by))
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    ).all()


def attachments_about(subject):
    return db.session.scalars(
        sa.select(CaseAttachment).where(_about(CaseAttachment, subject))
        .options(selectinload(CaseAttachment.uploaded_by))
        .order_by(CaseAttachment.uploaded_at.desc(), CaseAttachment.id.desc())
    ).all()


def _audit_changes(record):
    """Ids only: a note's words never go into the audit log."""
    return {"subject": record.subject, "subject_id": record.subject_id}


def add_note(subject, body, actor):
    note = CaseNote(body=body, author_id=actor.id if actor else None, **_subject_columns(subject))
    db.session.add(note)
    db.session.flush()
    record_event("note.added", actor, note, changes=_audit_changes(note))
    return note


def edit_note(note, body, actor):
    """The new text replaces the old one, which is kept as a revision with its author and time."""
    if body == note.body:
        raise Refused(UNCHANGED, field="body")
    note.revisions.insert(0, CaseNoteRevision(
        body=note.body, written_at=note.edited_at or note.created_at,
        written_by_id=note.edited_by_id if note.edited_at else note.author_id))
    note.body = body
    note.edited_at = utcnow()
    note.edited_by_id = actor.id if actor else None
    db.session.flush()
    record_event("note.edited", actor, note, changes=_audit_changes(note))
    return note


def add_attachment(subject, filename, data, actor, max_bytes):
    """Check the file by its content, store it, and record it; raises Refused (nothing stored)."""
    try:
        content_type, name = check_upload(filename, data, max_bytes)
    except FileRefused as refused:
        raise Refused(refused.message, field="file") from None
    attachment = CaseAttachment(filename=name, content_type=content_type, size_bytes=len(data),
                                storage_key=put_file(data), uploaded_by_id=actor.id if actor else None,
                                **_subject_columns(subject))
    db.session.add(attachment)
    db.session.flush()
    record_event("attachment.added", actor, attachment, changes=_audit_changes(attachment))
    return attachment


def read_attachment(attachment, actor):
    """The file's bytes; every download is in the audit log."""
    record_event("attachment.downloaded", actor, attachment, changes=_audit_changes(attachment))
    try:
        return storage().get(attachment.storage_key)
    except StoredFileMissing:
        raise Refused(MISSING_FILE, status=404) from None


def delete_attachment(attachment, actor):
    record_event("attachment.deleted", actor, attachment, changes=_audit_changes(attachment))
    remove_attachments([attachment])


def remove_attachments(attachments):
    """Rows deleted now, files once the transaction commits (erasure uses it too)."""
    for attachment in attachments:
        delete_file_after_commit(attachment.storage_key)
        db.session.delete(attachment)
    db.session.flush()
