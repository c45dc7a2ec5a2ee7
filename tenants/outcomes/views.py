"""Staff page of a process's outcome measures: the mentee's answers at the start and at
closing, the mentor's at closing, and Goal Attainment Scaling of the agreement's goals."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import found_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.outcomes import services
from tenants.outcomes.measures import CHANGES, GAS_SCORES, STAGES, current_measures
from tenants.outcomes.schemas import (
    ExpectationsSchema,
    ScoresSchema,
    assessment_schema,
    expectations_form,
    scores_form,
)
from tenants.processes import services as processes

bp = Blueprint("outcomes", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/processes")


def _page(process, errors=None, form=None, status=200):
    return render_template(
        "outcomes/process.html", process=process, measures=current_measures(), stages=STAGES,
        assessments=services.assessments(process), attainments=services.attainments(process),
        t_score=services.t_score(process), changes=services.changes(process), gas_scores=GAS_SCORES,
        change_labels=CHANGES, stage_states=services.STAGE_STATES, errors=errors or {}, form=form or {},
    ), status


def _after(process, outcome, message):
    if outcome.refusal:
        return _page(found_or_404(processes.get_process(process.id)), outcome.refusal.errors, request.form,
                     outcome.refusal.status)
    flash(message, "info")
    return redirect(url_for("outcomes.process", process_id=process.id))


@bp.get("/<id:process_id>/outcomes")
@permission_required("processes.manage")
def process(process_id):
    return _page(found_or_404(processes.get_process(process_id)))


@bp.post("/<id:process_id>/outcomes/<any(mentee, mentor):side>/<any(intake, closing):stage>")
@permission_required("processes.manage")
def assessment(process_id, side, stage):
    process = found_or_404(processes.get_process(process_id))
    data, errors = load_form(assessment_schema(side))
    if errors:
        return _page(process, errors, request.form, 400)
    outcome = submit(services.record_assessment, process, side, stage, data, current_user)
    return _after(process, outcome, _("The answers have been saved."))


@bp.post("/<id:process_id>/outcomes/expectations")
@permission_required("processes.manage")
def expectations(process_id):
    process = found_or_404(processes.get_process(process_id))
    data, errors = load_form(ExpectationsSchema(), expectations_form(request.form))
    if errors:
        return _page(process, errors, request.form, 400)
    outcome = submit(services.save_expectations, process, data["expectations"], current_user)
    return _after(process, outcome, _("The expected outcomes have been saved."))


@bp.post("/<id:process_id>/outcomes/scores")
@permission_required("processes.manage")
def scores(process_id):
    process = found_or_404(processes.get_process(process_id))
    data, errors = load_form(ScoresSchema(), scores_form(request.form))
    if errors:
        return _page(process, errors, request.form, 400)
    outcome = submit(services.score_goals, process, data["scores"], current_user)
    return _after(process, outcome, _("The goals have been scored."))


@bp.get("/<id:process_id>/outcomes/certificate/<any(mentor, mentee):side>.pdf")
@permission_required("processes.manage")
def certificate(process_id, side):
    """A participation certificate for the mentor or the mentee of a completed (closed) process,
    in their own language."""
    from tenants.outcomes.certificates import certificate_pdf

    process = found_or_404(processes.get_process(process_id))
    if process.state != "closed":
        flash(_("Certificates are issued once the process is closed."), "error")
        return redirect(url_for("outcomes.process", process_id=process.id))
    person = process.mentor if side == "mentor" else process.mentee
    minutes = sum(meeting.duration_minutes for meeting in process.meetings if meeting.is_verified)
    with force_locale(getattr(person, "preferred_language", None) or "pt_PT"):
        content = certificate_pdf(person.full_name, side, g.tenant.name, process.activated_on or process.matched_on,
                                  process.closed_on, minutes / 60 if minutes else None)
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{process.id}-{side}.pdf"'})
