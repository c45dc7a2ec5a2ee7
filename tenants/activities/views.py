"""Activity pages. Partner staff run their own activities and invite their participants to
the network's; coordinators create network activities and see their attendance as counts."""
from datetime import date

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.reference.services import company_choices
from network.core.submit import Outcome, Refused, StaleEdit, found_or_404, redirect_replayed, submit, submitted_key
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.activities import services
from tenants.activities.models import ACTIVITY_KINDS, ATTENDANCE, AUDIENCES
from tenants.activities.schemas import ActivitySchema, PartnerActivitySchema

bp = Blueprint("activities", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/activities")


@bp.app_template_filter("activity_kind_label")
def activity_kind_label(kind):
    """An activity's kind, in the language being rendered (pages and e-mails alike)."""
    return ACTIVITY_KINDS[kind]



def _activity_or_404(activity_id):
    return found_or_404(services.get_activity(activity_id))


def _network_activity_or_404(network_activity_id):
    return found_or_404(services.get_network_activity(network_activity_id))


def _form_options(level):
    options = {"kinds": list(ACTIVITY_KINDS.items()), "audiences": list(AUDIENCES.items()),
               "companies": company_choices(), "level": level}
    if level == "tenant":
        options["facilitators"] = services.facilitator_options()
    return options


def _activity_form(activity):
    form = {field: getattr(activity, field) for field in ("kind", "title", "held_on", "place", "audience",
                                                          "facilitator_name", "company_id", "description")}
    form = {key: "" if value is None else str(value) for key, value in form.items()}
    form["version"] = activity.row_version
    if activity.level == "tenant":
        participant = activity.facilitator_mentor or activity.facilitator_mentee
        form["facilitator"] = f"{participant.role}:{participant.id}" if participant else ""
    return form


def _save_form(schema, save, **submit_options):
    """The submit path's outcome; the form's errors, when it has any, as its refusal."""
    data, errors = load_form(schema)
    if errors:
        return Outcome(refusal=Refused("", errors=errors))
    return submit(save, data, **submit_options)


def _form_page(activity, level, outcome, form):
    """The form again after a refusal, with what was typed (and, when stale, what is saved now)."""
    errors = outcome.refusal.errors
    theirs = None
    if isinstance(outcome.refusal, StaleEdit) and activity is not None:
        theirs = _activity_form(activity)
        form = {**form.to_dict(), "version": activity.row_version}
    return render_template("activities/form.html", activity=activity, form=form, errors=errors, theirs=theirs,
                           **_form_options(level)), outcome.refusal.status


@bp.get("/")
@permission_required("activities.view")
def index():
    network = services.network_activities()
    if g.tenant.is_coordination:
        return render_template("activities/network_index.html", activities=network,
                               counts=services.network_attendance_counts([a.id for a in network]))
    return render_template("activities/index.html", activities=services.own_activities(), network=network,
                           today=date.today())


# --- the partner's own activities -------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@permission_required("activities.manage")
def new():
    form, errors = {}, {}
    if request.method == "POST":
        outcome = _save_form(
            PartnerActivitySchema(), lambda data: services.save_activity(data, current_user), once=submitted_key(),
            location=lambda created: url_for("activities.detail", activity_id=created.id))
        if outcome.replayed:
            return redirect_replayed(outcome)
        if outcome.ok:
            flash(_("The activity is created. Now invite the participants."), "info")
            return redirect(url_for("activities.detail", activity_id=outcome.result.id))
        return _form_page(None, "tenant", outcome, request.form)
    return render_template("activities/form.html", activity=None, form=form, errors=errors,
                           **_form_options("tenant"))


@bp.route("/<id:activity_id>/edit", methods=["GET", "POST"])
@permission_required("activities.manage")
def edit(activity_id):
    activity = _activity_or_404(activity_id)
    if request.method == "POST":
        outcome = _save_form(PartnerActivitySchema(), lambda data: services.save_activity(data, current_user, activity),
                             version=(activity, request.form.get("version", type=int)))
        if outcome.ok:
            flash(_("The changes are saved."), "info")
            return redirect(url_for("activities.detail", activity_id=activity_id))
        return _form_page(_activity_or_404(activity_id), "tenant", outcome, request.form)
    return render_template("activities/form.html", activity=activity, form=_activity_form(activity), errors={},
                           **_form_options("tenant"))


def _render_detail(activity, errors=None):
    return render_template(
        "activities/detail.html", activity=activity, invitations=services.invitations(activity),
        candidates=[(f"{role}:{person.id}", f"{person.full_name} · {person.role_label}")
                    for role, person in services.invitable_participants(activity)],
        attendance_options=list(ATTENDANCE.items()),
        can_record_attendance=activity.held_on <= date.today(), errors=errors or {},
        urls=_urls(activity),
    ), 400 if errors else 200


def _urls(activity):
    if activity.level == "tenant":
        ids = {"activity_id": activity.id}
        return {"invite": url_for("activities.invite", **ids), "attendance": url_for("activities.attendance", **ids),
                "edit": url_for("activities.edit", **ids)}
    ids = {"network_activity_id": activity.id}
    return {"invite": url_for("activities.network_invite", **ids),
            "attendance": url_for("activities.network_attendance", **ids), "edit": None}


def _invite(activity):
    rows, refusal, _replayed = submit(services.invite, activity, request.form.getlist("participants"), current_user)
    if refusal:
        return _render_detail(activity, refusal.errors)
    flash(ngettext("%(num)d person invited.", "%(num)d people invited.", len(rows)), "info")
    return None


def _submitted_attendance(form):
    attendance = {}
    for key, value in form.items():
        name, __, number = key.partition("-")
        if name == "attendance" and value in ATTENDANCE:
            if not number.isdigit() or not 0 < int(number) < 2**31:
                return None
            attendance[int(number)] = value == "attended"
    return attendance


def _attendance(activity):
    attendance = _submitted_attendance(request.form)
    if attendance is None:
        return _render_detail(activity,
                              {"attendance": [_("Record the attendance of people invited to this activity.")]})
    trained, refusal, _replayed = submit(services.record_attendance, activity, attendance, current_user)
    if refusal:
        return _render_detail(activity, refusal.errors)
    flash(_("The attendance is recorded."), "info")
    if trained:
        flash(ngettext("%(num)d person completed the initial training.",
                       "%(num)d people completed the initial training.", trained), "info")
    return None


@bp.get("/<id:activity_id>")
@permission_required("activities.manage")
def detail(activity_id):
    return _render_detail(_activity_or_404(activity_id))


@bp.post("/<id:activity_id>/invitations")
@permission_required("activities.manage")
def invite(activity_id):
    activity = _activity_or_404(activity_id)
    return _invite(activity) or redirect(url_for("activities.detail", activity_id=activity_id))


@bp.post("/<id:activity_id>/attendance")
@permission_required("activities.manage")
def attendance(activity_id):
    activity = _activity_or_404(activity_id)
    return _attendance(activity) or redirect(url_for("activities.detail", activity_id=activity_id))


# --- network activities -------------------------------------------------------------

@bp.get("/network/<id:network_activity_id>")
@permission_required("activities.view")
def network_detail(network_activity_id):
    activity = _network_activity_or_404(network_activity_id)
    if not g.tenant.is_coordination:
        return _render_detail(activity)
    return render_template("activities/network_detail.html", activity=activity,
                           rows=services.network_attendance_by_partner(activity))


@bp.post("/network/<id:network_activity_id>/invitations")
@permission_required("activities.manage")
def network_invite(network_activity_id):
    activity = _network_activity_or_404(network_activity_id)
    return _invite(activity) or redirect(url_for("activities.network_detail", network_activity_id=activity.id))


@bp.post("/network/<id:network_activity_id>/attendance")
@permission_required("activities.manage")
def network_attendance(network_activity_id):
    activity = _network_activity_or_404(network_activity_id)
    return _attendance(activity) or redirect(url_for("activities.network_detail", network_activity_id=activity.id))


@bp.route("/network/new", methods=["GET", "POST"])
@permission_required("activities.network_manage")
def network_new():
    if request.method == "POST":
        outcome = _save_form(ActivitySchema(), lambda data: services.save_network_activity(data, current_user),
                             once=submitted_key(),
                             location=lambda created: url_for("activities.network_detail",
                                                              network_activity_id=created.id))
        if outcome.replayed:
            return redirect_replayed(outcome)
        if outcome.ok:
            flash(_("The network activity is created: every partner can now invite its participants."), "info")
            return redirect(url_for("activities.network_detail", network_activity_id=outcome.result.id))
        return _form_page(None, "network", outcome, request.form)
    return render_template("activities/form.html", activity=None, form={}, errors={}, **_form_options("network"))


@bp.route("/network/<id:network_activity_id>/edit", methods=["GET", "POST"])
@permission_required("activities.network_manage")
def network_edit(network_activity_id):
    activity = _network_activity_or_404(network_activity_id)
    if request.method == "POST":
        outcome = _save_form(ActivitySchema(),
                             lambda data: services.save_network_activity(data, current_user, activity),
                             version=(activity, request.form.get("version", type=int)))
        if outcome.ok:
            flash(_("The changes are saved."), "info")
            return redirect(url_for("activities.network_detail", network_activity_id=activity.id))
        return _form_page(_network_activity_or_404(network_activity_id), "network", outcome, request.form)
    return render_template("activities/form.html", activity=activity, form=_activity_form(activity), errors={},
                           **_form_options("network"))
