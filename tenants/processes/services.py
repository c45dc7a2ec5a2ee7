"""The mentoring process: its state machine and every change to it. Free of Flask
request objects; each refusal carries a message in the user's language."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.submit import Refused, StaleEdit, register_clashes
from network.core.timeutil import utcnow
from tenants.participants.models import ROLES, Mentee, Mentor
from tenants.participants.services import has_current_consent
from tenants.processes.cadence import follow_up_due_date
from tenants.processes.calendar import LISBON
from tenants.processes.events import record_process_event
from tenants.processes.models import (
    CADENCE_MONTHS,
    MEETING_FREQUENCY_DAYS,
    MEETING_STATES,
    OPEN_STATES,
    PROCESS_STATES,
    Agreement,
    AgreementGoal,
    Evaluation,
    FollowUp,
    GoalOutcome,
    GoalProgress,
    Meeting,
    MentoringProcess,
    ProcessEvent,
)


class ProcessRefused(Refused):
    """A rule of the programme refuses the change: it conflicts with the process's state."""

    status = 409


class AgreementConflict(ProcessRefused, StaleEdit):
    """Someone saved a newer version of the agreement meanwhile."""


_AGREEMENT_CONFLICT = _l("Someone saved a newer version of this agreement while you were editing. "
                         "Your changes were not saved: review the current version and edit it again.")

# The database's "one of" rules, when two requests get there at the same moment.
register_clashes({
    "uq_mentoring_processes_open_mentee": _l("This mentee already has an open process: someone matched them a "
                                             "moment ago. Nothing was changed by this request."),
    "uq_mentoring_processes_open_pair": _l("This mentor and this mentee already have an open process."),
    "uq_agreements_tenant_id_process_id_version": _AGREEMENT_CONFLICT,
    "uq_follow_ups_tenant_id_process_id_sequence": _l("Someone recorded this follow-up a moment ago: yours was not "
                                                      "saved. Reload the process to see it."),
    "uq_evaluations_tenant_id_process_id_side": _l("This side has already submitted its final evaluation."),
})


# Every state change staff can ask for; closing and creating have their own functions.
TRANSITIONS = {
    "matched": ("agreement_signed", "cancelled"),
    "agreement_signed": ("active", "cancelled"),
    "active": ("in_evaluation", "cancelled"),
    "in_evaluation": ("closed", "cancelled"),
    "closed": (),
    "cancelled": (),
}


def get_process(process_id):
    """The process with everything its pages show, in six statements: the pair and the
    agreements (a few versions of a few goals) joined to the process's row, then one statement
    each for the meetings, their confirmations, the follow-ups, the evaluations and the
    timeline, each with the people and goals it names."""
    return db.session.get(
        MentoringProcess,
        process_id,
        options=[
            joinedload(MentoringProcess.mentor, innerjoin=True),
            joinedload(MentoringProcess.mentee, innerjoin=True),
            joinedload(MentoringProcess.owner),
            joinedload(MentoringProcess.agreements).joinedload(Agreement.goals),
            # Who logged each meeting and who did each step, in the same statements: staff, the
            # mentor and the mentee may all appear, and each would otherwise cost a statement.
            selectinload(MentoringProcess.meetings).joinedload(Meeting.logged_by),
            # Each side's confirmation of each meeting: one statement for all of them.
            selectinload(MentoringProcess.meetings).selectinload(Meeting.confirmations),
            # Each progress and outcome with its goal, in the same statement (not one per line of the page).
            selectinload(MentoringProcess.follow_ups).joinedload(FollowUp.progress).joinedload(GoalProgress.goal),
            selectinload(MentoringProcess.evaluations).joinedload(Evaluation.goal_outcomes)
            .joinedload(GoalOutcome.goal),
            selectinload(MentoringProcess.events).joinedload(ProcessEvent.actor),
        ],
    )


