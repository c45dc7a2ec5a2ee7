import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.timeutil import UTCDateTime, utcnow

AUDIT_ACTIONS = {
    "workspace.opened": _l("Opened the workspace"),
    "member.invited": _l("Invited a member"),
    "member.joined": _l("Joined through an invitation"),
    "member.deactivated": _l("Deactivated a member"),
    "invitation.revoked": _l("Revoked an invitation"),
    "participant.created": _l("Registered a participant"),
    "participant.imported": _l("Registered a participant from an imported list"),
    "participant.updated": _l("Changed a participant's details"),
    "participant.viewed": _l("Opened a participant's record"),
    "participant.status_changed": _l("Changed a participant's status"),
    "consent.given": _l("Recorded a consent"),
    "consent.withdrawn": _l("Recorded the withdrawal of a consent"),
    "interview.recorded": _l("Recorded an interview"),
    "import.confirmed": _l("Imported a list of participants"),
    "duplicates.flagged": _l("Told that a participant may be registered with another partner"),
    "transfer.started": _l("Started the transfer of a participant to another partner, with their consent"),
    "transfer.received": _l("Received a transfer request from another partner"),
    "transfer.accepted": _l("Accepted a transfer between partners"),
    "transfer.declined": _l("Declined a transfer between partners"),
    "break_glass.requested": _l("Opened break-the-glass access to a case (safeguarding)"),
    "break_glass.viewed": _l("Read a case through break-the-glass access"),
    "intake.recorded": _l("Recorded the intake questionnaire"),
    "intake.question_added": _l("Added a question to the intake questionnaire"),
    "intake.question_retired": _l("Retired a question of the intake questionnaire"),
    "participant.training_completed": _l("Recorded the completion of the initial training"),
    "partner.created": _l("Added a partner to the network"),
    "partner.updated": _l("Changed a partner's details"),
    "partner.deactivated": _l("Deactivated a partner"),
    "partner.reactivated": _l("Reactivated a partner"),
    "partner.admin_invited": _l("Invited a partner's administrator"),
    "activity.created": _l("Created an activity"),
    "activity.updated": _l("Changed an activity"),
    "activity.invited": _l("Invited participants to an activity"),
    "activity.attendance_recorded": _l("Recorded the attendance of an activity"),
    "privacy.exported": _l("Exported a participant's personal data"),
    "privacy.erased": _l("Anonymised a participant's personal data"),
    "privacy.imports_purged": _l("Deleted uploaded lists past their retention period"),
    "privacy.settings_changed": _l("Changed the retention rules"),
    "api_token.created": _l("Created an API token"),
    "api_token.revoked": _l("Revoked an API token"),
    "two_factor.enabled": _l("Turned on two-factor authentication"),
    "two_factor.disabled": _l("Turned off two-factor authentication"),
    "two_factor.reset": _l("Reset a member's two-factor authentication"),
    "two_factor.recovery_code_used": _l("Logged in with a two-factor recovery code"),
    "owner.assigned": _l("Changed the staff member responsible"),
    "task.snoozed": _l("Snoozed a task"),
    "note.added": _l("Wrote a case note"),
    "note.edited": _l("Edited a case note"),
    "attachment.added": _l("Added a file to a case file"),
    "attachment.downloaded": _l("Downloaded a file of a case file"),
    "attachment.deleted": _l("Deleted a file of a case file"),
    "meeting.scheduled": _l("Scheduled the next meeting of a process"),
    "reminders.stopped": _l("Stopped the meeting reminders of a process"),
    "reminders.resumed": _l("Turned the meeting reminders of a process back on"),
    "meeting.confirmed": _l("Confirmed in the portal that a logged meeting took place"),
    "meeting.disputed": _l("Disputed a logged meeting in the portal"),
}


class AuditEvent(TenantScoped, db.Model):
    """Append-only: the runtime database role may insert and read, never update or delete."""

    __tablename__ = "audit_events"
    __tenant_table_args__ = (
        sa.Index("ix_audit_events_tenant_occurred", "tenant_id", "occurred_at"),
        # A record's history (a mentee's detail page) reads by record.
        sa.Index("ix_audit_events_tenant_record", "tenant_id", "record_type", "record_id"),
    )

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
