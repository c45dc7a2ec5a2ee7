from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.extensions import db
from network.permissions import permission_required
from network.validation import load_form
from tenants.matching import services
from tenants.matching.models import CRITERIA
from tenants.matching.schemas import MatchingSettingsSchema, MatchSchema
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import CADENCES
from tenants.processes.services import commit_change
from tenants.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("matching", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/matching")

SUBJECTS = {"mentee": Mentee, "mentor": Mentor}


def _suggestions_page(role, subject_id):
    subject = db.session.get(SUBJECTS[role], subject_id)
    if subject is None:
        abort(404)
    errors = {}
    if request.method == "POST":
        data, errors = load_form(MatchSchema())
        candidate = None if errors else db.session.get(SUBJECTS["mentor" if role == "mentee" else "mentee"],
                                                       data["candidate_id"])
        if not errors and candidate is None:
            abort(404)
        if not errors:
            mentor, mentee = (candidate, subject) if role == "mentee" else (subject, candidate)
            process, refusal = commit_change(services.confirm_match, mentor, mentee, current_user, data["cadence"])
            if refusal:
                flash(refusal.message, "error")
            else:
                flash(_("%(mentor)s and %(mentee)s are matched. Next: draft their agreement.",
                        mentor=mentor.full_name, mentee=mentee.full_name), "info")
                return redirect(url_for("processes.detail", process_id=process.id))
    suggestions = services.suggest_mentors(subject) if role == "mentee" else services.suggest_mentees(subject)
    return render_template(
        "matching/suggestions.html", role=role, subject=subject,
        suggestions=services.explained(suggestions),
        cadences=CADENCES, errors=errors,
    ), 400 if errors else 200


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
    form = {f"weight_{c}": current.weights[c] for c in CRITERIA} | {
        "max_mentees_per_mentor": current.max_mentees_per_mentor,
        "mentee_choice": "yes" if current.mentee_choice else "no"}
    errors = {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(MatchingSettingsSchema())
        if not errors:
            services.save_matching_settings(data)
            db.session.commit()
            flash(_("The matching weights have been saved."), "info")
            return redirect(url_for("matching.settings"))
    return render_template("matching/settings.html", form=form, errors=errors, criteria=CRITERIA), \
        400 if errors else 200
