"""Reminders of the mentoring processes, sent by a daily job to the mentor and the mentee
in each one's language: a follow-up falling due today, and a meeting that has just become
overdue against the agreed frequency. One e-mail per person, process and day (dedupe key)."""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from network.core.extensions import db
from network.core.jobs.periodic import for_each_partner_workspace
from network.core.mail import send_email
from network.core.tenancy import current_tenant_id
from network.core.tenancy.models import Tenant
from tenants.participants.services import mail_locale
from tenants.processes.models import MentoringProcess

REMINDERS = {
    # kind: (template, which processes on `day`)
    "follow_up_due": ("processes/email/follow_up_due.txt", lambda day: MentoringProcess.next_follow_up_on == day),
    # The day after the meeting was due: one nudge, not one a day.
    "meeting_overdue": ("processes/email/meeting_overdue.txt",
                        lambda day: MentoringProcess.next_meeting_due_on == day - timedelta(days=1)),
}


def send_process_reminders(scheduled_for):
    """The periodic job: one reminder job per active partner workspace, run in its tenant."""
    for_each_partner_workspace(send_workspace_reminders, scheduled_for)


def due_reminders(day):
    """[(kind, process)] of the tenant in context for `day`."""
    due = []
    for kind, (_, selects) in REMINDERS.items():
        processes = db.session.scalars(
            sa.select(MentoringProcess).where(selects(day))
            .options(selectinload(MentoringProcess.mentor), selectinload(MentoringProcess.mentee))
            .order_by(MentoringProcess.id)
        ).all()
        due += [(kind, process) for process in processes]
    return due


def send_workspace_reminders(day):
    """Write the reminders of the tenant in context for `day` (ISO date) to the outbox."""
    day = date.fromisoformat(day)
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or not tenant.active:
        return 0
    sent = 0
    for kind, process in due_reminders(day):
        for person, pair in ((process.mentor, process.mentee), (process.mentee, process.mentor)):
            if not person.email:
                continue
            message = send_email(
                person.email,
                REMINDERS[kind][0],
                mail_locale(person, tenant),
                dedupe_key=f"{kind}:{tenant.id}:{process.id}:{person.role}:{day.isoformat()}",
                name=person.full_name,
                pair=pair.full_name,
                tenant=tenant.name,
                due_on=process.next_follow_up_on if kind == "follow_up_due" else process.next_meeting_due_on,
            )
            sent += message is not None
    return sent