def process_query(state=None, attention=None, search=None, today=None, owner=None, user_id=None):
    """The list's query: filters in SQL, names loaded in the same query (no N+1)."""
    today = today or date.today()
    # Names come with the page's rows, and only names (not every participant's JSON columns);
    # eager joins are left out of the pagination's count. A search by name finds the partner's
    # mentors and mentees first (a few thousand names), then keeps the processes of those: the
    # list walks its index newest first and the count reads the processes alone, where joining
    # both participants to every process cost 60 ms for a partner with 20,000 of them.
    query = sa.select(MentoringProcess).options(
        joinedload(MentoringProcess.mentor, innerjoin=True).load_only(Mentor.full_name),
        joinedload(MentoringProcess.mentee, innerjoin=True).load_only(Mentee.full_name),
        joinedload(MentoringProcess.owner).load_only(User.name),
    )
    if state:
        query = query.where(MentoringProcess.state == state)
    if attention == "meeting_overdue":
        query = query.where(MentoringProcess.next_meeting_due_on < today)
    elif attention == "follow_up_due":
        query = query.where(MentoringProcess.next_follow_up_on <= today)
    if owner == "mine":
        query = query.where(MentoringProcess.owner_id == user_id)
    elif owner == "unassigned":
        query = query.where(MentoringProcess.owner_id.is_(None))
    if search:
        pattern = f"%{search.lower()}%"
        mentors, mentees = (sa.select(person.id).where(sa.func.lower(person.full_name).like(pattern))
                            for person in (Mentor, Mentee))
        query = query.where(sa.or_(MentoringProcess.mentor_id.in_(mentors), MentoringProcess.mentee_id.in_(mentees)))
    return query.order_by(MentoringProcess.matched_on.desc(), MentoringProcess.id.desc())


def processes_of(participant):
    """The participant's mentoring processes, newest first (for their history)."""
    link = ROLES[participant.role].link(MentoringProcess)
    return db.session.scalars(
        db.select(MentoringProcess).where(link == participant.id)
        .options(selectinload(MentoringProcess.mentor), selectinload(MentoringProcess.mentee))
        .order_by(MentoringProcess.matched_on.desc(), MentoringProcess.id.desc())
    ).all()


def cancel_open_processes_of(participant, actor, reason):
    """End every open process of a participant (their consent to take part was withdrawn)."""
    cancelled = [process for process in processes_of(participant) if process.is_open]
    for process in cancelled:
        transition(process, "cancelled", actor, reason=reason)
    return cancelled


def open_process_count(mentor_id):
    return db.session.scalar(
        db.select(db.func.count(MentoringProcess.id)).where(
            MentoringProcess.mentor_id == mentor_id, MentoringProcess.state.in_(OPEN_STATES)
        )
    )


def lock_pair(mentor, mentee):
    """`SELECT ... FOR UPDATE` the mentor, then the mentee (always in this order), read afresh."""
    for participant in (mentor, mentee):
        db.session.refresh(participant, with_for_update=True)


def create_process(mentor, mentee, actor, cadence="monthly", today=None, redefined_from=None):
    """Match a mentor and a mentee: the process starts in `matched`."""
    if redefined_from is None:
        # A mentor may take several mentees (matching weighs the load); a mentee has one.
        if mentor.status not in ("available", "matched"):
            raise ProcessRefused(_("This mentor is not available for matching."))
        if mentee.status != "waiting":
            raise ProcessRefused(_("This mentee is not waiting for a mentor."))
    for participant in (mentor, mentee):
        if not has_current_consent(participant):
            raise ProcessRefused(
                _("%(name)s has no current consent to take part, so cannot be matched.", name=participant.full_name)
            )
    already_open = db.session.scalar(
        db.select(MentoringProcess.id).where(
            MentoringProcess.mentor_id == mentor.id,
            MentoringProcess.mentee_id == mentee.id,
            MentoringProcess.state.in_(OPEN_STATES),
        )
    )
    if already_open is not None:
        raise ProcessRefused(_("This mentor and this mentee already have an open process."))
    process = MentoringProcess(
        mentor=mentor,
        mentee=mentee,
        cadence=cadence,
        matched_on=today or date.today(),
        created_by_id=actor.id if actor else None,
        redefined_from=redefined_from,
        # The mentee's case worker follows the process too, until someone reassigns it.
        owner_id=mentee.owner_id,
    )
    db.session.add(process)
    mentor.status = "matched"
    mentee.status = "matched"
    record_process_event(process, "created", actor, to_state="matched")
    db.session.flush()
    return process


