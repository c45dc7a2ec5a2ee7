"""A partner's retention rules, and the record that a participant's personal data was erased.
Both tables are tenant-owned."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.timeutil import UTCDateTime, utcnow
from tenants.participants.models import ParticipantRecord, participant_record_args

ERASURE_TRIGGERS = {"request": _l("At the person's request"), "retention": _l("Retention rule")}


class PrivacySettings(Versioned, TenantScoped, db.Model):
    """A partner's overrides of the retention defaults (`config`): empty means the default."""

    __tablename__ = "privacy_settings"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    months_after_last_process: Mapped[int | None]
    import_days: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class Erasure(ParticipantRecord, TenantScoped, db.Model):
    """That (and when, by whom, why) a participant's personal data was anonymised. It holds no
    personal value: the participant row it points at is the pseudonymous remainder."""

    __tablename__ = "erasures"
    __tenant_table_args__ = (
        *participant_record_args("erasures"),
        sa.UniqueConstraint("tenant_id", "mentor_id"),
        sa.UniqueConstraint("tenant_id", "mentee_id"),
    )

    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    trigger: Mapped[str] = mapped_column(choice_type(ERASURE_TRIGGERS, "erasure_trigger", 16))
    reason: Mapped[str] = mapped_column(sa.String(500))

    erased_by: Mapped[User | None] = relationship()

    @property
    def trigger_label(self):
        return ERASURE_TRIGGERS[self.trigger]
