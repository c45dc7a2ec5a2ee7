"""The intake questionnaire: staff record a participant's answers and add the partner's own
questions; the coordination team prepares and publishes the network-wide versions."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import found_or_404, get_or_404, redirect_replayed, submit, submitted_key
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.intake import services
from tenants.intake.models import QUESTION_KINDS, PartnerQuestion, Question, QuestionSet
from tenants.intake.schemas import QuestionSchema
from tenants.participants.models import PARTICIPANT_ROLES
from tenants.participants.services import get_participant
from tenants.participants.urls import add_participant_rule, participant_url

bp = Blueprint("intake", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)


def _choices(labels):
    return list(labels.items())


def answer_view(role, **ids):
    participant = found_or_404(get_participant(role, ids[f"{role}_id"]))
    question_set, questions = services.questionnaire(role)
    form = services.previous_answers(services.latest_intake(participant))
    errors = {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(services.answers_schema(questions))
        if not errors:
            refusal = submit(services.record_intake, participant, data, current_user).refusal
            if refusal:
                errors = refusal.errors
            else:
                flash(_("The answers are saved."), "info")
                return redirect(participant_url("detail", participant))
    return render_template(
        "intake/answer.html", participant=participant, question_set=question_set, questions=questions,
        form=form, errors=errors,
    ), 400 if errors else 200


add_participant_rule(bp, "/<id:{role}_id>/intake", "answers", answer_view, ("GET", "POST"))


def _question_form_context(form, errors):
    return {
        "form": form,
        "errors": errors,
        "role_options": _choices(PARTICIPANT_ROLES),
        "kind_options": _choices(QUESTION_KINDS),
    }


@bp.route("/intake/questions", methods=["GET", "POST"])
@permission_required("intake.partner_questions")
def partner_questions():
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(QuestionSchema())
        if not errors:
            outcome = submit(services.add_partner_question, data["role"], data, current_user, once=submitted_key(),
                             location=lambda question: url_for("intake.partner_questions"))
            if outcome.replayed:
                return redirect_replayed(outcome)
            refusal = outcome.refusal
            if refusal:
                errors = refusal.errors
            else:
                flash(_("The question is added to this workspace's questionnaire."), "info")
                return redirect(url_for("intake.partner_questions"))
    return render_template(
        "intake/partner_questions.html",
        questionnaires={role: services.questionnaire(role) for role in PARTICIPANT_ROLES},
        partner_questions={role: services.partner_questions(role) for role in PARTICIPANT_ROLES},
        **_question_form_context(form, errors),
    ), 400 if errors else 200


@bp.post("/intake/questions/<id:partner_question_id>/retire")
@permission_required("intake.partner_questions")
def retire_partner_question(partner_question_id):
    question = get_or_404(PartnerQuestion, partner_question_id)
    submit(services.retire_partner_question, question, current_user)
    flash(_("The question is no longer asked. Answers already given keep it."), "info")
    return redirect(url_for("intake.partner_questions"))


@bp.route("/question-sets", methods=["GET", "POST"])
@permission_required("intake.network_questions")
def question_sets():
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(QuestionSchema())
        if not errors:
            outcome = submit(services.add_network_question, data["role"], data, once=submitted_key(),
                             location=lambda question: url_for("intake.question_sets"))
            if outcome.replayed:
                return redirect_replayed(outcome)
            refusal = outcome.refusal
            if refusal:
                errors = refusal.errors
            else:
                flash(_("The question is added to the draft."), "info")
                return redirect(url_for("intake.question_sets"))
    return render_template(
        "intake/question_sets.html",
        sets={role: services.question_sets(role) for role in PARTICIPANT_ROLES},
        **_question_form_context(form, errors),
    ), 400 if errors else 200


def _change_draft(change, *args):
    refusal = submit(change, *args).refusal
    if refusal:
        flash(refusal.message, "error")
    return refusal is None


@bp.post("/question-sets/questions/<id:question_id>/remove")
@permission_required("intake.network_questions")
def remove_network_question(question_id):
    question = get_or_404(Question, question_id)
    if _change_draft(services.remove_draft_question, question):
        flash(_("The question is removed from the draft."), "info")
    return redirect(url_for("intake.question_sets"))


@bp.post("/question-sets/<id:question_set_id>/publish")
@permission_required("intake.network_questions")
def publish_question_set(question_set_id):
    question_set = get_or_404(QuestionSet, question_set_id)
    if _change_draft(services.publish_question_set, question_set):
        flash(_("Version %(version)d is published: every partner now asks these questions.",
                version=question_set.version), "info")
    return redirect(url_for("intake.question_sets"))