def allowed_transitions(process):
    return TRANSITIONS[process.state]


def _check_transition(process, to_state, reason):
    if to_state not in TRANSITIONS[process.state]:
        raise ProcessRefused(
            _("A process in the state “%(state)s” cannot move to “%(target)s”.",
              state=process.state_label, target=PROCESS_STATES[to_state])
        )
    agreement = process.agreement
    if to_state in ("agreement_signed", "active") and not (agreement and agreement.accepted_by_both):
        raise ProcessRefused(_("The agreement must first be accepted by the mentor and by the mentee."))
    if to_state == "closed":
        raise ProcessRefused(_("Close the process with its outcome, after both final evaluations."))
    if to_state == "cancelled" and not (reason or "").strip():
        raise ProcessRefused(_("Say why the process is cancelled."))


def transition(process, to_state, actor, reason=None, today=None):
    """Move the process to `to_state` if the rules allow it; record who and when."""
    _check_transition(process, to_state, reason)
    today = today or date.today()
    from_state = process.state
    process.state = to_state
    if to_state == "active":
        process.activated_on = today
        _schedule(process, today)
    if to_state == "cancelled":
        process.cancel_reason = reason.strip()
        _finish(process, today, mentee_status="waiting")
    details = {"reason": reason.strip()} if to_state == "cancelled" else {}
    record_process_event(process, "state_changed", actor, from_state=from_state, to_state=to_state, **details)
    db.session.flush()
    return process


def _schedule(process, today):
    """Recompute the next follow-up and the next meeting due (see the model)."""
    process.next_follow_up_on = next_follow_up_due(process)
    agreement = process.agreement
    if process.state in MEETING_STATES and agreement is not None:
        last = max((meeting.held_on for meeting in process.meetings), default=None)
        since = last or process.activated_on or today
        process.next_meeting_due_on = since + timedelta(days=MEETING_FREQUENCY_DAYS[agreement.meeting_frequency])
    else:
        process.next_meeting_due_on = None


def _finish(process, today, mentee_status):
    process.closed_on = today
    process.next_follow_up_on = None
    process.next_meeting_due_on = None
    mentor, mentee = process.mentor, process.mentee
    if mentor.status == "matched" and open_process_count(mentor.id) == 0:
        mentor.status = "available"
    if mentee.status == "matched":
        mentee.status = mentee_status


# --- the agreement -----------------------------------------------------------

def save_agreement(process, data, base_version, actor):
    """Save a new version of the agreement. `base_version` is the version the editor
    started from: if someone saved another meanwhile, nothing is saved."""
    if not process.is_open or process.state == "in_evaluation":
        raise ProcessRefused(_("The agreement can no longer be changed at this stage."))
    current = process.agreement
    current_version = current.version if current else 0
    if base_version != current_version:
        raise AgreementConflict(str(_AGREEMENT_CONFLICT))
    agreement = Agreement(
        version=current_version + 1,
        meeting_frequency=data["meeting_frequency"],
        mode=data["mode"],
        place=data.get("place") or None,
        mentor_duties=data["mentor_duties"],
        mentee_duties=data["mentee_duties"],
        created_by_id=actor.id if actor else None,
    )
    agreement.goals = [
        AgreementGoal(position=index, kind=goal["kind"], text=goal["text"], target_date=goal.get("target_date"))
        for index, goal in enumerate(data["goals"], start=1)
    ]
    process.agreements.insert(0, agreement)  # newest first, as the relationship loads them
    record_process_event(process, "agreement_saved", actor, version=agreement.version)
    db.session.flush()
    _schedule(process, date.today())
    return agreement


