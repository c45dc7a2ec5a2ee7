from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from network.core.permissions import permission_required
from network.core.submit import StaleEdit, get_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.matching import services
from tenants.matching.models import CRITERIA
from tenants.matching.schemas import MatchingSettingsSchema, MatchSchema
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import CADENCES

bp = Blueprint("matching", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/matching")

SUBJECTS = {"mentee": Mentee, "mentor": Mentor}


def _suggestions_page(role, subject_id):
    model = SUBJECTS[role]
    # To show the page, its support areas and languages with its row: the suggestions read both,
    # and two lazy loads were two more round trips. Not to confirm a match, which locks the row
    # again (FOR UPDATE cannot lock the outer join's side).
    links = [joinedload(model.support_areas), joinedload(model.languages)] if request.method == "GET" else []
    subject = get_or_404(model, subject_id, options=links)
    errors, status = {}, 200
    if request.method == "POST":
        data, errors = load_form(MatchSchema())
        if not errors:
            candidate = get_or_404(SUBJECTS["mentor" if role == "mentee" else "mentee"], data["candidate_id"])
            mentor, mentee = (candidate, subject) if role == "mentee" else (subject, candidate)
            process, refusal, _replayed = submit(services.confirm_match, mentor, mentee, current_user,
                                                 data["cadence"])
            if refusal:
                flash(refusal.message, "error")
                status = refusal.status
            else:
                flash(_("%(mentor)s and %(mentee)s are matched. Next: draft their agreement.",
                        mentor=mentor.full_name, mentee=mentee.full_name), "info")
                return redirect(url_for("processes.detail", process_id=process.id))
    suggestions = services.suggest_mentors(subject) if role == "mentee" else services.suggest_mentees(subject)
    return render_template(
        "matching/suggestions.html", role=role, subject=subject,
        suggestions=services.explained(suggestions),
        # Translated once for the page's ten forms.
        cadences=[(key, str(label)) for key, label in CADENCES.items()], errors=errors,
    ), 400 if errors else status


@bp.route("/mentees/<id:mentee_id>", methods=["GET", "POST"])
@permission_required("matching.suggest")
def mentors_for_mentee(mentee_id):
    return _suggestions_page("mentee", mentee_id)


@bp.route("/mentors/<id:mentor_id>", methods=["GET", "POST"])
@permission_required("matching.suggest")
def mentees_for_mentor(mentor_id):
    return _suggestions_page("mentor", mentor_id)


@bp.route("/settings", methods=["GET", "POST"])
@permission_required("matching.configure")
def settings():
    current = services.matching_settings()
    errors, status, theirs = {}, 200, None
    form = _settings_form(current)
    if request.method == "POST":
        form = request.form.to_dict()
        data, errors = load_form(MatchingSettingsSchema())
        if not errors:
            # Settings saved before carry a version: two administrators editing at once don't overwrite.
            version = (current, request.form.get("version", type=int)) if current.id else None
            refusal = submit(services.save_matching_settings, data, version=version).refusal
            if refusal is None:
                flash(_("The matching weights have been saved."), "info")
                return redirect(url_for("matching.settings"))
            errors, status = refusal.errors, refusal.status
            if isinstance(refusal, StaleEdit):
                current = services.matching_settings()
                theirs, form["version"] = _settings_form(current), current.row_version
    return render_template("matching/settings.html", form=form, errors=errors, theirs=theirs, criteria=CRITERIA), \
        400 if errors and status == 200 else status


def _settings_form(settings):
    return {f"weight_{c}": settings.weights[c] for c in CRITERIA} | {
        "max_mentees_per_mentor": settings.max_mentees_per_mentor,
        "mentee_choice": "yes" if settings.mentee_choice else "no", "version": settings.row_version or ""}
