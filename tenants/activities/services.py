"""The rules about activities, free of Flask request objects.

Attendance of an initial training completes the participant's training
(`tenants.participants.services.record_training_completed`). Coordinators read the
network activities' attendance as counts only, through the national roll-up bypass.
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.mail import send_email
from network.core.reference.models import Company
from network.core.submit import register_clashes
from network.core.tenancy import current_tenant_id, national_rollup_bypass
from network.core.tenancy.models import Tenant
from network.core.timeutil import utcnow
from tenants.activities.models import Activity, ActivityInvitation, NetworkActivity
from tenants.activities.schemas import participant_reference
from tenants.participants.models import PARTICIPANT_MODELS, ROLES
from tenants.participants.services import mail_locale, record_training_completed

_DETAIL_FIELDS = ("kind", "title", "held_on", "place", "audience", "facilitator_name", "company_id", "description")

# Two people inviting the same person to the same activity at the same moment.
register_clashes({f"uq_activity_invitations_tenant_id_{activity}_id_{role}_id":
                  _l("This person was already invited to this activity a moment ago.")
                  for activity in ("activity", "network_activity") for role in ("mentor", "mentee")})


# --- reading -----------------------------------------------------------------

def own_activities():
    """The current partner's activities, newest first."""
    return db.session.scalars(sa.select(Activity).order_by(Activity.held_on.desc(), Activity.id.desc())).all()


def network_activities():
    return db.session.scalars(
        sa.select(NetworkActivity).order_by(NetworkActivity.held_on.desc(), NetworkActivity.id.desc())
    ).all()


def scoped_get(model, row_id):
    """The row with this id, through a query: for a tenant-owned model, the tenant scope applies
    even when another tenant's row sits in the session's identity map (as `session.get` would
    return it without asking the database)."""
    return db.session.scalar(sa.select(model).where(model.id == row_id))


def get_activity(activity_id):
    """The current partner's activity with this id, or None (another partner's id is not found)."""
    return scoped_get(Activity, activity_id)


def get_network_activity(network_activity_id):
    return db.session.get(NetworkActivity, network_activity_id)


def _link(activity):
    return ({"activity_id": activity.id} if activity.level == "tenant"
            else {"network_activity_id": activity.id})


def invitations(activity):
    """The current partner's invitations to `activity` (its own or a network one)."""
    (column, value), = _link(activity).items()
    return db.session.scalars(
        sa.select(ActivityInvitation)
        .where(getattr(ActivityInvitation, column) == value)
        .options(selectinload(ActivityInvitation.mentor), selectinload(ActivityInvitation.mentee))
        .order_by(ActivityInvitation.id)
    ).all()


def invitable_participants(activity):
    """The partner's participants who may still be invited: (role, participant) pairs by name."""
    invited = {(invitation.participant.role, invitation.participant.id) for invitation in invitations(activity)}
    candidates = []
    for role in activity.invitable_roles:
        model = PARTICIPANT_MODELS[role]
        for participant in db.session.scalars(
            sa.select(model).where(model.status != "left").order_by(model.full_name, model.id)
        ):
            if (role, participant.id) not in invited:
                candidates.append((role, participant))
    return candidates


def facilitator_options():
    """Who may lead a workshop: the partner's mentors and mentees still in the programme."""
    options = []
    for role, model in PARTICIPANT_MODELS.items():
        options += [(f"{role}:{participant.id}", participant.full_name) for participant in db.session.scalars(
            sa.select(model).where(model.status != "left").order_by(model.full_name, model.id))]
    return options


# --- creating and editing ------------------------------------------------------

def _check_company(data, current_id=None):
    company_id = data.get("company_id")
    if company_id is None:
        return
    company = db.session.get(Company, company_id)
    if company is None or not (company.active or company.id == current_id):
        raise ValidationError({"company_id": [_l("Choose one of the options.")]})


