"""Case notes and attachments of a partner's staff. Each row is about exactly one subject: a
mentor, a mentee or a mentoring process.

Staff only: participants and coordinators never read these tables, and the national read
role has no policy on them (migration 0014_notes), so no roll-up can count or show them.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import Versioned
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow

SUBJECT_TABLES = {"mentor": "mentors", "mentee": "mentees", "process": "mentoring_processes"}
MAX_NOTE_LENGTH = 10000
# Exactly one subject per row.
_ONE_SUBJECT = "num_nonnulls(mentor_id, mentee_id, process_id) = 1"


def _subject_args(table):
    return (
        *(tenant_foreign_key(f"{subject}_id", target, ondelete="CASCADE")
          for subject, target in SUBJECT_TABLES.items()),
        *(sa.Index(f"ix_{table}_tenant_{subject}", "tenant_id", f"{subject}_id") for subject in SUBJECT_TABLES),
        sa.CheckConstraint(_ONE_SUBJECT, name="one_subject"),
    )


class SubjectMixin:
    """The three subject columns; `subject` and `subject_id` read whichever is set."""

    # Staff only: excluded from the national read role's policies (tests/tenancy/test_rls.py).
    national_read = False

    mentor_id: Mapped[int | None] = mapped_column()
    mentee_id: Mapped[int | None] = mapped_column()
    process_id: Mapped[int | None] = mapped_column()

    @property
    def subject(self):
        return next(subject for subject in SUBJECT_TABLES if getattr(self, f"{subject}_id") is not None)

    @property
    def subject_id(self):
        return getattr(self, f"{self.subject}_id")


class CaseNote(SubjectMixin, Versioned, TenantScoped, db.Model):
    __tablename__ = "case_notes"
    __tenant_table_args__ = _subject_args("case_notes")

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(sa.String(MAX_NOTE_LENGTH))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    revisions: Mapped[list["CaseNoteRevision"]] = relationship(
        back_populates="note", order_by="CaseNoteRevision.id.desc()", cascade="all, delete-orphan"
    )


class CaseNoteRevision(TenantScoped, db.Model):
    """An earlier text of a note, kept when it was edited: who wrote that text and when."""

    __tablename__ = "case_note_revisions"
    __tenant_table_args__ = (
        tenant_foreign_key("note_id", "case_notes", ondelete="CASCADE"),
        sa.Index("ix_case_note_revisions_tenant_note", "tenant_id", "note_id"),
    )
    national_read = False

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(sa.String(MAX_NOTE_LENGTH))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    written_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[CaseNote] = relationship(back_populates="revisions")
    written_by: Mapped[User | None] = relationship()


class CaseAttachment(SubjectMixin, TenantScoped, db.Model):
    """A file kept in the case file. The bytes live in `network.core.storage` under `storage_key`;
    `content_type` is what the content was recognised as, never what the browser said."""

    __tablename__ = "case_attachments"
    __tenant_table_args__ = (*_subject_args("case_attachments"), sa.UniqueConstraint("storage_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    storage_key: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