def accept_agreement(process, side, actor, version):
    """Record the acceptance of `side` (mentor or mentee) for the version they read."""
    agreement = process.agreement
    if agreement is None or not process.is_open:
        raise ProcessRefused(_("There is no agreement to accept."))
    if agreement.version != version:
        raise AgreementConflict(_("The agreement changed since you read it. Read the new version before accepting."))
    if agreement.accepted_at(side) is not None:
        raise ProcessRefused(_("This agreement was already accepted."))
    setattr(agreement, f"{side}_accepted_at", utcnow())
    setattr(agreement, f"{side}_accepted_by_id", actor.id if actor else None)
    record_process_event(process, "agreement_accepted", actor, side=side, version=agreement.version)
    if agreement.accepted_by_both and process.state == "matched":
        transition(process, "agreement_signed", actor)
    db.session.flush()
    return agreement


# --- meetings and follow-ups ------------------------------------------------

def log_meeting(process, data, actor, logged_as, today=None):
    if process.state not in MEETING_STATES:
        raise ProcessRefused(_("Meetings are logged once the agreement is signed and while the process is open."))
    today = today or date.today()
    if data["held_on"] > today:
        raise ProcessRefused(_("A meeting cannot be logged before it happens."))
    if data["held_on"] < process.matched_on:
        raise ProcessRefused(_("The meeting date cannot be before the pair was matched (%(date)s).",
                               date=format_date(process.matched_on)), field="held_on", status=400)
    meeting = Meeting(
        held_on=data["held_on"],
        duration_minutes=data["duration_minutes"],
        mode=data["mode"],
        topics=data.get("topics") or [],
        notes=data.get("notes") or None,
        logged_by_id=actor.id if actor else None,
        logged_as=logged_as,
    )
    process.meetings.append(meeting)
    # Held on or after the day scheduled: that invitation is spent, the next one gets a new UID.
    if process.next_meeting_at and process.next_meeting_at.astimezone(LISBON).date() <= data["held_on"]:
        process.next_meeting_at = process.next_meeting_place = None
    record_process_event(process, "meeting_logged", actor, held_on=data["held_on"].isoformat(), logged_as=logged_as)
    _schedule(process, today)
    db.session.flush()
    return meeting


def next_follow_up_due(process):
    if process.state != "active" or process.activated_on is None:
        return None
    return follow_up_due_date(process.activated_on, CADENCE_MONTHS[process.cadence], len(process.follow_ups) + 1)


def record_follow_up(process, data, actor, today=None):
    """The intermediate evaluation answering the next follow-up due."""
    due_on = next_follow_up_due(process)
    if due_on is None:
        raise ProcessRefused(_("Follow-ups are recorded while the process is active."))
    goals = {goal.id: goal for goal in process.agreement.goals}
    if set(data["progress"]) - set(goals):
        raise ProcessRefused(_("The progress refers to a goal that is not in the current agreement."))
    follow_up = FollowUp(
        sequence=len(process.follow_ups) + 1,
        due_on=due_on,
        held_on=data["held_on"],
        mentor_satisfaction=data.get("mentor_satisfaction"),
        mentee_satisfaction=data.get("mentee_satisfaction"),
        issues=data.get("issues") or None,
        actions=data.get("actions") or None,
        recorded_by_id=actor.id if actor else None,
    )
    follow_up.progress = [GoalProgress(goal=goals[goal_id], progress=value)
                          for goal_id, value in data["progress"].items()]
    process.follow_ups.append(follow_up)
    record_process_event(process, "follow_up_recorded", actor, sequence=follow_up.sequence)
    _schedule(process, today or date.today())
    db.session.flush()
    return follow_up


