"""Case ownership and the task list, computed from the casework of the tenant in context.

Flask-free. A task is never stored: each kind is one query over the processes or the people
(with its subject's owner and names), so a task disappears the moment its cause is resolved
(a follow-up recorded, a meeting logged, an interview held, an agreement accepted, both final
evaluations in). Only snoozes are stored.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy.orm import aliased

from network.core.accounts.models import Membership, User
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.tenancy import current_tenant_id
from tenants.casework.models import TASK_KINDS, TaskSnooze
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import OPEN_STATES, Agreement, Evaluation, MentoringProcess, ProcessEvent

CASEWORKER_ROLES = ("partner_admin", "staff")
# A follow-up is on the list from a week before it is due; an applicant waits at most two
# weeks for the interview, an agreement one week for both acceptances, an evaluation two weeks.
FOLLOW_UP_NOTICE = timedelta(days=7)
INTERVIEW_WITHIN = timedelta(days=14)
ACCEPTANCE_WITHIN = timedelta(days=7)
EVALUATION_WITHIN = timedelta(days=14)
SUBJECT_MODELS = {"process": MentoringProcess, "mentee": Mentee, "mentor": Mentor}


# --- owners ------------------------------------------------------------------

def caseworkers(tenant_id=None):
    """The partner's active staff and administrators: the only people a case can be given to."""
    return db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == (tenant_id or current_tenant_id()), Membership.role.in_(CASEWORKER_ROLES),
               Membership.active.is_(True), User.active.is_(True))
        .distinct()
        .order_by(User.name, User.id)
    ).all()


def assign_owner(record, owner_id, actor):
    """Make `owner_id` (None: nobody) responsible for a mentee, mentor or process; audited."""
    if owner_id is not None and owner_id not in {user.id for user in caseworkers()}:
        raise ValidationError({"owner_id": [_l("Choose one of the partner's staff.")]})
    previous = record.owner_id
    if previous == owner_id:
        return False
    record.owner_id = owner_id
    record_event("owner.assigned", actor, record, changes={"owner_id": previous})
    return True


def owner_condition(column, scope, user_id):
    """The caseload filter of a list: "mine", "unassigned" or anything else for all."""
    if scope == "mine":
        return column == user_id
    if scope == "unassigned":
        return column.is_(None)
    return sa.true()


# --- tasks -------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    kind: str
    subject_id: int
    name: str  # the mentee, the mentor, or "mentee – mentor"
    due_on: date
    owner_id: int | None
    owner_name: str | None

    @property
    def label(self):
        return TASK_KINDS[self.kind][0]

    @property
    def subject(self):
        return TASK_KINDS[self.kind][1]

    def overdue(self, today):
        return self.due_on < today


def _not_snoozed(kind, subject_id, today):
    return ~sa.exists().where(TaskSnooze.kind == kind, TaskSnooze.subject_id == subject_id, TaskSnooze.until > today)


def _process_tasks(kind, due_on, *conditions, today):
    """One statement: the processes of one kind of task, with the pair's names and the owner."""
    mentor, mentee = aliased(Mentor), aliased(Mentee)
    rows = db.session.execute(
        sa.select(MentoringProcess.id, due_on.label("due_on"), MentoringProcess.owner_id, User.name.label("owner"),
                  mentee.full_name.label("mentee"), mentor.full_name.label("mentor"))
        .join(mentee, sa.and_(mentee.tenant_id == MentoringProcess.tenant_id, mentee.id == MentoringProcess.mentee_id))
        .join(mentor, sa.and_(mentor.tenant_id == MentoringProcess.tenant_id, mentor.id == MentoringProcess.mentor_id))
        .outerjoin(User, User.id == MentoringProcess.owner_id)
        .where(*conditions, _not_snoozed(kind, MentoringProcess.id, today))
    ).all()
    return [Task(kind, row.id, f"{row.mentee} – {row.mentor}", _as_date(row.due_on) or today, row.owner_id,
                 row.owner) for row in rows]


def _interview_tasks(kind, model, today):
    rows = db.session.execute(
        sa.select(model.id, model.full_name, model.created_at, model.owner_id, User.name.label("owner"))
        .outerjoin(User, User.id == model.owner_id)
        .where(model.status == "applicant", _not_snoozed(kind, model.id, today))
    ).all()
    return [Task(kind, row.id, row.full_name, row.created_at.date() + INTERVIEW_WITHIN, row.owner_id, row.owner)
            for row in rows]


def _as_date(value):
    """A timestamp's day (the evaluation's start), a date as it is."""
    return value.date() if isinstance(value, datetime) else value


def _latest_agreement():
    latest = sa.select(sa.func.max(Agreement.version)).where(
        Agreement.tenant_id == MentoringProcess.tenant_id, Agreement.process_id == MentoringProcess.id
    ).correlate(MentoringProcess).scalar_subquery()
    return sa.and_(Agreement.tenant_id == MentoringProcess.tenant_id, Agreement.process_id == MentoringProcess.id,
                   Agreement.version == latest)


