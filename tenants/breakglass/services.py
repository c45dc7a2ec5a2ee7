"""Break-the-glass, the rules: who may ask, for how long, what is recorded.

A coordinator names one case (partner, mentor or mentee, record id) and gives the reason (a
safeguarding incident). The grant is written in the partner's workspace and audit log, and its
administrators get an e-mail at once (the outbox, in the same transaction). Every page the
coordinator reads through the grant is audited in both logs. The grant ends by itself: each
request compares `expires_at` with the clock, no job is needed. The clock is
`current_app.extensions["clock"]` when set (tests move it), else the time now.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from network.core.accounts.models import Membership, User
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.mail import send_email
from network.core.submit import Refused
from network.core.tenancy import current_tenant_id, national_rollup_bypass, tenant_context
from network.core.tenancy.models import Tenant, active_partner_criteria
from network.core.timeutil import utcnow
from tenants.breakglass.models import BreakGlassGrant
from tenants.participants.services import get_participant

MAIL_TEMPLATE = "breakglass/email/requested.txt"


def enabled():
    return bool(current_app.config.get("BREAK_THE_GLASS_ENABLED"))


def now():
    return current_app.extensions.get("clock", utcnow)()


def hours():
    return current_app.config["BREAK_THE_GLASS_HOURS"]


def partner_name(tenant_id):
    return db.session.scalar(sa.select(Tenant.name).where(Tenant.id == tenant_id))


def partners():
    return db.session.execute(sa.select(Tenant.id, Tenant.name).where(*active_partner_criteria())
                              .order_by(Tenant.name)).all()


def _administrators(tenant_id):
    return db.session.scalars(sa.select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.tenant_id == tenant_id, Membership.role == "partner_admin", Membership.active.is_(True))).all()


def request_access(user, data):
    """The grant, written in the partner's workspace; its administrators are told at once."""
    if not enabled():
        raise Refused(gettext("Break-the-glass access is turned off."), status=404)
    partner = db.session.get(Tenant, data["tenant_id"])
    if partner is None or partner.is_coordination or not partner.active:
        raise Refused(gettext("Choose one of the options."), field="tenant_id")
    started, length = now(), hours()
    with tenant_context(partner.id):
        participant = get_participant(data["role"], data["participant_id"])
        if participant is None:
            raise Refused(gettext("This partner has no such record."), field="participant_id")
        grant = BreakGlassGrant(requested_by_id=user.id, reason=data["reason"], requested_at=started,
                                expires_at=started + timedelta(hours=length),
                                **{f"{participant.role}_id": participant.id})
        db.session.add(grant)
        db.session.flush()
        record_event("break_glass.requested", user, grant, changes={"reason": data["reason"], "hours": length})
        for admin in _administrators(partner.id):
            send_email(admin.email, MAIL_TEMPLATE, admin.preferred_locale or partner.default_locale,
                       coordinator=user.name or user.email, case=f"{participant.role_label} #{participant.id}",
                       reason=data["reason"], expires_at=grant.expires_at)
    grant_id = grant.id
    record_event("break_glass.requested", user, None, changes={"tenant_id": partner.id, "grant_id": grant_id})
    return grant_id


def grant_of(user, grant_id):
    """The user's own grant with this id (in any partner's workspace), or None."""
    with national_rollup_bypass("break-the-glass: find the coordinator's own grant"):
        grant = db.session.scalar(sa.select(BreakGlassGrant).where(
            BreakGlassGrant.id == grant_id, BreakGlassGrant.requested_by_id == user.id))
        return None if grant is None else (grant.tenant_id, grant.role, grant.participant_id, grant.expires_at)


def is_open(expires_at):
    return now() < expires_at


def record_view(user, tenant_id, grant_id, page):
    """Every page read through a grant: in the partner's log and the coordination's."""
    coordination = current_tenant_id()
    with tenant_context(tenant_id):
        grant = db.session.get(BreakGlassGrant, grant_id)
        record_event("break_glass.viewed", user, grant, changes={"page": page})
    with tenant_context(coordination):
        record_event("break_glass.viewed", user, None, changes={"tenant_id": tenant_id, "grant_id": grant_id,
                                                                "page": page})
