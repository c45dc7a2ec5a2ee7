"""A task put off until a date, with the reason: the only casework state that is stored (the
tasks themselves are computed from the processes and the people, so they cannot go stale)."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.timeutil import UTCDateTime, utcnow

# kind: (label, what the task's subject is)
TASK_KINDS = {
    "follow_up_due": (_l("Follow-up due"), "process"),
    "meeting_overdue": (_l("Meeting overdue"), "process"),
    "mentee_interview": (_l("Mentee to interview"), "mentee"),
    "mentor_interview": (_l("Mentor to interview"), "mentor"),
    "agreement_pending": (_l("Agreement awaiting acceptance"), "process"),
    "evaluation_missing": (_l("Final evaluation missing"), "process"),
}
TASK_SCOPES = {"mine": _l("Mine"), "unassigned": _l("Unassigned"), "all": _l("All")}


class TaskSnooze(TenantScoped, db.Model):
    """While `until` is in the future the task of this kind about this subject is hidden. One
    per task: snoozing again moves the date."""

    __tablename__ = "task_snoozes"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(choice_type(TASK_KINDS, "task_kind", 24))
    # A process, mentee or mentor id, as the kind says (no foreign key: three tables).
    subject_id: Mapped[int]
    until: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship()
