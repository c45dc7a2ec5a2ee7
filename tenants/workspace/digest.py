"""The daily digest for partner staff: what waits for them in their workspace today.

The person's own tasks and the unassigned ones (tenants.casework), the follow-ups due this
week, the meetings overdue, the invitations nobody has accepted yet and the e-mails that could
not be sent. One message per person per day (its dedupe key), and none to a person with
nothing to report.
"""
import logging
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from network.core.accounts.models import Membership, User
from network.core.accounts.services import pending_invitations
from network.core.extensions import db
from network.core.jobs.periodic import for_each_partner_workspace
from network.core.mail import send_email
from network.core.mail.messages import in_scope
from network.core.mail.models import OutboxMessage
from network.core.tenancy import current_tenant_id
from network.core.tenancy.models import Tenant
from tenants.casework.services import tasks_by_owner
from tenants.processes.models import MentoringProcess

log = logging.getLogger(__name__)

DIGEST_ROLES = ("partner_admin", "staff")


def send_daily_digests(scheduled_for):
    """The periodic job: one digest job per active partner workspace, run in its tenant."""
    for_each_partner_workspace(send_workspace_digest, scheduled_for)


def send_workspace_digest(day):
    """The digest of the tenant in context for `day` (ISO date) to its admins and staff."""
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or not tenant.active:
        log.info("daily digest for tenant %s skipped: the workspace no longer exists or is inactive",
                 current_tenant_id())
        return 0
    invitations = [
        {"email": invitation.email, "role": invitation.role, "expires_at": invitation.expires_at}
        for invitation in pending_invitations()
    ]
    failed_messages = db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(in_scope(), OutboxMessage.status == "failed")
    )
    follow_ups, meetings_overdue = _process_work(date.fromisoformat(day))
    tasks = tasks_by_owner(date.fromisoformat(day))
    shared = bool(invitations or failed_messages or follow_ups or meetings_overdue or tasks.get(None))
    sent = 0
    for user in _recipients(tenant):
        if not (shared or tasks.get(user.id)):
            continue
        message = send_email(
            user.email,
            "workspace/email/daily_digest.txt",
            user.preferred_locale or tenant.default_locale,
            dedupe_key=f"digest:{tenant.id}:{user.id}:{day}",
            name=user.name,
            tenant=tenant.name,
            invitations=invitations,
            failed_messages=failed_messages,
            follow_ups=follow_ups,
            meetings_overdue=meetings_overdue,
            my_tasks=_listed(tasks.get(user.id, [])),
            unassigned_tasks=_listed(tasks.get(None, [])),
        )
        sent += message is not None
    return sent


def _process_work(day):
    """The follow-ups due this week (pair and date) and the number of meetings overdue."""
    follow_ups = [
        {"mentee": process.mentee.full_name, "mentor": process.mentor.full_name, "due_on": process.next_follow_up_on}
        for process in db.session.scalars(
            sa.select(MentoringProcess)
            .where(MentoringProcess.next_follow_up_on <= day + timedelta(days=6))
            .options(selectinload(MentoringProcess.mentor), selectinload(MentoringProcess.mentee))
            .order_by(MentoringProcess.next_follow_up_on, MentoringProcess.id)
        )
    ]
    meetings_overdue = db.session.scalar(
        sa.select(sa.func.count(MentoringProcess.id)).where(MentoringProcess.next_meeting_due_on < day)
    )
    return follow_ups, meetings_overdue


def _listed(tasks):
    """Tasks as the outbox stores a message's context (plain values; labels at rendering)."""
    return [{"kind": task.kind, "name": task.name, "due_on": task.due_on} for task in tasks]


def _recipients(tenant):
    return db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant.id, Membership.active.is_(True), Membership.role.in_(DIGEST_ROLES),
               User.active.is_(True))
        .distinct()
        .order_by(User.id)
    ).all()
