"""The portal's rules, free of Flask request objects: who "me" is in a workspace, which
processes are mine, what I may see of my pair, invitations of participants to the portal,
the participants' own answers to a follow-up, and their confirmation of each logged meeting."""
from datetime import date, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from network.core.accounts import services as accounts
from network.core.accounts.models import Invitation
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.submit import register_clashes
from network.core.timeutil import utcnow
from tenants.activities.models import ActivityInvitation
from tenants.participants.models import PARTICIPANT_MODELS, ROLES
from tenants.participants.services import check_not_registered
from tenants.portal.models import FollowUpAnswer, ParticipantInvitation
from tenants.processes.models import OPEN_STATES, MeetingConfirmation, MentoringProcess
from tenants.processes.services import ProcessRefused, get_process, log_meeting, next_follow_up_due

PARTICIPANT_SIDES = tuple(ROLES)
# A follow-up's questions open to the participants this many days before it is due.
ANSWER_OPENS_DAYS_BEFORE = 14

register_clashes({"uq_follow_up_answers_tenant_id_process_id_sequence_side":
                  _l("You have already answered this follow-up.")})


# --- invitations to the portal ------------------------------------------------

def _invitations_of(participant):
    column = ROLES[participant.role].link(ParticipantInvitation)
    return db.session.scalars(
        sa.select(Invitation)
        .join(ParticipantInvitation, ParticipantInvitation.invitation_id == Invitation.id)
        .where(column == participant.id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()


def pending_invitation(participant):
    return next((invitation for invitation in _invitations_of(participant) if invitation.status() == "pending"), None)


def invite_participant(tenant, participant, inviter, valid_days):
    """Invite a mentor or mentee into the portal, at their recorded e-mail address; returns
    (invitation, token). A newer invitation replaces any pending one."""
    if participant.user_id is not None:
        message = _("%(name)s already has access to the portal.", name=participant.full_name)
        raise ValidationError({"_schema": [message]})
    if not participant.email:
        raise ValidationError({"_schema": [_("Record an e-mail address first: the invitation is sent there.")]})
    for invitation in _invitations_of(participant):
        accounts.revoke_invitation(invitation, inviter)
    invitation, token = accounts.create_invitation(tenant, inviter, participant.email, participant.role, valid_days)
    link = {ROLES[participant.role].link_column: participant.id}
    db.session.add(ParticipantInvitation(invitation_id=invitation.id, **link))
    db.session.flush()
    return invitation, token


# --- me and my processes ------------------------------------------------------

def my_records(user, roles):
    """{"mentor": Mentor, "mentee": Mentee}: the records of this workspace that are `user`,
    for the participant roles `user` holds here."""
    records = {}
    for side in PARTICIPANT_SIDES:
        if side in roles:
            model = PARTICIPANT_MODELS[side]
            participant = db.session.scalar(sa.select(model).where(model.user_id == user.id))
            if participant is not None:
                records[side] = participant
    return records


def _mine(records):
    conditions = [ROLES[side].link(MentoringProcess) == participant.id for side, participant in records.items()]
    return sa.or_(*conditions) if conditions else sa.false()


def my_processes(records):
    """Open processes first, then the most recent."""
    is_open = sa.case((MentoringProcess.state.in_(OPEN_STATES), 0), else_=1)
    return db.session.scalars(
        sa.select(MentoringProcess).where(_mine(records))
        .order_by(is_open, MentoringProcess.matched_on.desc(), MentoringProcess.id.desc())
    ).all()


def side_in(records, process):
    """My side (mentor or mentee) in `process`, or None when it is not mine."""
    return next((side for side, participant in records.items()
                 if ROLES[side].link(process) == participant.id), None)


def my_process(records, process_id):
    """(process, my side in it), or (None, None) when the process is not mine."""
    process = get_process(process_id)
    side = side_in(records, process) if process is not None else None
    return (process, side) if side else (None, None)


def other_side(side):
    return "mentee" if side == "mentor" else "mentor"


def pair_of(process, side):
    """What I may see of my mentor (or mentee): the name, and the contacts they chose to share."""
    pair = getattr(process, other_side(side))
    return SimpleNamespace(
        role=pair.role,
        full_name=pair.full_name,
        email=pair.email if pair.shares_contact else None,
        phone=pair.phone if pair.shares_contact else None,
    )


WAITING_FOR_ME = {
    "agreement": _l("Read and accept the agreement"),
    "follow_up": _l("Answer the follow-up questions"),
    "evaluation": _l("Fill in the final evaluation"),
}


def waiting_for_me(process, side, today=None):
    """What the process waits for from `side` (keys of WAITING_FOR_ME), in the order they come."""
    agreement = process.agreement
    waiting = {
        "agreement": process.is_open and agreement is not None and agreement.accepted_at(side) is None,
        "follow_up": answerable_follow_up(process, side, today) is not None,
        "evaluation": process.state == "in_evaluation" and process.evaluation_by(side) is None,
    }
    return [key for key, is_waiting in waiting.items() if is_waiting]


def my_upcoming_activities(records, today=None):
    """The trainings, workshops and sessions (the partner's or the network's) I am invited to,
    from today on, soonest first."""
    conditions = [ROLES[side].link(ActivityInvitation) == participant.id for side, participant in records.items()]
    if not conditions:
        return []
    invitations = db.session.scalars(
        sa.select(ActivityInvitation).where(sa.or_(*conditions))
        .options(selectinload(ActivityInvitation.activity), selectinload(ActivityInvitation.network_activity))
    ).all()
    today = today or date.today()
    activities = {(activity.level, activity.id): activity
                  for activity in (invitation.activity or invitation.network_activity for invitation in invitations)
                  if activity.held_on >= today}
    return sorted(activities.values(), key=lambda activity: (activity.held_on, activity.title))


# --- my profile -----------------------------------------------------------------

def update_contact(participant, data, actor):
    """The participant corrects their own e-mail and phone, decides whether their pair sees them,
    and chooses the language they are written to in."""
    check_not_registered(participant.role, data, exclude_id=participant.id)
    editable = ("email", "phone", "shares_contact", "preferred_language")
    changed = {field: getattr(participant, field) for field in editable
               if field in data and getattr(participant, field) != data[field]}
    for field in changed:
        setattr(participant, field, data[field])
    if changed:
        participant.updated_at = utcnow()
        record_event("participant.updated", actor, participant, changes=changed)
    return changed


# --- follow-ups answered from the portal ------------------------------------------

def next_follow_up(process):
    """(sequence, due date) of the follow-up staff will record next, or None."""
    due_on = next_follow_up_due(process)
    return None if due_on is None else (len(process.follow_ups) + 1, due_on)


def answer_opens_on(due_on):
    return due_on - timedelta(days=ANSWER_OPENS_DAYS_BEFORE)


def answer_of(process, side, sequence):
    return db.session.scalar(sa.select(FollowUpAnswer).where(
        FollowUpAnswer.process_id == process.id, FollowUpAnswer.side == side, FollowUpAnswer.sequence == sequence))


def _open_follow_up(process, today):
    follow_up = next_follow_up(process)
    if follow_up is None or answer_opens_on(follow_up[1]) > (today or date.today()):
        return None
    return follow_up


def answerable_follow_up(process, side, today=None):
    """(sequence, due date) of the follow-up `side` can answer now, or None."""
    follow_up = _open_follow_up(process, today)
    return None if follow_up is None or answer_of(process, side, follow_up[0]) else follow_up


def answer_follow_up(process, side, data, actor, today=None):
    """`side`'s answer to the next follow-up: satisfaction 1-5, progress 0-4 for every goal, a comment."""
    follow_up = _open_follow_up(process, today)
    if follow_up is None:
        raise ProcessRefused(_("This follow-up is not open for answers now."))
    sequence, due_on = follow_up
    if answer_of(process, side, sequence) is not None:
        raise ProcessRefused(_("You have already answered this follow-up."))
    if set(data["progress"]) != {goal.id for goal in process.agreement.goals}:
        raise ValidationError({"progress": [_("Give the progress of every goal.")]})
    answer = FollowUpAnswer(
        process_id=process.id, sequence=sequence, due_on=due_on, side=side, satisfaction=data["satisfaction"],
        progress={str(goal_id): value for goal_id, value in data["progress"].items()},
        comment=data.get("comment") or None, submitted_by_id=actor.id if actor else None,
    )
    db.session.add(answer)
    db.session.flush()
    return answer


def answers_by_sequence(process):
    """Every answer of this process, by follow-up number, mentor first."""
    answers = {}
    for answer in db.session.scalars(
        sa.select(FollowUpAnswer).where(FollowUpAnswer.process_id == process.id)
        .order_by(FollowUpAnswer.sequence, FollowUpAnswer.side.desc())
    ):
        answers.setdefault(answer.sequence, []).append(answer)
    return answers


def follow_up_form_from_answers(process):
    """The staff follow-up form, started from the participants' answers: each side's
    satisfaction, and a goal's progress where the answers agree."""
    follow_up = next_follow_up(process)
    answers = answers_by_sequence(process).get(follow_up[0], []) if follow_up else []
    form = {f"{answer.side}_satisfaction": str(answer.satisfaction) for answer in answers}
    progress = {}
    for goal in process.agreement.goals if process.agreement else ():
        values = {answer.progress[str(goal.id)] for answer in answers if str(goal.id) in answer.progress}
        if len(values) == 1:
            progress[str(goal.id)] = values.pop()
    return {**form, "progress": progress}


# --- meetings confirmed (or disputed) by each side ------------------------------------

def meeting_of(process, meeting_id):
    """A meeting logged in `process`, or None: a meeting of another process is not found."""
    return next((meeting for meeting in process.meetings if meeting.id == meeting_id), None)


def log_my_meeting(process, side, data, actor, today=None):
    """A meeting logged by the mentor or the mentee: logging it is their own confirmation."""
    meeting = log_meeting(process, data, actor, logged_as=side, today=today)
    answer_meeting(process, side, meeting, {"answer": "confirmed"}, actor)
    return meeting


def answer_meeting(process, side, meeting, data, actor):
    """`side` confirms that the meeting took place as logged, or disputes it (with an optional
    short reason); a new answer replaces its earlier one. Hours count as verified volunteer hours
    only when both sides confirmed (tenants.processes.models.verified_meeting)."""
    if meeting.process_id != process.id or side not in PARTICIPANT_SIDES:
        raise ProcessRefused(_("This meeting is not one of your mentoring."), status=404)
    confirmation = meeting.confirmation_by(side)
    if confirmation is None:
        confirmation = MeetingConfirmation(side=side)
        meeting.confirmations.append(confirmation)
    elif confirmation.answer == data["answer"] and confirmation.reason == (data.get("reason") or None):
        return confirmation
    confirmation.answer = data["answer"]
    confirmation.reason = (data.get("reason") or None) if data["answer"] == "disputed" else None
    confirmation.answered_at = utcnow()
    confirmation.answered_by_id = actor.id if actor else None
    record_event(f"meeting.{data['answer']}", actor, meeting, changes={"side": side, "process_id": process.id})
    db.session.flush()
    return confirmation
