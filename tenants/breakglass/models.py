from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime


class BreakGlassGrant(TenantScoped, db.Model):
    """A coordinator's access to one case of the partner that owns the row (its audit log, its
    Row-Level Security): who asked, why, about whom, until when. Nothing else widens: the
    coordinator reads the case in the partner's workspace only while `expires_at` is ahead,
    checked on every request."""

    __tablename__ = "break_glass_grants"
    __tenant_table_args__ = (
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.CheckConstraint("(mentor_id IS NULL) <> (mentee_id IS NULL)", name="one_participant"),
        sa.Index("ix_break_glass_grants_requested_by", "requested_by_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    mentor_id: Mapped[int | None]
    mentee_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.String(1000))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def role(self):
        return "mentor" if self.mentor_id is not None else "mentee"

    @property
    def participant_id(self):
        return self.mentor_id if self.mentor_id is not None else self.mentee_id
