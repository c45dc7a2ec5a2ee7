"""The next meeting of a process, agreed by the pair and entered by staff: its date, time and
place, sent to both sides as a calendar invitation and downloadable from the process page."""
from datetime import UTC, datetime
from uuid import uuid4

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.mail import send_email
from network.core.mail.links import public_url
from network.core.submit import Refused
from network.core.tenancy.models import Tenant
from network.core.timeutil import utcnow
from tenants.participants.services import mail_locale
from tenants.processes import calendar
from tenants.processes.models import MEETING_STATES

NOT_NOW = _l("A next meeting is scheduled once the agreement is signed and while the process is open.")
IN_THE_PAST = _l("The next meeting must be in the future.")


def person_language(person, tenant):
    """Each person's own language (`preferred_language`: chosen by them or by staff)."""
    return mail_locale(person, tenant)


def schedule_next_meeting(process, data, actor, now=None):
    """Set the next meeting (`data`: on, at, place) and send the invitation to both sides.
    Moving a meeting still to come keeps its UID (calendars update it); otherwise it is a new one."""
    now = now or utcnow()
    if process.state not in MEETING_STATES:
        raise Refused(NOT_NOW)
    starts_at = datetime.combine(data["on"], data["at"], tzinfo=calendar.LISBON).astimezone(UTC)
    if starts_at <= now:
        raise Refused(IN_THE_PAST, field="on")
    if process.next_meeting_uid and process.next_meeting_at and process.next_meeting_at > now:
        process.next_meeting_sequence += 1
    else:
        process.next_meeting_uid = f"{uuid4()}@{current_app.config['MAIL_MESSAGE_ID_DOMAIN']}"
        process.next_meeting_sequence = 0
    process.next_meeting_at = starts_at
    process.next_meeting_place = data.get("place") or None
    db.session.flush()
    record_event("meeting.scheduled", actor, process, changes={"at": starts_at.isoformat()})
    send_invitations(process, now)
    return process


def invitation_for(process, tenant, locale, attendees, now=None):
    """The .ics of the process's next meeting, in `locale`."""
    with force_locale(locale):
        return calendar.meeting_invitation(
            uid=process.next_meeting_uid, sequence=process.next_meeting_sequence, starts_at=process.next_meeting_at,
            summary=_("Mentoring meeting (%(partner)s)", partner=tenant.name), place=process.next_meeting_place,
            description=_("Your mentoring in the Rede Mentores portal: %(url)s", url=_portal_link(process, tenant)),
            organizer_name=tenant.name, organizer_email=_sender_address(), attendees=attendees,
            stamp=now or utcnow())


def send_invitations(process, now):
    """One e-mail per side with an address, each in its own language, the invitation attached."""
    tenant = db.session.get(Tenant, process.tenant_id)
    for person, pair in ((process.mentor, process.mentee), (process.mentee, process.mentor)):
        if not person.email:
            continue
        locale = person_language(person, tenant)
        ics = invitation_for(process, tenant, locale, [(person.full_name, person.email)], now)
        send_email(
            person.email, "processes/email/meeting_invitation.txt", locale,
            dedupe_key=(f"meeting_invitation:{tenant.id}:{process.id}:{process.next_meeting_uid}:"
                        f"{process.next_meeting_sequence}:{person.role}"),
            attachments=[{"filename": "reuniao.ics", "content_type": calendar.CONTENT_TYPE, "content": ics}],
            name=person.full_name, pair=pair.full_name, tenant=tenant.name, starts_at=process.next_meeting_at,
            place=process.next_meeting_place, moved=process.next_meeting_sequence > 0,
            portal_url=_portal_link(process, tenant),
        )


def _portal_link(process, tenant):
    return public_url("portal.process", tenant_slug=tenant.slug, process_id=process.id)


def _sender_address():
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rsplit("<", 1)[-1].rstrip(">").strip()

