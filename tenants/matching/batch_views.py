"""Batch matching pages: propose for the waiting list, follow the job, pin, exclude, run again,
confirm, and explain any pair."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from network.core.extensions import db
from network.core.jobs import JobsUnavailable, enqueue
from network.core.permissions import permission_required
from network.core.submit import get_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from tenants.matching import proposals, services
from tenants.matching.models import PROPOSAL_MODES, MatchingProposal, WhyNotQuestion
from tenants.matching.scoring import Suggestion, score_pair
from tenants.matching.tasks import answer_why_not, run_proposal
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import CADENCES

bp = Blueprint("batch_matching", __name__, template_folder="templates",
               url_prefix=TENANT_URL_PREFIX + "/matching/batch")

RECENT_PROPOSALS = 10
CONSTRAINTS = {"pin": proposals.pin, "exclude": proposals.exclude, "release": proposals.release}


def _start(job, record, endpoint, **values):
    """Queue the job that computes `record` (committed), then show its page. When the queue
    cannot take the job, the record is kept and marked so: its page says the queue is
    unreachable and offers to ask again."""
    try:
        enqueue(job, record.id, tenant_id=g.tenant.id)
    except JobsUnavailable:
        submit(proposals.not_queued, record)
    return redirect(url_for(endpoint, **values))


def _propose(create, *args):
    proposal = submit(create, *args).result
    return _start(run_proposal, proposal, "batch_matching.proposal", proposal_id=proposal.id)


def _following(page, record):
    """The page of a record a job computes: it reloads itself while the job works."""
    response = current_app.make_response(page)
    if record.in_progress:
        response.headers["Refresh"] = "2"  # the page follows the job's progress without a script
    return response


def _pair(text):
    """(mentee id, mentor id) from "12:34", or None."""
    mentee, _, mentor = (text or "").partition(":")
    if not (mentee.isdigit() and mentor.isdigit()):
        return None
    return int(mentee), int(mentor)


@bp.route("/", methods=["GET", "POST"])
@permission_required("matching.batch")
def index():
    errors = {}
    mode = request.form.get("mode", "fair")
    if request.method == "POST":
        if mode not in PROPOSAL_MODES:
            errors = {"mode": [_("Choose one of the options.")]}
        else:
            return _propose(proposals.create_proposal, current_user, mode)
    recent = db.session.scalars(db.select(MatchingProposal).order_by(MatchingProposal.id.desc())
                                .limit(RECENT_PROPOSALS)).all()
    return render_template("matching/batch_index.html", recent=recent, modes=PROPOSAL_MODES, mode=mode,
                           errors=errors), 400 if errors else 200


@bp.get("/<id:proposal_id>")
@permission_required("matching.batch")
def proposal(proposal_id):
    proposal = get_or_404(MatchingProposal, proposal_id)
    page = request.args.get("page", 1, type=int) or 1
    pairs, pages = proposals.page_of_pairs(proposal, max(1, page))
    result = proposal.result or {}
    constrained = [*proposal.pins, *proposal.exclusions, *result.get("dropped_pins", [])]
    return _following(render_template(
        "matching/batch_proposal.html", proposal=proposal, result=result, pairs=pairs, page=page, pages=pages,
        cadences=CADENCES,
        mentee_names=proposals.names(Mentee, [pair[0] for pair in constrained] + result.get("unmatched", [])[:50]),
        mentor_names=proposals.names(Mentor, [pair[1] for pair in constrained])), proposal)


@bp.post("/<id:proposal_id>/constraints")
@permission_required("matching.batch")
def constraints(proposal_id):
    proposal = get_or_404(MatchingProposal, proposal_id)
    for action, change in CONSTRAINTS.items():
        pair = _pair(request.form.get(action))
        if pair:
            submit(change, proposal, *pair)
            flash(_("Saved. Run the proposal again to apply it."), "info")
            break
    else:
        flash(_("Choose a pair."), "error")
    return redirect(url_for("batch_matching.proposal", proposal_id=proposal.id,
                            page=request.form.get("page", 1, type=int)))


@bp.post("/<id:proposal_id>/rerun")
@permission_required("matching.batch")
def rerun(proposal_id):
    return _propose(proposals.run_again, get_or_404(MatchingProposal, proposal_id), current_user)


@bp.post("/<id:proposal_id>/confirm")
@permission_required("matching.batch")
def confirm(proposal_id):
    proposal = get_or_404(MatchingProposal, proposal_id)
    cadence = request.form.get("cadence", "monthly")
    pairs = [pair for pair in map(_pair, request.form.getlist("pair")) if pair]
    if cadence not in CADENCES or not pairs:
        flash(_("Choose the pairs to confirm.") if not pairs else _("Choose one of the options."), "error")
        return redirect(url_for("batch_matching.proposal", proposal_id=proposal.id))
    mentee_names = proposals.names(Mentee, [mentee for mentee, _ in pairs])
    confirmed = 0
    for mentee_id, mentor_id in pairs:
        # One transaction per pair: a refused pair rolls back alone and the others go through.
        refusal = submit(proposals.confirm_pair, proposal_id, mentee_id, mentor_id, current_user,
                                cadence).refusal
        if refusal:
            flash(_("%(mentee)s: %(reason)s", mentee=mentee_names.get(mentee_id, "—"), reason=refusal.message),
                  "error")
        else:
            confirmed += 1
    if confirmed:
        flash(ngettext("%(num)d pair confirmed. Next: draft the agreement.",
                       "%(num)d pairs confirmed. Next: draft their agreements.", confirmed), "info")
    return redirect(url_for("batch_matching.proposal", proposal_id=proposal_id))


def _explained_pair(mentee, mentor):
    settings = services.matching_settings()
    suggestion = Suggestion(services.mentor_profile(mentor),
                            *score_pair(services.mentee_profile(mentee), services.mentor_profile(mentor),
                                        settings.weights, settings.max_mentees_per_mentor))
    return suggestion, services.explain(suggestion)


@bp.get("/<id:proposal_id>/mentees/<id:mentee_id>")
@permission_required("matching.batch")
def mentee(proposal_id, mentee_id):
    proposal = get_or_404(MatchingProposal, proposal_id)
    mentee = db.session.get(Mentee, mentee_id) or abort(404)
    mentor_id = proposals.proposed_mentor(proposal, mentee.id)
    mentor = db.session.get(Mentor, mentor_id) if mentor_id else None
    others = [suggestion for suggestion in services.suggest_mentors(mentee) if suggestion.candidate.id != mentor_id] \
        if mentee.status == "waiting" else []
    return render_template("matching/batch_mentee.html", proposal=proposal, mentee=mentee, mentor=mentor,
                           proposed=_explained_pair(mentee, mentor) if mentor else None,
                           others=services.explained(others))


@bp.post("/<id:proposal_id>/mentees/<id:mentee_id>/why-not")
@permission_required("matching.batch")
def ask_why_not(proposal_id, mentee_id):
    proposal = get_or_404(MatchingProposal, proposal_id)
    mentee = db.session.get(Mentee, mentee_id) or abort(404)
    mentor_id = request.form.get("mentor_id", "")
    mentor = (db.session.get(Mentor, int(mentor_id)) if mentor_id.isdigit() else None) or abort(404)
    question = submit(proposals.ask_why_not, proposal, mentee, mentor, current_user).result
    return _start(answer_why_not, question, "batch_matching.why_not", proposal_id=proposal.id,
                  why_not_id=question.id)


@bp.get("/<id:proposal_id>/why-not/<id:why_not_id>")
@permission_required("matching.batch")
def why_not(proposal_id, why_not_id):
    proposal = get_or_404(MatchingProposal, proposal_id)
    question = get_or_404(WhyNotQuestion, why_not_id)
    if question.proposal_id != proposal.id:
        abort(404)
    mentee = db.session.get(Mentee, question.mentee_id) or abort(404)
    mentor = db.session.get(Mentor, question.mentor_id) or abort(404)
    answer = (question.answer or {}).get("forced")
    rule = (question.answer or {}).get("rule")
    displaced = answer["displaced"] if answer else []
    mentor_ids = {mentor.id, *(entry[2] for entry in displaced if entry[2]),
                  *([answer["proposed_mentor"]] if answer and answer["proposed_mentor"] else [])}
    return _following(render_template(
        "matching/batch_why_not.html", proposal=proposal, question=question, mentee=mentee, mentor=mentor,
        rule=proposals.rule_text(rule, mentee, mentor) if rule else None, answer=answer,
        pair=_explained_pair(mentee, mentor),
        mentee_names=proposals.names(Mentee, {mentee.id, *(entry[0] for entry in displaced)}),
        mentor_names=proposals.names(Mentor, mentor_ids)), question)
