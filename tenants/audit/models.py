import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.accounts.models import User
from network.extensions import db
from network.timeutil import UTCDateTime, utcnow
from tenants.tenancy import TenantScoped

AUDIT_ACTIONS = {
    "workspace.opened": _l("Opened the workspace"),
    "member.invited": _l("Invited a member"),
    "member.joined": _l("Joined through an invitation"),
    "member.deactivated": _l("Deactivated a member"),
    "invitation.revoked": _l("Revoked an invitation"),
}


class AuditEvent(TenantScoped, db.Model):
    """Append-only: the runtime database role may insert and read, never update or delete."""

    __tablename__ = "audit_events"
    __tenant_table_args__ = (sa.Index("ix_audit_events_tenant_occurred", "tenant_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(64))
    record_type: Mapped[str | None] = mapped_column(sa.String(64))
    record_id: Mapped[int | None]
    changes: Mapped[dict | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self):
        return AUDIT_ACTIONS.get(self.action, self.action)
