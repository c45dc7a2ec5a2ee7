"""The portal pages of mentors and mentees. Every page starts from "me" (the records of this
workspace linked to the signed-in account) and shows only my processes: any other process id
is simply not found."""
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from network.core.permissions import permission_required
from network.core.reference.services import active_support_areas
from network.core.submit import StaleEdit, found_or_404, redirect_replayed, submit, submitted_key
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.participants.models import PREFERRED_LANGUAGES
from tenants.portal import services
from tenants.portal.schemas import (
    CONTACT_FIELDS,
    ContactSchema,
    FollowUpAnswerSchema,
    MeetingAnswerSchema,
    contact_labels,
)
from tenants.processes import reminders as process_reminders
from tenants.processes import services as processes
from tenants.processes.calendar_download import calendar_download
from tenants.processes.models import CHANGES, CHANGES_OWN, GOAL_OUTCOMES, GOAL_PROGRESS, MEETING_MODES, SIDES
from tenants.processes.schemas import (
    AcceptanceSchema,
    EvaluationSchema,
    MeetingSchema,
    evaluation_form,
    keyed_values,
    meeting_form,
)

bp = Blueprint("portal", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/portal")

SATISFACTION_SCALE = [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")]


@bp.app_template_filter("bdi")
def bidi_isolate(name):
    """A person's name inside a sentence, isolated so that a right-to-left name (محمد) does
    not reorder the words around it."""
    return Markup("<bdi>{}</bdi>").format(name)


def _records():
    return services.my_records(current_user, g.roles)


def _my_process_or_404(process_id):
    process, side = services.my_process(_records(), process_id)
    return found_or_404(process), side


def _to_process(process):
    return redirect(url_for("portal.process", process_id=process.id))


def _support_area_labels():
    return {area.code: area.label for area in active_support_areas()}


@bp.get("/")
@permission_required("portal.use")
def home():
    records = _records()
    rows = []
    for process in services.my_processes(records):
        side = services.side_in(records, process)
        rows.append((process, side, services.pair_of(process, side), services.waiting_for_me(process, side)))
    return render_template("portal/home.html", records=records, rows=rows, waiting_labels=services.WAITING_FOR_ME,
                           activities=services.my_upcoming_activities(records))


def _contact_form(me):
    return {"email": me.email or "", "phone": me.phone or "", "shares_contact": "yes" if me.shares_contact else "no",
            "preferred_language": me.preferred_language, "version": me.row_version}


@bp.route("/profile/<any(mentor, mentee):side>", methods=["GET", "POST"])
@permission_required("portal.use")
def profile(side):
    me = found_or_404(_records().get(side))
    form, errors, status, theirs = _contact_form(me), {}, 200, None
    if request.method == "POST":
        form = request.form.to_dict()
        data, errors = load_form(ContactSchema(only=CONTACT_FIELDS))
        status = 400 if errors else 200
        if not errors:
            # Staff may have changed the same record since this form was opened: the version says.
            refusal = submit(services.update_contact, me, data, current_user,
                             version=(me, request.form.get("version", type=int))).refusal
            if not refusal:
                flash(_("Your contact details have been saved."), "info")
                return redirect(url_for("portal.profile", side=side))
            errors, status, me = refusal.errors, refusal.status, _records()[side]
            if isinstance(refusal, StaleEdit):
                # The typed values stay; the saved ones are shown beside them, and saving again
                # (now on the saved version) is a choice made knowing them.
                theirs = _contact_form(me)
                form["version"] = me.row_version
    return render_template("portal/profile.html", me=me, form=form, errors=errors, theirs=theirs,
                           field_labels=contact_labels(me.role), languages=PREFERRED_LANGUAGES.items()), status


@bp.get("/processes/<id:process_id>")
@permission_required("portal.use")
def process(process_id):
    process, side = _my_process_or_404(process_id)
    follow_up = services.next_follow_up(process)
    return render_template(
        "portal/process.html",
        process=process,
        side=side,
        pair=services.pair_of(process, side),
        agreement=process.agreement,
        follow_up=follow_up,
        answerable=services.answerable_follow_up(process, side),
        answer=services.answer_of(process, side, follow_up[0]) if follow_up else None,
        answer_opens_on=services.answer_opens_on(follow_up[1]) if follow_up else None,
        evaluation=process.evaluation_by(side),
        support_areas=_support_area_labels(),
        today=date.today(),
    )


@bp.post("/processes/<id:process_id>/agreement/accept")
@permission_required("portal.use")
def accept_agreement(process_id):
    process, side = _my_process_or_404(process_id)
    data, errors = load_form(AcceptanceSchema(), {**request.form.to_dict(), "side": side})
    if errors:
        abort(400)
    refusal = submit(processes.accept_agreement, process, side, current_user, data["version"]).refusal
    if refusal:
        flash(refusal.message, "error")
    else:
        flash(_("Thank you: you have accepted the agreement."), "info")
    return _to_process(process)


@bp.route("/processes/<id:process_id>/meetings/new", methods=["GET", "POST"])
@permission_required("portal.use")
def new_meeting(process_id):
    process, side = _my_process_or_404(process_id)
    support_areas = _support_area_labels()
    form = {"held_on": date.today().isoformat(), "duration_minutes": "60", "mode": "in_person", "topics": []}
    errors = {}
    if request.method == "POST":
        form = meeting_form(request.form)
        data, errors = load_form(MeetingSchema(), form)
        if not errors and set(data["topics"]) - set(support_areas):
            errors = {"topics": [_("Choose topics from the list.")]}
        if not errors:
            outcome = submit(services.log_my_meeting, process, side, data, current_user, once=submitted_key(),
                             location=lambda meeting: url_for("portal.process", process_id=process_id))
            if outcome.replayed:
                return redirect_replayed(outcome)
            if outcome.refusal:
                errors = outcome.refusal.errors
            else:
                flash(_("The meeting has been logged."), "info")
                return _to_process(process)
    return render_template("portal/meeting_form.html", process=process, form=form, errors=errors,
                           modes=MEETING_MODES, support_areas=support_areas), 400 if errors else 200


@bp.post("/processes/<id:process_id>/meetings/answer")
@permission_required("portal.use")
def answer_meeting(process_id):
    """My answer about a meeting logged in my process: it took place (confirmed), or not
    (disputed, with an optional reason). Another process's meeting is not found."""
    process, side = _my_process_or_404(process_id)
    meeting = found_or_404(services.meeting_of(process, request.form.get("meeting", type=int)))
    data, errors = load_form(MeetingAnswerSchema())
    if errors:
        flash(" ".join(message for messages in errors.values() for message in messages), "error")
    elif refusal := submit(services.answer_meeting, process, side, meeting, data, current_user).refusal:
        flash(refusal.message, "error")
    else:
        flash(_("Thank you: you have confirmed this meeting.") if data["answer"] == "confirmed" else
              _("Thank you: the team will see that you disputed this meeting."), "info")
    return redirect(url_for("portal.process", process_id=process.id) + f"#meeting-{meeting.id}")


@bp.route("/processes/<id:process_id>/follow-up", methods=["GET", "POST"])
@permission_required("portal.use")
def follow_up(process_id):
    process, side = _my_process_or_404(process_id)
    answerable = services.answerable_follow_up(process, side)
    if answerable is None:
        flash(_("There is no follow-up to answer now."), "error")
        return _to_process(process)
    form, errors = {"progress": {}}, {}
    if request.method == "POST":
        form = {**request.form.to_dict(), "progress": keyed_values(request.form, "progress")}
        data, errors = load_form(FollowUpAnswerSchema(), form)
        if not errors:
            outcome = submit(services.answer_follow_up, process, side, data, current_user, once=submitted_key(),
                             location=lambda answer: url_for("portal.process", process_id=process_id))
            if outcome.replayed:
                return redirect_replayed(outcome)
            errors = outcome.refusal.errors if outcome.refusal else {}
            if not errors:
                flash(_("Thank you: your answers have been sent to the team."), "info")
                return _to_process(process)
    return render_template("portal/follow_up_form.html", process=process, due_on=answerable[1], form=form,
                           errors=errors, goal_progress=GOAL_PROGRESS, scale=SATISFACTION_SCALE), \
        400 if errors else 200


@bp.route("/processes/<id:process_id>/evaluation", methods=["GET", "POST"])
@permission_required("portal.use")
def evaluation(process_id):
    process, side = _my_process_or_404(process_id)
    if process.state != "in_evaluation" or process.evaluation_by(side) is not None:
        flash(_("The final evaluation cannot be filled in now."), "error")
        return _to_process(process)
    form, errors = {"changes": [], "goal_outcomes": {}}, {}
    if request.method == "POST":
        form = evaluation_form(request.form)
        data, errors = load_form(EvaluationSchema(), form)
        if not errors:
            outcome = submit(processes.submit_evaluation, process, side, data, current_user, once=submitted_key(),
                             location=lambda evaluation: url_for("portal.process", process_id=process_id))
            if outcome.replayed:
                return redirect_replayed(outcome)
            refusal = outcome.refusal
            if refusal:
                errors = refusal.errors
            else:
                flash(_("Thank you: your final evaluation has been sent."), "info")
                return _to_process(process)
    return render_template("portal/evaluation_form.html", process=process, side_label=SIDES[side], form=form,
                           errors=errors, changes=CHANGES_OWN if side == "mentee" else CHANGES,
                           goal_outcomes=GOAL_OUTCOMES, scale=SATISFACTION_SCALE), \
        400 if errors else 200


@bp.get("/processes/<id:process_id>/next-meeting.ics")
@permission_required("portal.use")
def next_meeting_ics(process_id):
    process, side = _my_process_or_404(process_id)
    me = getattr(process, side)
    return calendar_download(process, [(me.full_name, me.email)] if me.email else [],
                             url_for("portal.process", process_id=process.id))


@bp.post("/processes/<id:process_id>/reminders")
@permission_required("portal.use")
def reminders(process_id):
    """The portal's setting: this side's meeting reminders of this process, off or on again."""
    process, side = _my_process_or_404(process_id)
    on = request.form.get("on") == "yes"
    if not submit(process_reminders.set_reminders, process, side, on, current_user).refusal:
        flash(_("You will receive meeting reminders again.") if on else
              _("You will receive no more meeting reminders for this mentoring."), "info")
    return redirect(url_for("portal.process", process_id=process.id) + "#reminders")
