"""Outcome answers of a process (tenant-owned): the indicators at the start and at closing,
and each agreement goal's expected outcome and attainment score."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.submit import register_clashes
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow
from tenants.outcomes.measures import SIDES, STAGES, VERSIONS
from tenants.processes.models import AgreementGoal, MentoringProcess


class OutcomeAssessment(Versioned, TenantScoped, db.Model):
    """One side's answers at one stage, under the measures' version they answered."""

    __tablename__ = "outcome_assessments"
    __tenant_table_args__ = (
        tenant_foreign_key("process_id", "mentoring_processes", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "process_id", "side", "stage", name="uq_outcome_assessments_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    side: Mapped[str] = mapped_column(choice_type(SIDES, "outcome_side", 8))
    stage: Mapped[str] = mapped_column(choice_type(STAGES, "outcome_stage", 8))
    measures_version: Mapped[int]
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {indicator code: level code or number}
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[MentoringProcess] = relationship()

    @property
    def measures(self):
        return VERSIONS[self.measures_version]


class GoalAttainment(Versioned, TenantScoped, db.Model):
    """Goal Attainment Scaling of one agreement goal: the expected outcome (level 0), written
    at the agreement, and the score staff give at the final evaluation (-2..+2)."""

    __tablename__ = "goal_attainments"
    __tenant_table_args__ = (
        tenant_foreign_key("process_id", "mentoring_processes", ondelete="CASCADE"),
        tenant_foreign_key("goal_id", "agreement_goals", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "goal_id", name="uq_goal_attainments_goal"),
        sa.Index("ix_goal_attainments_tenant_process", "tenant_id", "process_id"),
        sa.CheckConstraint("score BETWEEN -2 AND 2", name="score_range"),
        sa.CheckConstraint("weight BETWEEN 1 AND 10", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column()
    goal_id: Mapped[int] = mapped_column()
    expected_outcome: Mapped[str] = mapped_column(sa.String(500))
    weight: Mapped[int] = mapped_column(default=1, server_default="1")
    score: Mapped[int | None]
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scored_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    goal: Mapped[AgreementGoal] = relationship(overlaps="process")
    process: Mapped[MentoringProcess] = relationship(overlaps="goal")


register_clashes({
    "uq_outcome_assessments_stage": _l("These answers were already recorded: reload the page."),
    "uq_goal_attainments_goal": _l("The expected outcomes were already saved: reload the page."),
})
