"""Reminders of the mentoring processes, sent by a daily job to the mentor and the mentee
in each one's language: a follow-up falling due today, and a meeting overdue against the
agreed frequency. The follow-up: one e-mail per person, process and day. The meeting: at most
one per person in each period of the agreed frequency while it stays overdue, none while a
next meeting is scheduled, and none to a side that stopped them (a link in the e-mail, or the
portal's setting). Each is written to the outbox, which survives a Redis outage."""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import selectinload

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.jobs.periodic import for_each_partner_workspace
from network.core.mail import send_email
from network.core.mail.links import public_url
from network.core.tenancy import current_tenant_id
from network.core.tenancy.models import Tenant
from tenants.processes.calendar import LISBON
from tenants.processes.models import MEETING_FREQUENCY_DAYS, MentoringProcess
from tenants.processes.scheduling import person_language

STOP_SALT = "meeting-reminders-stop"


def _scheduled_ahead(day):
    """A next meeting scheduled for `day` or later: nothing is overdue meanwhile."""
    start_of_day = datetime.combine(day, datetime.min.time(), tzinfo=LISBON)
    return sa.and_(MentoringProcess.next_meeting_at.is_not(None), MentoringProcess.next_meeting_at >= start_of_day)


REMINDERS = {
    # kind: (template, which processes on `day`)
    "follow_up_due": ("processes/email/follow_up_due.txt", lambda day: MentoringProcess.next_follow_up_on == day),
    "meeting_overdue": ("processes/email/meeting_overdue.txt",
                        lambda day: sa.and_(MentoringProcess.next_meeting_due_on < day,
                                            sa.not_(_scheduled_ahead(day)))),
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


def overdue_period(process, day):
    """Which period of the agreed frequency `day` falls in since the meeting was due (0, 1, ...)."""
    agreement = process.agreement
    days = MEETING_FREQUENCY_DAYS[agreement.meeting_frequency] if agreement else 7
    return (day - process.next_meeting_due_on - timedelta(days=1)).days // days


def _dedupe_key(kind, tenant, process, person, day):
    if kind == "meeting_overdue":
        period = f"{process.next_meeting_due_on.isoformat()}:{overdue_period(process, day)}"
        return f"{kind}:{tenant.id}:{process.id}:{person.role}:{period}"
    return f"{kind}:{tenant.id}:{process.id}:{person.role}:{day.isoformat()}"


def send_workspace_reminders(day):
    """Write the reminders of the tenant in context for `day` (ISO date) to the outbox."""
    day = date.fromisoformat(day)
    tenant = db.session.get(Tenant, current_tenant_id())
    if tenant is None or not tenant.active:
        return 0
    sent = 0
    for kind, process in due_reminders(day):
        for person, pair in ((process.mentor, process.mentee), (process.mentee, process.mentor)):
            if not person.email or (kind == "meeting_overdue" and reminders_off(process, person.role)):
                continue
            message = send_email(
                person.email,
                REMINDERS[kind][0],
                person_language(person, tenant),
                dedupe_key=_dedupe_key(kind, tenant, process, person, day),
                name=person.full_name,
                pair=pair.full_name,
                tenant=tenant.name,
                due_on=process.next_follow_up_on if kind == "follow_up_due" else process.next_meeting_due_on,
                portal_url=public_url("portal.process", tenant_slug=tenant.slug, process_id=process.id),
                stop_url=public_url("reminders.stop", token=stop_token(tenant, process, person.role)),
            )
            sent += message is not None
    return sent


# --- stopping them ---------------------------------------------------------------

def reminders_off(process, side):
    return getattr(process, f"{side}_reminders_off")


def set_reminders(process, side, on, actor=None):
    """A side turns its meeting reminders of this process off (or back on); audited."""
    if reminders_off(process, side) == (not on):
        return process
    setattr(process, f"{side}_reminders_off", not on)
    record_event("reminders.resumed" if on else "reminders.stopped", actor, process, changes={"side": side})
    db.session.flush()
    return process


def _serializer(secret_key):
    return URLSafeSerializer(secret_key, salt=STOP_SALT)


def stop_token(tenant, process, side):
    """The e-mail's link: it names the process and the side, signed; it does nothing but stop."""
    return _serializer(current_app.secret_key).dumps([tenant.id, process.id, side])


def read_stop_token(token, secret_key):
    """(tenant id, process id, side) of a valid link, or None."""
    try:
        tenant_id, process_id, side = _serializer(secret_key).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if side not in ("mentor", "mentee") or not isinstance(tenant_id, int) or not isinstance(process_id, int):
        return None
    return tenant_id, process_id, side
