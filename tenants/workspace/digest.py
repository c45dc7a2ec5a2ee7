"""The daily digest for partner staff: what waits for them in their workspace today.

For now, the invitations nobody has accepted yet and the e-mails that could not be sent;
the mentoring processes' reminders join it when processes exist. One message per person
per day (its dedupe key), and none when there is nothing to report.
"""
import logging
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from network.accounts.models import Membership, User
from network.accounts.services import pending_invitations
from network.extensions import db
from network.jobs import enqueue
from network.mail import send_email
from network.mail.models import OutboxMessage
from network.mail.outbox import in_scope
from tenants.tenancy import current_tenant_id
from tenants.tenancy.models import Tenant

log = logging.getLogger(__name__)

DIGEST_ROLES = ("partner_admin", "staff")


def send_daily_digests(scheduled_for):
    """The periodic job: one digest job per active partner workspace, run in its tenant."""
    day = scheduled_for.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    tenant_ids = db.session.scalars(
        sa.select(Tenant.id).where(Tenant.active.is_(True), Tenant.kind != "coordination").order_by(Tenant.id)
    ).all()
    for tenant_id in tenant_ids:
        enqueue(send_workspace_digest, day.isoformat(), queue="mail", tenant_id=tenant_id)


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
    if not invitations and not failed_messages:
        return 0
    sent = 0
    for user in _recipients(tenant):
        message = send_email(
            user.email,
            "workspace/email/daily_digest.txt",
            user.preferred_locale or tenant.default_locale,
            dedupe_key=f"digest:{tenant.id}:{user.id}:{day}",
            name=user.name,
            tenant=tenant.name,
            invitations=invitations,
            failed_messages=failed_messages,
        )
        sent += message is not None
    return sent


def _recipients(tenant):
    return db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant.id, Membership.active.is_(True), Membership.role.in_(DIGEST_ROLES),
               User.active.is_(True))
        .distinct()
        .order_by(User.id)
    ).all()