def _agreement_tasks(today):
    kind = "agreement_pending"
    mentor, mentee = aliased(Mentor), aliased(Mentee)
    rows = db.session.execute(
        sa.select(MentoringProcess.id, Agreement.created_at, MentoringProcess.owner_id, User.name.label("owner"),
                  mentee.full_name.label("mentee"), mentor.full_name.label("mentor"))
        .join(Agreement, _latest_agreement())
        .join(mentee, sa.and_(mentee.tenant_id == MentoringProcess.tenant_id, mentee.id == MentoringProcess.mentee_id))
        .join(mentor, sa.and_(mentor.tenant_id == MentoringProcess.tenant_id, mentor.id == MentoringProcess.mentor_id))
        .outerjoin(User, User.id == MentoringProcess.owner_id)
        .where(MentoringProcess.state.in_(OPEN_STATES),
               sa.or_(Agreement.mentor_accepted_at.is_(None), Agreement.mentee_accepted_at.is_(None)),
               _not_snoozed(kind, MentoringProcess.id, today))
    ).all()
    return [Task(kind, row.id, f"{row.mentee} – {row.mentor}", row.created_at.date() + ACCEPTANCE_WITHIN,
                 row.owner_id, row.owner) for row in rows]


def _evaluation_tasks(today):
    submitted = sa.select(sa.func.count(Evaluation.id)).where(
        Evaluation.tenant_id == MentoringProcess.tenant_id, Evaluation.process_id == MentoringProcess.id
    ).correlate(MentoringProcess).scalar_subquery()
    entered = sa.select(sa.func.max(ProcessEvent.occurred_at)).where(
        ProcessEvent.tenant_id == MentoringProcess.tenant_id, ProcessEvent.process_id == MentoringProcess.id,
        ProcessEvent.to_state == "in_evaluation",
    ).correlate(MentoringProcess).scalar_subquery()
    tasks = _process_tasks("evaluation_missing", entered, MentoringProcess.state == "in_evaluation", submitted < 2,
                           today=today)
    return [_shifted(task, EVALUATION_WITHIN) for task in tasks]


def _shifted(task, delta):
    return Task(task.kind, task.subject_id, task.name, task.due_on + delta, task.owner_id, task.owner_name)


def tasks(today=None, scope="all", user_id=None):
    """Every open task of the tenant in context, soonest due first: one statement per kind.
    `scope` "mine" keeps `user_id`'s, "unassigned" those nobody owns."""
    today = today or date.today()
    found = [
        *_process_tasks("follow_up_due", MentoringProcess.next_follow_up_on,
                        MentoringProcess.next_follow_up_on <= today + FOLLOW_UP_NOTICE,
                        # Follow-ups are recorded while active (the date stays set afterwards).
                        MentoringProcess.state == "active", today=today),
        *_process_tasks("meeting_overdue", MentoringProcess.next_meeting_due_on,
                        MentoringProcess.next_meeting_due_on < today, today=today),
        *_interview_tasks("mentee_interview", Mentee, today),
        *_interview_tasks("mentor_interview", Mentor, today),
        *_agreement_tasks(today),
        *_evaluation_tasks(today),
    ]
    if scope == "mine":
        found = [task for task in found if task.owner_id == user_id]
    elif scope == "unassigned":
        found = [task for task in found if task.owner_id is None]
    return sorted(found, key=lambda task: (task.due_on, task.kind, task.subject_id))


def tasks_by_owner(today=None):
    """{owner id or None: [task]} of the tenant in context (the daily digest)."""
    grouped = {}
    for task in tasks(today):
        grouped.setdefault(task.owner_id, []).append(task)
    return grouped


def task_subject(kind, subject_id):
    """The process, mentee or mentor a task of `kind` is about, if the tenant has it."""
    return db.session.get(SUBJECT_MODELS[TASK_KINDS[kind][1]], subject_id) if kind in TASK_KINDS else None


def snooze_task(kind, subject_id, until, reason, actor, today=None):
    """Hide a task until `until`, with the reason; audited. The subject must be the tenant's."""
    today = today or date.today()
    if task_subject(kind, subject_id) is None:
        raise LookupError(kind)
    if until <= today:
        raise ValidationError({"until": [_l("Choose a date after today.")]})
    snooze = db.session.scalar(
        sa.select(TaskSnooze).where(TaskSnooze.kind == kind, TaskSnooze.subject_id == subject_id)
    )
    if snooze is None:
        snooze = TaskSnooze(kind=kind, subject_id=subject_id)
        db.session.add(snooze)
    snooze.until, snooze.reason, snooze.created_by_id = until, reason, actor.id if actor else None
    db.session.flush()
    record_event("task.snoozed", actor, snooze, changes={"kind": kind, "subject_id": subject_id,
                                                        "until": until.isoformat()})
    return snooze
