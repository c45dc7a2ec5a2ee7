"""The e-mail outbox: every message is written here, in the transaction that caused it,
before a job sends it.

Network-level, like memberships: a message belongs to a tenant (an invitation) or to none
(a password reset), so `tenant_id` is nullable and the table is not `TenantScoped`. Pages
and jobs reach it only through `network.core.mail.outbox`, which filters by the tenant in context
explicitly; on PostgreSQL Row-Level Security (tenant_id IS NOT DISTINCT FROM the tenant in
the transaction) is the second wall, so a tenant's transaction sees neither another tenant's
messages nor the network-level ones.
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from network.core.columns import choice_type
from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow

STATUSES = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_tenant_created", "tenant_id", "created_at"),
        sa.Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(8))
    template: Mapped[str] = mapped_column(sa.String(200))
    # JSON scalars, lists and dicts; datetimes are encoded by `network.core.mail.outbox`.
    context: Mapped[dict] = mapped_column(sa.JSON)
    # The same key twice is the same message (a daily digest, a reminder): written once.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    # Files sent with the message ([{filename, content_type, content}], text content: a
    # calendar invitation); None for most messages.
    attachments: Mapped[list | None] = mapped_column(sa.JSON)
    # Stable across retries: the file backend and receiving servers recognise a replay by it.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    status: Mapped[str] = mapped_column(
        choice_type(STATUSES, "outbox_status", 16),
        default="pending",
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    subject: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who holds the message while sending (an RQ job id) and until when.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self):
        return STATUSES[self.status]
