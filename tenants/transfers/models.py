"""The duplicate check's keyed fingerprints (no names), and the two sides of a consented transfer."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.columns import choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.tenancy.models import Tenant
from network.core.timeutil import UTCDateTime, utcnow

FINGERPRINT_KINDS = ("name_all", "name_ends", "phone", "email")
# The one database function that answers "registered elsewhere?" (migration 0014_transfers).
REGISTERED_ELSEWHERE_FUNCTION = "transfers_registered_elsewhere"


class DuplicateFingerprint(TenantScoped, db.Model):
    """An HMAC of one normalised identifier of one of the tenant's people (tenants.transfers.
    fingerprints). Tenant-owned like any row (Row-Level Security): a partner reads its own
    fingerprints only; the database function compares them with the other partners' and answers
    yes or no. Erasure clears the digest (the walk reaches the row by its foreign key)."""

    __tablename__ = "duplicate_fingerprints"
    __tenant_table_args__ = (
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.CheckConstraint("(mentor_id IS NULL) <> (mentee_id IS NULL)", name="one_participant"),
        sa.CheckConstraint("kind IN ('name_all', 'name_ends', 'phone', 'email')", name="known_kind"),
        sa.Index("ix_duplicate_fingerprints_digest", "digest"),
        sa.Index("ix_duplicate_fingerprints_tenant_mentor", "tenant_id", "mentor_id"),
        sa.Index("ix_duplicate_fingerprints_tenant_mentee", "tenant_id", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int | None]
    mentee_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(sa.String(16))
    # Hex HMAC-SHA256; NULL once the person is erased.
    digest: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- consented transfers -------------------------------------------------------------------

TRANSFER_ITEMS = {
    "profile": _l("Profile (name, contacts, municipality, availability and the registration form's details)"),
    "languages": _l("Languages"),
    "support_needs": _l("Support needs"),
    "intake": _l("Intake answers"),
    "history": _l("Summary of closed mentoring processes (dates, states and outcomes; no notes)"),
}
# The profile always travels: a record cannot be created without it. Case notes never do.
REQUIRED_ITEMS = ("profile",)
OUTGOING_STATUSES = {
    "awaiting_acceptance": _l("Waiting for the other partner"),
    "accepted": _l("Accepted: transferred"),
    "declined": _l("Declined by the other partner"),
    "cancelled": _l("Cancelled"),
}
INCOMING_STATUSES = {
    "pending": _l("Waiting for a decision"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
}
# The functions that carry a transfer between two tenants (migration 0014_transfers_b),
# owned by the role `rede_transfer` and run by nobody else's rights.
OFFER_FUNCTION, ACCEPT_FUNCTION, DECLINE_FUNCTION = "transfers_offer", "transfers_accept", "transfers_decline"


def _participant_link_args(table):
    return (
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.Index(f"ix_{table}_tenant_mentor", "tenant_id", "mentor_id"),
        sa.Index(f"ix_{table}_tenant_mentee", "tenant_id", "mentee_id"),
    )


class OutgoingTransfer(TenantScoped, db.Model):
    """Partner A's side: who leaves, for which partner, what travels, the person's consent. The
    package (what travels) stays in A's workspace until B accepts; then it is cleared here."""

    __tablename__ = "transfers_out"
    __tenant_table_args__ = (
        *_participant_link_args("transfers_out"),
        sa.CheckConstraint("(mentor_id IS NULL) <> (mentee_id IS NULL)", name="one_participant"),
        # One transfer under way per person.
        sa.Index("uq_transfers_out_pending_mentor", "tenant_id", "mentor_id", unique=True,
                 postgresql_where=sa.text("status = 'awaiting_acceptance' AND mentor_id IS NOT NULL")),
        sa.Index("uq_transfers_out_pending_mentee", "tenant_id", "mentee_id", unique=True,
                 postgresql_where=sa.text("status = 'awaiting_acceptance' AND mentee_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int | None]
    mentee_id: Mapped[int | None]
    to_tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"))
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    package: Mapped[dict | None] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(choice_type(OUTGOING_STATUSES, "outgoing_transfer_status", 24),
                                        default="awaiting_acceptance")
    # The person's consent to the transfer, recorded by staff with the text version shown.
    consent_text_version: Mapped[str] = mapped_column(sa.String(32))
    consent_given_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    to_tenant: Mapped[Tenant] = relationship(foreign_keys=[to_tenant_id])

    @property
    def status_label(self):
        return OUTGOING_STATUSES[self.status]


class IncomingTransfer(TenantScoped, db.Model):
    """Partner B's side: a person offered by another partner, for B's administrator to accept or
    decline. Until accepted it holds no personal data (the role and what would travel); once
    accepted it links B's new record to its origin (the provenance) and keeps what travelled
    that is not a field of the record (intake answers, the history summary)."""

    __tablename__ = "transfers_in"
    __tenant_table_args__ = (
        *_participant_link_args("transfers_in"),
        # Per tenant: a constraint across tenants would tell one partner about another's rows.
        sa.UniqueConstraint("tenant_id", "from_tenant_id", "source_transfer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"))
    # A's transfer (an id in A's workspace: B reads nothing there with it).
    source_transfer_id: Mapped[int]
    role: Mapped[str] = mapped_column(sa.String(8))
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(choice_type(INCOMING_STATUSES, "incoming_transfer_status", 16),
                                        default="pending")
    # B's new record, once accepted.
    mentor_id: Mapped[int | None]
    mentee_id: Mapped[int | None]
    carried: Mapped[dict | None] = mapped_column(sa.JSON)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    from_tenant: Mapped[Tenant] = relationship(foreign_keys=[from_tenant_id])

    @property
    def status_label(self):
        return INCOMING_STATUSES[self.status]
