"""The mentees' choice: the mentee's page in the portal, the mentor's consent to show their
profile, and the staff's list of choices to confirm."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.extensions import db
from network.core.permissions import permission_required
from network.core.submit import submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.matching import choice
from tenants.matching.schemas import ProfileSharingSchema
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import CADENCES

bp = Blueprint("mentee_choice", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)


def _me(model):
    me = db.session.scalar(db.select(model).where(model.user_id == current_user.id))
    if me is None:
        abort(404)
    return me


@bp.route("/portal/choose-mentor", methods=["GET", "POST"])
@permission_required("matching.choose")
def choose():
    mentee = _me(Mentee)
    if request.method == "POST":
        action = choice.choose if "choose" in request.form else choice.ask_for_another
        mentor_id = request.form.get("choose") or request.form.get("another") or ""
        if not mentor_id.isdigit():
            flash(_("Choose a mentor."), "error")
        else:
            refusal = submit(action, mentee, int(mentor_id)).refusal
            if refusal:
                flash(refusal.message, "error")
            elif action is choice.choose:
                flash(_("Thank you: the team will confirm your mentor soon."), "info")
            return redirect(url_for("mentee_choice.choose"))
    current = choice.choice_of(mentee)
    return render_template("matching/choose_mentor.html", mentee=mentee, enabled=choice.choice_enabled(),
                           mentors=choice.suggested_mentors(mentee) if choice.choice_enabled() else [],
                           chosen=current.chosen_mentor_id if current else None)


@bp.route("/portal/profile-for-mentees", methods=["GET", "POST"])
@permission_required("matching.share_profile")
def share_profile():
    mentor = _me(Mentor)
    form = {"shares_profile": "yes" if mentor.shares_profile else "no", "short_bio": mentor.short_bio or ""}
    errors = {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(ProfileSharingSchema())
        if not errors:
            submit(choice.share_profile, mentor, data["shares_profile"] == "yes", data.get("short_bio"))
            flash(_("Saved."), "info")
            return redirect(url_for("mentee_choice.share_profile"))
    return render_template("matching/share_profile.html", mentor=mentor, form=form, errors=errors), \
        400 if errors else 200


@bp.route("/matching/choices", methods=["GET", "POST"])
@permission_required("matching.batch")
def choices():
    if request.method == "POST":
        choice_id, cadence = request.form.get("choice_id", ""), request.form.get("cadence", "monthly")
        if not choice_id.isdigit() or cadence not in CADENCES:
            flash(_("Choose one of the options."), "error")
        else:
            process, refusal = submit(choice.confirm_choice, int(choice_id), current_user, cadence)[:2]
            if refusal:
                flash(refusal.message, "error")
            else:
                flash(_("%(mentor)s and %(mentee)s are matched. Next: draft their agreement.",
                        mentor=process.mentor.full_name, mentee=process.mentee.full_name), "info")
        return redirect(url_for("mentee_choice.choices"))
    return render_template("matching/choices.html", rows=choice.choices_to_confirm(), cadences=CADENCES,
                           enabled=choice.choice_enabled())