# --- the end: final evaluations and closing -----------------------------------

def submit_evaluation(process, side, data, actor):
    if process.state != "in_evaluation":
        raise ProcessRefused(_("The final evaluation opens when the process moves to evaluation."))
    if process.evaluation_by(side) is not None:
        raise ProcessRefused(_("This side has already submitted its final evaluation."))
    goals = {goal.id: goal for goal in process.agreement.goals}
    if set(data["goal_outcomes"]) != set(goals):
        raise ProcessRefused(_("Give an outcome for every goal of the agreement."))
    evaluation = Evaluation(
        side=side,
        satisfaction=data["satisfaction"],
        changes=data.get("changes") or [],
        would_repeat=data["would_repeat"],
        comments=data.get("comments") or None,
        submitted_by_id=actor.id if actor else None,
    )
    evaluation.goal_outcomes = [
        GoalOutcome(goal=goals[goal_id], outcome=outcome) for goal_id, outcome in data["goal_outcomes"].items()
    ]
    process.evaluations.append(evaluation)
    record_process_event(process, "evaluation_submitted", actor, side=side)
    db.session.flush()
    return evaluation


def unmet_goals(process):
    """Goals that either side did not evaluate as met."""
    outcomes = {}
    for evaluation in process.evaluations:
        for goal_outcome in evaluation.goal_outcomes:
            outcomes.setdefault(goal_outcome.goal_id, set()).add(goal_outcome.outcome)
    return [goal for goal in process.agreement.goals if outcomes.get(goal.id, set()) != {"met"}]


def close_process(process, outcome, next_step, actor, today=None):
    """Close after both final evaluations. `next_step`: "end", "new_process" (the mentee
    is matched again) or "redefine" (the same pair continues with the unmet goals).
    Returns the new process when redefined."""
    _check_closing(process, outcome, next_step)
    today = today or date.today()
    process.outcome = outcome
    process.state = "closed"
    record_process_event(process, "state_changed", actor, from_state="in_evaluation", to_state="closed",
                         outcome=outcome, next_step=next_step)
    if next_step != "redefine":
        _finish(process, today, mentee_status="waiting" if next_step == "new_process" else "left")
        db.session.flush()
        return None
    return _redefined(process, actor, today)


def _check_closing(process, outcome, next_step):
    if process.state != "in_evaluation":
        raise ProcessRefused(_("Only a process in final evaluation can be closed."))
    if process.evaluation_by("mentor") is None or process.evaluation_by("mentee") is None:
        raise ProcessRefused(_("Both the mentor and the mentee must submit their final evaluation first."))
    if next_step == "redefine" and not unmet_goals(process):
        raise ProcessRefused(_("Every goal was met: there is nothing to redefine."))
    if outcome == "redefined" and next_step != "redefine":
        raise ProcessRefused(_("The outcome \u201cgoals redefined\u201d goes with continuing in a new process."),
                             field="next_step", status=400)
    if next_step == "redefine" and outcome != "redefined":
        raise ProcessRefused(_("For the same pair to continue, choose the outcome \u201cgoals redefined in a new "
                               "process\u201d."), field="outcome", status=400)


def _redefined(process, actor, today):
    """The same pair continues in a new process, with the goals not met and the same terms."""
    carried = unmet_goals(process)
    process.closed_on = today
    process.next_follow_up_on = process.next_meeting_due_on = None
    successor = create_process(process.mentor, process.mentee, actor, process.cadence, today, redefined_from=process)
    previous = process.agreement
    save_agreement(
        successor,
        {
            "meeting_frequency": previous.meeting_frequency,
            "mode": previous.mode,
            "place": previous.place,
            "mentor_duties": previous.mentor_duties,
            "mentee_duties": previous.mentee_duties,
            "goals": [{"kind": goal.kind, "text": goal.text, "target_date": None} for goal in carried],
        },
        base_version=0,
        actor=actor,
    )
    return successor
