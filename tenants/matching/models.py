from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow

CRITERIA = {
    "support_areas": _l("Support areas"),
    "languages": _l("Languages"),
    "location": _l("Municipality"),
    "availability": _l("Availability"),
    "load": _l("Current load"),
    "preferences": _l("Stated preferences"),
}
DEFAULT_WEIGHTS = {
    "support_areas": 40,
    "languages": 20,
    "location": 15,
    "availability": 10,
    "load": 10,
    "preferences": 5,
}
DEFAULT_MAX_MENTEES_PER_MENTOR = 2


class MatchingSettings(Versioned, TenantScoped, db.Model):
    """A partner's own weights for the matching criteria (absent: the defaults)."""

    __tablename__ = "matching_settings"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_support_areas: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["support_areas"])
    weight_languages: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["languages"])
    weight_location: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["location"])
    weight_availability: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["availability"])
    weight_load: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["load"])
    weight_preferences: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["preferences"])
    max_mentees_per_mentor: Mapped[int] = mapped_column(default=DEFAULT_MAX_MENTEES_PER_MENTOR)
    # Waiting mentees choose among suggested mentors in the portal; staff confirm the choice.
    mentee_choice: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def weights(self):
        return {criterion: getattr(self, f"weight_{criterion}") for criterion in CRITERIA}


PROPOSAL_MODES = {
    "fair": _l("Fairest: everyone who can be matched, the worst match as good as possible, then the best total"),
    "total": _l("Best total score"),
}
PROPOSAL_STATUSES = {"pending": _l("Waiting"), "running": _l("Computing"), "done": _l("Ready"),
                     "failed": _l("Failed")}


# A job's record marked so when the queue could not take its job (`error`, not shown as such).
QUEUE_UNREACHABLE = "the job queue was unreachable"


class ComputedByJob:
    """A record a job computes, whose page follows `status` and `progress`."""

    @property
    def status_label(self):
        return PROPOSAL_STATUSES[self.status]

    @property
    def in_progress(self):
        return self.status in ("pending", "running")

    @property
    def unqueued(self):
        """Never started: the job queue could not take its job (the record is kept)."""
        return self.status == "failed" and self.error == QUEUE_UNREACHABLE


class MatchingProposal(ComputedByJob, TenantScoped, db.Model):
    """A batch matching of the waiting list: proposed pairs that staff pin, exclude, re-run and
    confirm. A job computes `result` (ids and scores only: the names are read when shown)."""

    __tablename__ = "matching_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    mode: Mapped[str] = mapped_column(choice_type(PROPOSAL_MODES, "proposal_mode", 8), default="fair")
    status: Mapped[str] = mapped_column(choice_type(PROPOSAL_STATUSES, "proposal_status", 16), default="pending")
    progress: Mapped[int] = mapped_column(default=0)  # percent
    pins: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[mentee id, mentor id]]
    exclusions: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[mentee id, mentor id]]
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    confirmed: Mapped[list] = mapped_column(sa.JSON, default=list)  # mentee ids confirmed from it
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def mode_label(self):
        return PROPOSAL_MODES[self.mode]


class WhyNotQuestion(ComputedByJob, TenantScoped, db.Model):
    """"Why not this mentor for this mentee?" asked of a proposal, answered by a job (the whole
    waiting list solved again with the pair made). Read only through its proposal. Ids, a rule's
    code and scores only, like the proposal's result: the names are read when shown."""

    __tablename__ = "why_not_questions"
    __tenant_table_args__ = (tenant_foreign_key("proposal_id", "matching_proposals", ondelete="CASCADE"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column()
    mentee_id: Mapped[int] = mapped_column()
    mentor_id: Mapped[int] = mapped_column()
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(choice_type(PROPOSAL_STATUSES, "why_not_status", 16), default="pending")
    progress: Mapped[int] = mapped_column(default=0)  # percent
    # {"rule": [code, number]} or {"forced": {...}} (`proposals.forced_answer`)
    answer: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MenteeChoice(TenantScoped, db.Model):
    """A waiting mentee's choice among the mentors suggested in the portal: the mentors they
    asked to replace, and the one they chose, for staff to confirm. Ids only."""

    __tablename__ = "mentee_choices"
    __tenant_table_args__ = (
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        tenant_foreign_key("chosen_mentor_id", "mentors", ondelete="SET NULL"),
        sa.UniqueConstraint("tenant_id", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column()
    declined: Mapped[list] = mapped_column(sa.JSON, default=list)  # mentor ids the mentee asked to replace
    chosen_mentor_id: Mapped[int | None] = mapped_column()
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