def _facilitator(data):
    """The workshop's facilitating participant, looked up in the current partner only."""
    reference = data.get("facilitator")
    if reference is None:
        return None, None
    found = participant_reference(reference)
    participant = scoped_get(PARTICIPANT_MODELS[found[0]], found[1]) if found else None
    if participant is None:
        raise ValidationError({"facilitator": [_l("Choose one of the options.")]})
    return (participant.id, None) if participant.role == "mentor" else (None, participant.id)


def _apply(activity, data):
    for field in _DETAIL_FIELDS:
        setattr(activity, field, data.get(field))


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _changes(activity, fields, data):
    return {field: _jsonable(getattr(activity, field)) for field in fields
            if getattr(activity, field) != data.get(field)}


def save_activity(data, actor, activity=None):
    """Create (activity=None) or change one of the current partner's activities."""
    _check_company(data, activity.company_id if activity else None)
    mentor_id, mentee_id = _facilitator(data)
    if data["kind"] == "workshop" and mentor_id is None and mentee_id is None:
        raise ValidationError({"facilitator": [_l("A workshop is led by one of the partner's mentors or mentees: "
                                                  "choose who.")]})
    values = {**data, "facilitator_mentor_id": mentor_id, "facilitator_mentee_id": mentee_id}
    fields = (*_DETAIL_FIELDS, "facilitator_mentor_id", "facilitator_mentee_id")
    if activity is None:
        activity = Activity(created_by_id=actor.id if actor else None)
        db.session.add(activity)
        changes, action = None, "activity.created"
    else:
        changes, action = _changes(activity, fields, values), "activity.updated"
        if not changes:
            return activity
    _check_invitations_still_fit(activity, data)
    _apply(activity, data)
    activity.facilitator_mentor_id, activity.facilitator_mentee_id = mentor_id, mentee_id
    db.session.flush()
    record_event(action, actor, activity, changes=changes)
    return activity


def _check_invitations_still_fit(activity, data):
    # A training whose attendance already completed trainings keeps its kind.
    if activity.id is None or activity.kind == data["kind"]:
        return
    if any(invitation.attended is not None for invitation in invitations(activity)):
        raise ValidationError({"kind": [_l("The attendance is already recorded: the kind of activity cannot "
                                           "change any more.")]})


def save_network_activity(data, actor, activity=None):
    """Create or change a network activity (coordinators). Audited in the coordination's log."""
    _check_company(data, activity.company_id if activity else None)
    if activity is None:
        activity = NetworkActivity(created_by_id=actor.id if actor else None)
        db.session.add(activity)
        changes, action = None, "activity.created"
    else:
        changes, action = _changes(activity, _DETAIL_FIELDS, data), "activity.updated"
        if not changes:
            return activity
        if activity.kind != data["kind"]:
            with national_rollup_bypass("network activity: attendance recorded anywhere?"):
                recorded = db.session.scalar(sa.select(sa.func.count(ActivityInvitation.id)).where(
                    ActivityInvitation.network_activity_id == activity.id, ActivityInvitation.attended.is_not(None)))
            if recorded:
                raise ValidationError({"kind": [_l("The attendance is already recorded: the kind of activity "
                                                   "cannot change any more.")]})
    _apply(activity, data)
    db.session.flush()
    record_event(action, actor, activity, changes=changes)
    return activity


# --- invitations and attendance -------------------------------------------------

