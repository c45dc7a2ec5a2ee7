"""A mentoring process: one mentor and one mentee of a partner, from the match to the
final evaluation. Every table here is tenant-owned."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow
from tenants.participants.models import PARTICIPANT_ROLES, Mentee, Mentor

PROCESS_STATES = {
    "matched": _l("Matched"),
    "agreement_signed": _l("Agreement signed"),
    "active": _l("Active"),
    "in_evaluation": _l("In final evaluation"),
    "closed": _l("Closed"),
    "cancelled": _l("Cancelled"),
}
OPEN_STATES = ("matched", "agreement_signed", "active", "in_evaluation")
# States in which the pair meets and meetings are logged.
MEETING_STATES = ("agreement_signed", "active", "in_evaluation")

CADENCES = {"monthly": _l("Monthly"), "bimonthly": _l("Every two months"), "quarterly": _l("Quarterly")}
CADENCE_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3}

OUTCOMES = {
    "goals_met": _l("Goals met"),
    "partly_met": _l("Goals partly met"),
    "not_met": _l("Goals not met"),
    "redefined": _l("Goals redefined in a new process"),
}
NEXT_STEPS = {
    "end": _l("The mentee leaves the programme"),
    "new_process": _l("The mentee is matched again with a new mentor"),
    "redefine": _l("The same pair continues with the unmet goals (redefined)"),
}

GOAL_KINDS = {"wish": _l("Wish"), "dream": _l("Dream"), "need": _l("Need"), "challenge": _l("Challenge")}
MEETING_FREQUENCIES = {"weekly": _l("Weekly"), "fortnightly": _l("Every two weeks"), "monthly": _l("Monthly")}
MEETING_FREQUENCY_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 31}
MEETING_MODES = {"in_person": _l("In person"), "online": _l("Online"), "phone": _l("By phone")}
AGREEMENT_MODES = {**MEETING_MODES, "mixed": _l("Mixed")}
LOGGED_AS = {"staff": _l("Staff member"), "mentor": _l("Mentor"), "mentee": _l("Mentee")}
SIDES = PARTICIPANT_ROLES  # the two sides of a process are the two participant roles
# A side's answer about a logged meeting: it took place as logged, or it did not.
MEETING_ANSWERS = {"confirmed": _l("Confirmed"), "disputed": _l("Disputed")}

GOAL_PROGRESS = {
    0: _l("Not started"),
    1: _l("Started"),
    2: _l("Halfway"),
    3: _l("Nearly reached"),
    4: _l("Reached"),
}
GOAL_OUTCOMES = {"met": _l("Met"), "partly": _l("Partly met"), "not_met": _l("Not met")}
CHANGES = {
    "employment_found": _l("Found employment"),
    "course_enrolled": _l("Enrolled in a course or training"),
    "language_level_up": _l("Improved their Portuguese"),
    "housing_found": _l("Found housing"),
    "documents_regularised": _l("Regularised their documents"),
    "business_started": _l("Started a business"),
    "services_accessed": _l("Now uses health, social or public services"),
    "network_grown": _l("Grew their personal and professional network"),
}
# The same changes as a mentee answers them about themselves, in the portal.
CHANGES_OWN = {
    "employment_found": _l("I found employment"),
    "course_enrolled": _l("I enrolled in a course or training"),
    "language_level_up": _l("I improved my Portuguese"),
    "housing_found": _l("I found housing"),
    "documents_regularised": _l("I regularised my documents"),
    "business_started": _l("I started a business"),
    "services_accessed": _l("I now use health, social or public services"),
    "network_grown": _l("I grew my personal and professional network"),
}

EVENT_KINDS = {
    "created": _l("Matched"),
    "state_changed": _l("State changed"),
    "agreement_saved": _l("Agreement drafted"),
    "agreement_accepted": _l("Agreement accepted"),
    "meeting_logged": _l("Meeting logged"),
    "follow_up_recorded": _l("Follow-up recorded"),
    "evaluation_submitted": _l("Final evaluation submitted"),
}


def _process_fk():
    return tenant_foreign_key("process_id", "mentoring_processes", ondelete="CASCADE")


_OPEN_STATE_SQL = "state IN ('matched', 'agreement_signed', 'active', 'in_evaluation')"


class MentoringProcess(Versioned, TenantScoped, db.Model):
    __tablename__ = "mentoring_processes"
    __tenant_table_args__ = (
        tenant_foreign_key("mentor_id", "mentors", ondelete="RESTRICT"),
        tenant_foreign_key("mentee_id", "mentees", ondelete="RESTRICT"),
        tenant_foreign_key("redefined_from_id", "mentoring_processes", ondelete="SET NULL"),
        sa.Index("ix_mentoring_processes_tenant_state", "tenant_id", "state", "id"),
        # The list's order (newest match first): a page reads its 25 rows, not the whole tenant.
        sa.Index("ix_mentoring_processes_tenant_matched", "tenant_id", "matched_on", "id"),
        sa.Index("ix_mentoring_processes_tenant_mentor", "tenant_id", "mentor_id"),
        sa.Index("ix_mentoring_processes_tenant_mentee", "tenant_id", "mentee_id"),
        sa.Index("ix_mentoring_processes_tenant_follow_up", "tenant_id", "next_follow_up_on"),
        sa.Index("ix_mentoring_processes_tenant_meeting_due", "tenant_id", "next_meeting_due_on"),
        # "My caseload".
        sa.Index("ix_mentoring_processes_tenant_owner", "tenant_id", "owner_id"),
        # One open process per pair at a time.
        sa.Index(
            "uq_mentoring_processes_open_pair", "tenant_id", "mentor_id", "mentee_id", unique=True,
            postgresql_where=sa.text(_OPEN_STATE_SQL),
        ),
        # One open process per mentee: of two staff matching one waiting mentee at once, the
        # database refuses the second (its message: CLASHES in tenants.processes.services).
        sa.Index(
            "uq_mentoring_processes_open_mentee", "tenant_id", "mentee_id", unique=True,
            postgresql_where=sa.text(_OPEN_STATE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column()
    mentee_id: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(choice_type(PROCESS_STATES, "process_state", 24), default="matched")
    cadence: Mapped[str] = mapped_column(choice_type(CADENCES, "follow_up_cadence", 16), default="monthly")
    matched_on: Mapped[date]
    activated_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    # Kept by the services (never edited directly) so the lists can filter in SQL:
    next_follow_up_on: Mapped[date | None]
    next_meeting_due_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(choice_type(OUTCOMES, "process_outcome", 24))
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    redefined_from_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The partner's staff member responsible for the process (their caseload).
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The next meeting the pair agreed (tenants/processes/scheduling.py): sent as a calendar
    # invitation whose UID stays the same when it is moved (SEQUENCE counts the changes).
    next_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_meeting_place: Mapped[str | None] = mapped_column(sa.String(200))
    next_meeting_uid: Mapped[str | None] = mapped_column(sa.String(100))
    next_meeting_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # A side that asked for no more meeting reminders (portal setting or the e-mail's link).
    mentor_reminders_off: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    mentee_reminders_off: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], viewonly=True)
    mentor: Mapped[Mentor] = relationship(foreign_keys=[mentor_id], overlaps="mentee,redefined_from")
    mentee: Mapped[Mentee] = relationship(foreign_keys=[mentee_id], overlaps="mentor,redefined_from")
    redefined_from: Mapped["MentoringProcess | None"] = relationship(
        foreign_keys=[redefined_from_id], remote_side="MentoringProcess.id", overlaps="mentor,mentee"
    )
    agreements: Mapped[list["Agreement"]] = relationship(
        back_populates="process", order_by="Agreement.version.desc()", cascade="all, delete-orphan"
    )
    meetings: Mapped[list["Meeting"]] = relationship(
        back_populates="process", order_by="(Meeting.held_on.desc(), Meeting.id.desc())", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="process", order_by="FollowUp.sequence", cascade="all, delete-orphan"
    )
    evaluations: Mapped[list["Evaluation"]] = relationship(back_populates="process", cascade="all, delete-orphan")
    events: Mapped[list["ProcessEvent"]] = relationship(
        back_populates="process", order_by="(ProcessEvent.occurred_at, ProcessEvent.id)", cascade="all, delete-orphan"
    )

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def state_label(self):
        return PROCESS_STATES[self.state]

    @property
    def cadence_label(self):
        return CADENCES[self.cadence]

    @property
    def outcome_label(self):
        return OUTCOMES.get(self.outcome, "")

    @property
    def agreement(self):
        """The current (latest) version of the agreement, or None before the first draft."""
        return self.agreements[0] if self.agreements else None

    def evaluation_by(self, side):
        return next((evaluation for evaluation in self.evaluations if evaluation.side == side), None)


AGREEMENT_SIGNED_EVENT = "to_state = 'agreement_signed'"


class ProcessEvent(TenantScoped, db.Model):
    """The process timeline: every change, with who and when. State changes carry
    their from/to states; national roll-ups are computed from these events."""

    __tablename__ = "process_events"
    __tenant_table_args__ = (
        _process_fk(),
        sa.Index("ix_process_events_tenant_process", "tenant_id", "process_id"),
        # The roll-ups count signed agreements (a few of the many events) by month.
        sa.Index("ix_process_events_agreement_signed", "tenant_id", "occurred_at", "process_id",
                 postgresql_where=sa.text(AGREEMENT_SIGNED_EVENT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(choice_type(EVENT_KINDS, "process_event_kind", 24))
    from_state: Mapped[str | None] = mapped_column(sa.String(24))
    to_state: Mapped[str | None] = mapped_column(sa.String(24))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    process: Mapped[MentoringProcess] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()

    @property
    def kind_label(self):
        return EVENT_KINDS[self.kind]


class Agreement(Versioned, TenantScoped, db.Model):
    """One version of the commitment. Versions are never edited once saved: a change is a
    new version, which both sides accept again."""

    __tablename__ = "agreements"
    __tenant_table_args__ = (_process_fk(), sa.UniqueConstraint("tenant_id", "process_id", "version"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    version: Mapped[int]
    meeting_frequency: Mapped[str] = mapped_column(choice_type(MEETING_FREQUENCIES, "meeting_frequency", 16))
    mode: Mapped[str] = mapped_column(choice_type(AGREEMENT_MODES, "agreement_mode", 16))
    place: Mapped[str | None] = mapped_column(sa.String(200))
    mentor_duties: Mapped[str] = mapped_column(sa.String(2000))
    mentee_duties: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    mentor_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mentor_accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    mentee_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mentee_accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[MentoringProcess] = relationship(back_populates="agreements")
    goals: Mapped[list["AgreementGoal"]] = relationship(
        back_populates="agreement", order_by="AgreementGoal.position", cascade="all, delete-orphan"
    )

    @property
    def accepted_by_both(self):
        return self.mentor_accepted_at is not None and self.mentee_accepted_at is not None

    def accepted_at(self, side):
        return getattr(self, f"{side}_accepted_at")

    @property
    def meeting_frequency_label(self):
        return MEETING_FREQUENCIES[self.meeting_frequency]

    @property
    def mode_label(self):
        return AGREEMENT_MODES[self.mode]


class AgreementGoal(TenantScoped, db.Model):
    __tablename__ = "agreement_goals"
    __tenant_table_args__ = (
        tenant_foreign_key("agreement_id", "agreements", ondelete="CASCADE"),
        # The process page loads the goals of its agreements (without it: every goal of the tenant).
        sa.Index("ix_agreement_goals_tenant_agreement", "tenant_id", "agreement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column()
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(choice_type(GOAL_KINDS, "goal_kind", 16))
    text: Mapped[str] = mapped_column(sa.String(500))
    target_date: Mapped[date | None]

    agreement: Mapped[Agreement] = relationship(back_populates="goals")

    @property
    def kind_label(self):
        return GOAL_KINDS[self.kind]


class Meeting(TenantScoped, db.Model):
    __tablename__ = "meetings"
    __tenant_table_args__ = (
        _process_fk(), sa.Index("ix_meetings_tenant_process_held", "tenant_id", "process_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    held_on: Mapped[date]
    duration_minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(choice_type(MEETING_MODES, "meeting_mode", 16))
    topics: Mapped[list] = mapped_column(sa.JSON, default=list)  # support area codes
    notes: Mapped[str | None] = mapped_column(sa.String(4000))
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    logged_as: Mapped[str] = mapped_column(choice_type(LOGGED_AS, "meeting_logged_as", 8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    process: Mapped[MentoringProcess] = relationship(back_populates="meetings")
    logged_by: Mapped[User | None] = relationship()
    confirmations: Mapped[list["MeetingConfirmation"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def mode_label(self):
        return MEETING_MODES[self.mode]

    @property
    def logged_as_label(self):
        return LOGGED_AS[self.logged_as]

    def confirmation_by(self, side):
        return next((confirmation for confirmation in self.confirmations if confirmation.side == side), None)

    @property
    def is_verified(self):
        """Its hours count as verified volunteer hours: the mentor and the mentee both confirmed it."""
        return {confirmation.side for confirmation in self.confirmations if confirmation.answer == "confirmed"} \
            == set(SIDES)


class MeetingConfirmation(TenantScoped, db.Model):
    """One side's answer, from the portal, about a meeting logged in its process: it took place
    as logged (confirmed) or not (disputed, with an optional short reason). A side may change
    its answer; a meeting's hours are verified when both sides confirmed (`verified_meeting`)."""

    __tablename__ = "meeting_confirmations"
    __tenant_table_args__ = (
        tenant_foreign_key("meeting_id", "meetings", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "meeting_id", "side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column()
    side: Mapped[str] = mapped_column(choice_type(SIDES, "meeting_confirmation_side", 8))
    answer: Mapped[str] = mapped_column(choice_type(MEETING_ANSWERS, "meeting_answer", 10))
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(back_populates="confirmations")

    @property
    def answer_label(self):
        return MEETING_ANSWERS[self.answer]


def verified_meeting(meetings=None):
    """SQL: the meeting (a row of `meetings`, default the table) was confirmed by both sides."""
    meetings = Meeting.__table__ if meetings is None else meetings
    confirmations = MeetingConfirmation.__table__
    confirmed = (sa.select(sa.func.count()).select_from(confirmations)
                 .where(confirmations.c.tenant_id == meetings.c.tenant_id,
                        confirmations.c.meeting_id == meetings.c.id, confirmations.c.answer == "confirmed")
                 .scalar_subquery())
    return confirmed == len(SIDES)


class FollowUp(TenantScoped, db.Model):
    """An intermediate evaluation, answering the follow-up due on `due_on`."""

    __tablename__ = "follow_ups"
    __tenant_table_args__ = (_process_fk(), sa.UniqueConstraint("tenant_id", "process_id", "sequence"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    sequence: Mapped[int]
    due_on: Mapped[date]
    held_on: Mapped[date]
    mentor_satisfaction: Mapped[int | None]
    mentee_satisfaction: Mapped[int | None]
    issues: Mapped[str | None] = mapped_column(sa.String(2000))
    actions: Mapped[str | None] = mapped_column(sa.String(2000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[MentoringProcess] = relationship(back_populates="follow_ups")
    progress: Mapped[list["GoalProgress"]] = relationship(
        back_populates="follow_up", cascade="all, delete-orphan", order_by="GoalProgress.id"
    )


class GoalProgress(TenantScoped, db.Model):
    __tablename__ = "goal_progress"
    __tenant_table_args__ = (
        tenant_foreign_key("follow_up_id", "follow_ups", ondelete="CASCADE"),
        sa.Index("ix_goal_progress_tenant_follow_up", "tenant_id", "follow_up_id"),
        tenant_foreign_key("goal_id", "agreement_goals", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column()
    goal_id: Mapped[int] = mapped_column()
    progress: Mapped[int]

    follow_up: Mapped[FollowUp] = relationship(back_populates="progress", overlaps="goal")
    goal: Mapped[AgreementGoal] = relationship(overlaps="follow_up,progress")

    @property
    def progress_label(self):
        return GOAL_PROGRESS[self.progress]


class Evaluation(Versioned, TenantScoped, db.Model):
    """The final evaluation by one side (mentor or mentee)."""

    __tablename__ = "evaluations"
    __tenant_table_args__ = (_process_fk(), sa.UniqueConstraint("tenant_id", "process_id", "side"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    side: Mapped[str] = mapped_column(choice_type(SIDES, "evaluation_side", 8))
    satisfaction: Mapped[int]
    changes: Mapped[list] = mapped_column(sa.JSON, default=list)  # codes from CHANGES
    would_repeat: Mapped[bool]
    comments: Mapped[str | None] = mapped_column(sa.String(2000))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[MentoringProcess] = relationship(back_populates="evaluations")
    goal_outcomes: Mapped[list["GoalOutcome"]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="GoalOutcome.id"
    )

    @property
    def side_label(self):
        return SIDES[self.side]

    @property
    def change_labels(self):
        return [CHANGES[code] for code in self.changes if code in CHANGES]


class GoalOutcome(TenantScoped, db.Model):
    __tablename__ = "goal_outcomes"
    __tenant_table_args__ = (
        tenant_foreign_key("evaluation_id", "evaluations", ondelete="CASCADE"),
        sa.Index("ix_goal_outcomes_tenant_evaluation", "tenant_id", "evaluation_id"),
        tenant_foreign_key("goal_id", "agreement_goals", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column()
    goal_id: Mapped[int] = mapped_column()
    outcome: Mapped[str] = mapped_column(choice_type(GOAL_OUTCOMES, "goal_outcome", 8))

    evaluation: Mapped[Evaluation] = relationship(back_populates="goal_outcomes", overlaps="goal")
    goal: Mapped[AgreementGoal] = relationship(overlaps="evaluation,goal_outcomes")

    @property
    def outcome_label(self):
        return GOAL_OUTCOMES[self.outcome]
