"""What the portal adds to a partner's records: which mentor or mentee an invitation is for,
and the participants' own answers to a follow-up. Both tables are tenant-owned."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import Invitation, User
from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow
from tenants.participants.models import Mentee, Mentor, ParticipantRecord, participant_record_args
from tenants.processes.models import GOAL_PROGRESS, SIDES, MentoringProcess


class ParticipantInvitation(ParticipantRecord, TenantScoped, db.Model):
    """An invitation into the portal names the mentor or mentee it is for: accepting it links
    the account to that record."""

    __tablename__ = "participant_invitations"
    __tenant_table_args__ = (
        *participant_record_args("participant_invitations"),
        tenant_foreign_key("invitation_id", "invitations", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "invitation_id"),
    )

    invitation_id: Mapped[int] = mapped_column()

    invitation: Mapped[Invitation] = relationship()
    mentor: Mapped[Mentor | None] = relationship(foreign_keys="ParticipantInvitation.mentor_id",
                                                 overlaps="invitation,mentee")
    mentee: Mapped[Mentee | None] = relationship(foreign_keys="ParticipantInvitation.mentee_id",
                                                 overlaps="invitation,mentor")

    @property
    def participant(self):
        return self.mentor or self.mentee


class FollowUpAnswer(Versioned, TenantScoped, db.Model):
    """One side's answer to a follow-up (the intermediate evaluation), given in the portal
    before staff record the follow-up itself; staff see it and their form starts from it."""

    __tablename__ = "follow_up_answers"
    __tenant_table_args__ = (
        tenant_foreign_key("process_id", "mentoring_processes", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "process_id", "sequence", "side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    sequence: Mapped[int]
    due_on: Mapped[date]
    side: Mapped[str] = mapped_column(
        choice_type(SIDES, "follow_up_answer_side", 8)
    )
    satisfaction: Mapped[int]
    # {goal id (as text): progress 0-4}, for the goals of the agreement when answered.
    progress: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(sa.String(2000))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[MentoringProcess] = relationship()
    submitted_by: Mapped[User | None] = relationship()

    @property
    def side_label(self):
        return SIDES[self.side]

    def progress_of(self, goal):
        value = self.progress.get(str(goal.id))
        return None if value is None else GOAL_PROGRESS[value]
