"""Activity pages. Partner staff run their own activities and invite their participants to
the network's; coordinators create network activities and see their attendance as counts."""
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError

from network.extensions import db
from network.permissions import permission_required
from network.reference.services import company_choices
from network.validation import load_form
from tenants.activities import services
from tenants.activities.models import ACTIVITY_KINDS, ATTENDANCE, AUDIENCES
from tenants.activities.schemas import ActivitySchema, PartnerActivitySchema
from tenants.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("activities", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/activities")


@bp.app_template_filter("activity_kind_label")
def activity_kind_label(kind):
    """An activity's kind, in the language being rendered (pages and e-mails alike)."""
    return ACTIVITY_KINDS[kind]



def _activity_or_404(activity_id):
    activity = services.get_activity(activity_id)
    if activity is None:
        abort(404)
    return activity


def _network_activity_or_404(network_activity_id):
    activity = services.get_network_activity(network_activity_id)
    if activity is None:
        abort(404)
    return activity


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
    if activity.level == "tenant":
        participant = activity.facilitator_mentor or activity.facilitator_mentee
        form["facilitator"] = f"{participant.role}:{participant.id}" if participant else ""
    return form


def _save_form(schema, save):
    data, errors = load_form(schema)
    if errors:
        return None, errors
    try:
        saved = save(data)
    except ValidationError as error:
        db.session.rollback()
        return None, error.normalized_messages()
    db.session.commit()
    return saved, None


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
        form = request.form
        activity, errors = _save_form(PartnerActivitySchema(), lambda data: services.save_activity(data, current_user))
        if activity is not None:
            flash(_("The activity is created. Now invite the participants."), "info")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    return render_template("activities/form.html", activity=None, form=form, errors=errors,
                           **_form_options("tenant")), 400 if errors else 200


@bp.route("/<id:activity_id>/edit", methods=["GET", "POST"])
@permission_required("activities.manage")
def edit(activity_id):
    activity = _activity_or_404(activity_id)
    form, errors = _activity_form(activity), {}
    if request.method == "POST":
        form = request.form
        errors = _save_form(PartnerActivitySchema(),
                            lambda data: services.save_activity(data, current_user, activity))[1]
        if not errors:
            flash(_("The changes are saved."), "info")
            return redirect(url_for("activities.detail", activity_id=activity_id))
        activity = _activity_or_404(activity_id)
    return render_template("activities/form.html", activity=activity, form=form, errors=errors,
                           **_form_options("tenant")), 400 if errors else 200


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
    try:
        rows = services.invite(activity, request.form.getlist("participants"), current_user)
    except ValidationError as error:
        db.session.rollback()
        return _render_detail(activity, error.normalized_messages())
    db.session.commit()
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
    try:
        if attendance is None:
            raise ValidationError({"attendance": [_("Record the attendance of people invited to this activity.")]})
        trained = services.record_attendance(activity, attendance, current_user)
    except ValidationError as error:
        db.session.rollback()
        return _render_detail(activity, error.normalized_messages())
    db.session.commit()
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
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        activity, errors = _save_form(ActivitySchema(),
                                      lambda data: services.save_network_activity(data, current_user))
        if activity is not None:
            flash(_("The network activity is created: every partner can now invite its participants."), "info")
            return redirect(url_for("activities.network_detail", network_activity_id=activity.id))
    return render_template("activities/form.html", activity=None, form=form, errors=errors,
                           **_form_options("network")), 400 if errors else 200


@bp.route("/network/<id:network_activity_id>/edit", methods=["GET", "POST"])
@permission_required("activities.network_manage")
def network_edit(network_activity_id):
    activity = _network_activity_or_404(network_activity_id)
    form, errors = _activity_form(activity), {}
    if request.method == "POST":
        form = request.form
        errors = _save_form(ActivitySchema(),
                            lambda data: services.save_network_activity(data, current_user, activity))[1]
        if not errors:
            flash(_("The changes are saved."), "info")
            return redirect(url_for("activities.network_detail", network_activity_id=activity.id))
        activity = _network_activity_or_404(network_activity_id)
    return render_template("activities/form.html", activity=activity, form=form, errors=errors,
                           **_form_options("network")), 400 if errors else 200
