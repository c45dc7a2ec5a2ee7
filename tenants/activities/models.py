"""Activities of one partner (tenant-owned), activities of the whole network (network-level,
run by the coordination team), and invitations with attendance (tenant-owned: a partner
invites its own mentors and mentees, to its own activities or to the network's)."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.reference.models import Company
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow
from tenants.participants.models import Mentee, Mentor

ACTIVITY_KINDS = {
    "training_mentors": _l("Initial training for mentors"),
    "training_mentees": _l("Initial training for mentees"),
    "workshop": _l("Workshop (talent exchange)"),
    "presentation_session": _l("Presentation session"),
    "company_presentation": _l("Company presentation"),
    "seminar": _l("Seminar"),
    "annual_meeting": _l("Annual meeting"),
}
# Attending one of these completes the initial training of a participant of that role.
TRAINING_FOR_ROLE = {"training_mentors": "mentor", "training_mentees": "mentee"}
AUDIENCES = {
    "mentors": _l("Mentors"),
    "mentees": _l("Mentees"),
    "participants": _l("Mentors and mentees"),
    "partners": _l("Partner teams"),
    "companies": _l("Companies and their employees"),
    "public": _l("General public"),
}
# Who may be invited to an activity meant for each audience (through a partner).
INVITABLE_ROLES = {
    "mentors": ("mentor",),
    "mentees": ("mentee",),
    "participants": ("mentor", "mentee"),
    "partners": ("mentor", "mentee"),
    "companies": ("mentor",),
    "public": ("mentor", "mentee"),
}
ATTENDANCE = {"attended": _l("Attended"), "absent": _l("Did not attend")}


class ActivityDetails:
    """What every activity records, at either level."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200))
    facilitator_name: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kind_label(self):
        return ACTIVITY_KINDS[self.kind]

    @property
    def choice_label(self):
        return f"{format_date(self.held_on)} · {self.title}"

    @property
    def audience_label(self):
        return AUDIENCES[self.audience]

    @property
    def trains_role(self):
        return TRAINING_FOR_ROLE.get(self.kind)

    @property
    def invitable_roles(self):
        trained = self.trains_role
        return (trained,) if trained else INVITABLE_ROLES[self.audience]


class Activity(ActivityDetails, Versioned, TenantScoped, db.Model):
    """An activity a partner runs for its own participants."""

    __tablename__ = "activities"
    __tenant_table_args__ = (
        tenant_foreign_key("facilitator_mentor_id", "mentors"),
        tenant_foreign_key("facilitator_mentee_id", "mentees"),
        sa.CheckConstraint("facilitator_mentor_id IS NULL OR facilitator_mentee_id IS NULL",
                           name="one_facilitating_participant"),
        sa.Index("ix_activities_tenant_held_on", "tenant_id", "held_on"),
    )
    level = "tenant"

    kind: Mapped[str] = mapped_column(choice_type(ACTIVITY_KINDS, "activity_kind", 24))
    audience: Mapped[str] = mapped_column(choice_type(AUDIENCES, "activity_audience", 16))
    # A workshop (talent exchange) is led by one of the partner's participants.
    facilitator_mentor_id: Mapped[int | None] = mapped_column()
    facilitator_mentee_id: Mapped[int | None] = mapped_column()
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    facilitator_mentor: Mapped[Mentor | None] = relationship(foreign_keys=[facilitator_mentor_id],
                                                             overlaps="facilitator_mentee")
    facilitator_mentee: Mapped[Mentee | None] = relationship(foreign_keys=[facilitator_mentee_id],
                                                             overlaps="facilitator_mentor")
    company: Mapped[Company | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def facilitator(self):
        participant = self.facilitator_mentor or self.facilitator_mentee
        return participant.full_name if participant else self.facilitator_name


class NetworkActivity(ActivityDetails, Versioned, db.Model):
    """Network-level: an activity of the coordination team (a seminar, the annual meeting, a
    network training). Every partner sees it and invites its own participants."""

    __tablename__ = "network_activities"
    __table_args__ = (sa.Index("ix_network_activities_held_on", "held_on"),)
    level = "network"

    kind: Mapped[str] = mapped_column(choice_type(ACTIVITY_KINDS, "network_activity_kind", 24))
    audience: Mapped[str] = mapped_column(choice_type(AUDIENCES, "network_activity_audience", 16))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    company: Mapped[Company | None] = relationship()

    @property
    def facilitator(self):
        return self.facilitator_name


class ActivityInvitation(TenantScoped, db.Model):
    """One of the partner's participants invited to an activity (the partner's own or the
    network's); `attended` stays empty until the attendance is recorded."""

    __tablename__ = "activity_invitations"
    __tenant_table_args__ = (
        tenant_foreign_key("activity_id", "activities", ondelete="CASCADE"),
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.CheckConstraint("(activity_id IS NULL) <> (network_activity_id IS NULL)", name="one_activity"),
        sa.CheckConstraint("(mentor_id IS NULL) <> (mentee_id IS NULL)", name="one_participant"),
        sa.UniqueConstraint("tenant_id", "activity_id", "mentor_id"),
        sa.UniqueConstraint("tenant_id", "activity_id", "mentee_id"),
        sa.UniqueConstraint("tenant_id", "network_activity_id", "mentor_id"),
        sa.UniqueConstraint("tenant_id", "network_activity_id", "mentee_id"),
        sa.Index("ix_activity_invitations_tenant_mentor", "tenant_id", "mentor_id"),
        sa.Index("ix_activity_invitations_tenant_mentee", "tenant_id", "mentee_id"),
        sa.Index("ix_activity_invitations_network_activity", "network_activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int | None] = mapped_column()
    network_activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("network_activities.id", ondelete="CASCADE"))
    mentor_id: Mapped[int | None] = mapped_column()
    mentee_id: Mapped[int | None] = mapped_column()
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    attended: Mapped[bool | None]
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    mentor: Mapped[Mentor | None] = relationship(foreign_keys=[mentor_id], overlaps="mentee,activity")
    mentee: Mapped[Mentee | None] = relationship(foreign_keys=[mentee_id], overlaps="mentor,activity")
    activity: Mapped[Activity | None] = relationship(foreign_keys=[activity_id], overlaps="mentor,mentee")
    network_activity: Mapped[NetworkActivity | None] = relationship()

    @property
    def participant(self):
        return self.mentor or self.mentee

    @property
    def attendance_label(self):
        if self.attended is None:
            return _l("Not recorded")
        return ATTENDANCE["attended" if self.attended else "absent"]
