"""Staff pages of the mentoring processes: list, detail with timeline, and every step."""
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from network.core.extensions import db
from network.core.permissions import permission_required
from network.core.reference.models import SupportArea
from network.core.submit import found_or_404, redirect_replayed, submit, submitted_key
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.participants.models import PREFERRED_LANGUAGES
from tenants.participants.schemas import CASELOAD_FILTERS
from tenants.portal import services as portal
from tenants.processes import scheduling, services
from tenants.processes.calendar_download import calendar_download
from tenants.processes.models import (
    AGREEMENT_MODES,
    CHANGES,
    GOAL_KINDS,
    GOAL_OUTCOMES,
    GOAL_PROGRESS,
    MEETING_FREQUENCIES,
    MEETING_MODES,
    NEXT_STEPS,
    OUTCOMES,
    PROCESS_STATES,
    SIDES,
)
from tenants.processes.schemas import (
    MAX_GOALS,
    AcceptanceSchema,
    AgreementSchema,
    CloseSchema,
    EvaluationSchema,
    FollowUpSchema,
    MeetingSchema,
    NextMeetingSchema,
    TransitionSchema,
    evaluation_form,
    goal_rows,
    keyed_values,
    meeting_form,
)

bp = Blueprint("processes", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/processes")

PER_PAGE = 25
ATTENTION = {"meeting_overdue", "follow_up_due"}


def _process_or_404(process_id):
    return found_or_404(services.get_process(process_id))


@bp.get("/")
@permission_required("processes.manage")
def index():
    state, attention, owner, search = filters = list_filters()
    return list_page(services.process_query(state, attention, search, owner=owner, user_id=current_user.id),
                     *filters)


def list_filters():
    """(state, attention, owner, search) from the query string; an unknown one shows everything."""
    state = request.args.get("state") or None
    attention = request.args.get("attention") or None
    owner = request.args.get("owner") or None
    search = (request.args.get("q") or "").strip()[:100] or None
    if (state and state not in PROCESS_STATES) or (attention and attention not in ATTENTION) or \
            (owner and owner not in CASELOAD_FILTERS):
        flash(_("Unknown filter: showing every process."), "error")
        state = attention = owner = None
    return state, attention, owner, search


def list_page(query, state, attention, owner, search):
    """The list page of `query`'s processes (also the naive peer's, bench/peer.py: one page, two apps)."""
    page = db.paginate(query, per_page=PER_PAGE, error_out=False, max_per_page=PER_PAGE)
    return render_template("processes/index.html", page=page, state=state, attention=attention, search=search or "",
                           states=PROCESS_STATES, today=date.today(), owner=owner, caseload=CASELOAD_FILTERS)


@bp.get("/<id:process_id>")
@permission_required("processes.manage")
def detail(process_id):
    return _detail_page(_process_or_404(process_id))


def _detail_page(process, close_form=None, close_errors=None, status=200):
    """The process page; a refused close shows again with its choices and the reason by the field."""
    return render_template(
        "processes/detail.html",
        process=process,
        close_form=close_form or {},
        close_errors=close_errors or {},
        transitions=[state for state in services.allowed_transitions(process) if state != "closed"],
        states=PROCESS_STATES,
        next_follow_up=services.next_follow_up_due(process),
        today=date.today(),
        sides=SIDES,
        outcomes=OUTCOMES,
        next_steps=NEXT_STEPS,
        goal_progress=GOAL_PROGRESS,
        support_areas=_support_area_labels(),
        follow_up_answers=portal.answers_by_sequence(process),
    ), status


def _support_area_labels():
    return {area.code: area.label for area in db.session.scalars(sa.select(SupportArea).order_by(SupportArea.position))}


@bp.post("/<id:process_id>/transition")
@permission_required("processes.manage")
def transition(process_id):
    process = _process_or_404(process_id)
    data, errors = load_form(TransitionSchema())
    if errors:
        flash(" ".join(str(m) for messages in errors.values() for m in messages), "error")
        return redirect(url_for("processes.detail", process_id=process.id))
    refusal = submit(services.transition, process, data["to_state"], current_user, data.get("reason")).refusal
    if refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The process is now: %(state)s.", state=process.state_label), "info")
    return redirect(url_for("processes.detail", process_id=process.id))


# --- agreement ---------------------------------------------------------------

def _agreement_form(process):
    agreement = process.agreement
    if agreement is None:
        return {"meeting_frequency": "weekly", "mode": "in_person", "base_version": 0, "goals": []}
    return {
        "meeting_frequency": agreement.meeting_frequency, "mode": agreement.mode, "place": agreement.place or "",
        "mentor_duties": agreement.mentor_duties, "mentee_duties": agreement.mentee_duties,
        "base_version": agreement.version,
        "goals": [{"kind": g.kind, "text": g.text, "target_date": g.target_date.isoformat() if g.target_date else ""}
                  for g in agreement.goals],
    }


@bp.route("/<id:process_id>/agreement", methods=["GET", "POST"])
@permission_required("processes.manage")
def edit_agreement(process_id):
    process = _process_or_404(process_id)
    form, errors, status = _agreement_form(process), {}, 200
    if request.method == "POST":
        form = {**request.form.to_dict(), "goals": goal_rows(request.form)}
        data, errors = load_form(AgreementSchema(), form)
        if not errors:
            refusal = submit(services.save_agreement, process, data, data["base_version"], current_user).refusal
            if refusal:
                errors, status = refusal.errors, refusal.status
                process = _process_or_404(process_id)
            else:
                flash(_("The agreement has been saved. The mentor and the mentee must accept it."), "info")
                return redirect(url_for("processes.detail", process_id=process.id))
        status = status if status != 200 else 400
    return render_template(
        "processes/agreement_form.html", process=process, form=form, errors=errors, max_goals=MAX_GOALS,
        goal_kinds=GOAL_KINDS, frequencies=MEETING_FREQUENCIES, modes=AGREEMENT_MODES,
    ), status


@bp.post("/<id:process_id>/agreement/accept")
@permission_required("processes.manage")
def accept_agreement(process_id):
    """Staff record an acceptance given on paper or in person."""
    process = _process_or_404(process_id)
    data, errors = load_form(AcceptanceSchema())
    if errors:
        abort(400)
    refusal = submit(services.accept_agreement, process, data["side"], current_user, data["version"]).refusal
    if refusal:
        flash(refusal.message, "error")
    else:
        flash(_("The acceptance has been recorded."), "info")
    return redirect(url_for("processes.detail", process_id=process.id))


@bp.get("/<id:process_id>/agreement/print")
@permission_required("processes.manage")
def print_agreement(process_id):
    process = _process_or_404(process_id)
    found_or_404(process.agreement)
    # Unless staff ask for another, in the language of the mentee, who signs it.
    language = request.args.get("lang")
    if language not in PREFERRED_LANGUAGES:
        language = process.mentee.preferred_language
    with force_locale(language):
        return render_template("processes/agreement_print.html", process=process, agreement=process.agreement,
                               lang_tag=language.replace("_", "-"))


# --- meetings, follow-ups, evaluations, closing -------------------------------

@bp.route("/<id:process_id>/meetings/new", methods=["GET", "POST"])
@permission_required("processes.manage")
def new_meeting(process_id):
    process = _process_or_404(process_id)
    form = {"held_on": date.today().isoformat(), "duration_minutes": "60", "mode": "in_person", "topics": []}
    errors = {}
    if request.method == "POST":
        form = meeting_form(request.form)
        data, errors = load_form(MeetingSchema(), form)
        if not errors:
            unknown = set(data["topics"]) - set(_support_area_labels())
            if unknown:
                errors = {"topics": [_("Choose topics from the list.")]}
        if not errors:
            outcome = submit(services.log_meeting, process, data, current_user, "staff", once=submitted_key(),
                             location=lambda meeting: url_for("processes.detail", process_id=process_id))
            if outcome.replayed:
                return redirect_replayed(outcome)
            if outcome.refusal:
                errors = outcome.refusal.errors
                process = _process_or_404(process_id)
            else:
                flash(_("The meeting has been logged."), "info")
                return redirect(url_for("processes.detail", process_id=process.id))
    return render_template("processes/meeting_form.html", process=process, form=form, errors=errors,
                           modes=MEETING_MODES, support_areas=_support_area_labels()), 400 if errors else 200


@bp.route("/<id:process_id>/follow-ups/new", methods=["GET", "POST"])
@permission_required("processes.manage")
def new_follow_up(process_id):
    process = _process_or_404(process_id)
    due_on = services.next_follow_up_due(process)
    if due_on is None:
        flash(_("Follow-ups are recorded while the process is active."), "error")
        return redirect(url_for("processes.detail", process_id=process.id))
    # The participants may have answered from the portal: start from their answers.
    form, errors = {"held_on": date.today().isoformat(), **portal.follow_up_form_from_answers(process)}, {}
    if request.method == "POST":
        form = {**request.form.to_dict(), "progress": keyed_values(request.form, "progress")}
        data, errors = load_form(FollowUpSchema(), form)
        if not errors and set(data["progress"]) != {goal.id for goal in process.agreement.goals}:
            errors = {"progress": [_("Give the progress of every goal.")]}
        if not errors:
            outcome = submit(services.record_follow_up, process, data, current_user, once=submitted_key(),
                             location=lambda follow_up: url_for("processes.detail", process_id=process_id))
            if outcome.replayed:
                return redirect_replayed(outcome)
            refusal = outcome.refusal
            if refusal:
                errors = refusal.errors
                process = _process_or_404(process_id)
            else:
                flash(_("The follow-up has been recorded."), "info")
                return redirect(url_for("processes.detail", process_id=process.id))
    answers = portal.answers_by_sequence(process).get(len(process.follow_ups) + 1, [])
    return render_template("processes/follow_up_form.html", process=process, form=form, errors=errors,
                           due_on=due_on, goal_progress=GOAL_PROGRESS, answers=answers), 400 if errors else 200


@bp.route("/<id:process_id>/evaluations/<any(mentor, mentee):side>", methods=["GET", "POST"])
@permission_required("processes.manage")
def evaluation(process_id, side):
    process = _process_or_404(process_id)
    if process.state != "in_evaluation" or process.evaluation_by(side) is not None:
        flash(_("This final evaluation cannot be filled in now."), "error")
        return redirect(url_for("processes.detail", process_id=process.id))
    form, errors = {"changes": [], "goal_outcomes": {}}, {}
    if request.method == "POST":
        form = evaluation_form(request.form)
        data, errors = load_form(EvaluationSchema(), form)
        if not errors:
            outcome = submit(services.submit_evaluation, process, side, data, current_user, once=submitted_key(),
                             location=lambda evaluation: url_for("processes.detail", process_id=process_id))
            if outcome.replayed:
                return redirect_replayed(outcome)
            refusal = outcome.refusal
            if refusal:
                errors = refusal.errors
                process = _process_or_404(process_id)
            else:
                flash(_("The final evaluation has been saved."), "info")
                return redirect(url_for("processes.detail", process_id=process.id))
    return render_template("processes/evaluation_form.html", process=process, side=side, side_label=SIDES[side],
                           form=form, errors=errors, changes=CHANGES, goal_outcomes=GOAL_OUTCOMES), \
        400 if errors else 200


@bp.post("/<id:process_id>/close")
@permission_required("processes.manage")
def close(process_id):
    process = _process_or_404(process_id)
    data, errors = load_form(CloseSchema())
    if errors:
        flash(_("Choose the outcome and what happens next."), "error")
        return redirect(url_for("processes.detail", process_id=process.id))
    successor, refusal, _replayed = submit(services.close_process, process, data["outcome"], data["next_step"],
                                           current_user)
    if refusal:
        return _detail_page(_process_or_404(process_id), data, refusal.errors, refusal.status)
    if successor is not None:
        flash(_("The process is closed and a new one continues with the unmet goals."), "info")
        return redirect(url_for("processes.detail", process_id=successor.id))
    flash(_("The process is closed."), "info")
    return redirect(url_for("processes.detail", process_id=process.id))


# --- the next meeting: scheduled, sent and downloadable as a calendar invitation ---------

@bp.post("/<id:process_id>/next-meeting")
@permission_required("processes.manage")
def schedule_next_meeting(process_id):
    process = _process_or_404(process_id)
    data, errors = load_form(NextMeetingSchema())
    if not errors:
        refusal = submit(scheduling.schedule_next_meeting, process, data, current_user).refusal
        errors = refusal.errors if refusal else {}
    if errors:
        flash(" ".join(str(message) for messages in errors.values() for message in messages), "error")
    else:
        flash(_("The next meeting is scheduled; the mentor and the mentee were sent the invitation."), "info")
    return redirect(url_for("processes.detail", process_id=process.id) + "#next-meeting")


@bp.get("/<id:process_id>/next-meeting.ics")
@permission_required("processes.manage")
def next_meeting_ics(process_id):
    process = _process_or_404(process_id)
    attendees = [(person.full_name, person.email) for person in (process.mentor, process.mentee) if person.email]
    return calendar_download(process, attendees, url_for("processes.detail", process_id=process.id))