def invite(activity, references, actor):
    """Invite the current partner's participants ("mentor:12", "mentee:5") to an activity:
    everyone or, on any problem, no one."""
    if not references:
        raise ValidationError({"participants": [_l("Choose at least one person to invite.")]})
    invited = {(invitation.participant.role, invitation.participant.id) for invitation in invitations(activity)}
    rows = []
    for reference in dict.fromkeys(references):
        found = participant_reference(reference)
        participant = scoped_get(PARTICIPANT_MODELS[found[0]], found[1]) if found else None
        if participant is None or participant.role not in activity.invitable_roles:
            raise ValidationError({"participants": [_l("Choose people from the list.")]})
        if (participant.role, participant.id) in invited:
            continue
        rows.append((ActivityInvitation(**_link(activity), **{ROLES[participant.role].link_column: participant.id},
                                        invited_by_id=actor.id if actor else None), participant))
    db.session.add_all(invitation for invitation, _ in rows)
    db.session.flush()
    record_event("activity.invited", actor, activity, changes={"count": len(rows)})
    _email_invitations(activity, rows)
    return [invitation for invitation, _ in rows]


def _email_invitations(activity, invited):
    """Tell each newly invited person who has an e-mail address, in their language; sent with
    the invitations' transaction (outbox), once per invitation."""
    tenant = db.session.get(Tenant, current_tenant_id())
    for invitation, person in invited:
        if not person.email:
            continue
        send_email(
            person.email, "activities/email/invitation.txt", mail_locale(person, tenant),
            dedupe_key=f"activity-invitation:{tenant.id}:{invitation.id}",
            name=person.full_name, tenant=tenant.name, title=activity.title, kind=activity.kind,
            held_on=activity.held_on, place=activity.place, description=activity.description or "",
            has_portal=person.user_id is not None,
        )


def record_attendance(activity, attendance, actor, today=None):
    """`attendance`: {invitation id: True (attended) or False}. Only the current partner's
    invitations to this activity can be named; attending an initial training completes it."""
    today = today or date.today()
    if activity.held_on > today:
        raise ValidationError({"attendance": [_l("Attendance can be recorded from the day of the activity on.")]})
    by_id = {invitation.id: invitation for invitation in invitations(activity)}
    if not attendance or any(invitation_id not in by_id for invitation_id in attendance):
        raise ValidationError({"attendance": [_l("Record the attendance of people invited to this activity.")]})
    now, trained = utcnow(), 0
    for invitation_id, attended in attendance.items():
        invitation = by_id[invitation_id]
        if invitation.attended == attended:
            continue
        invitation.attended = attended
        invitation.attendance_recorded_at = now
        invitation.attendance_recorded_by_id = actor.id if actor else None
        participant = invitation.participant
        if attended and activity.trains_role == participant.role:
            trained += record_training_completed(participant, activity.held_on, actor)
    record_event("activity.attendance_recorded", actor, activity,
                 changes={"attended": sum(1 for value in attendance.values() if value), "trained": trained})
    return trained


# --- national counts (coordinators) ----------------------------------------------

def network_attendance_counts(network_activity_ids):
    """{network activity id: (invited, attended)} across every partner: counts only."""
    if not network_activity_ids:
        return {}
    with national_rollup_bypass("network activities: invitations and attendance per activity"):
        rows = db.session.execute(
            sa.select(
                ActivityInvitation.network_activity_id,
                sa.func.count(ActivityInvitation.id),
                sa.func.count(ActivityInvitation.id).filter(ActivityInvitation.attended.is_(True)),
            )
            .where(ActivityInvitation.network_activity_id.in_(list(network_activity_ids)))
            .group_by(ActivityInvitation.network_activity_id)
        ).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def network_attendance_by_partner(network_activity):
    """[(partner name, invited, attended)] for one network activity, by name: counts only."""
    with national_rollup_bypass("network activity: invitations and attendance per partner"):
        return [tuple(row) for row in db.session.execute(
            sa.select(
                Tenant.name,
                sa.func.count(ActivityInvitation.id),
                sa.func.count(ActivityInvitation.id).filter(ActivityInvitation.attended.is_(True)),
            )
            .join(Tenant, Tenant.id == ActivityInvitation.tenant_id)
            .where(ActivityInvitation.network_activity_id == network_activity.id)
            .group_by(Tenant.id, Tenant.name)
            .order_by(Tenant.name)
        )]
