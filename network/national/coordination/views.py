"""The coordination team's pages: partners (metadata, onboarding, activity counts) and the
network's companies with their corporate social responsibility report. Coordinators only."""
from babel.dates import get_month_names
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from network.core.mail import send_email
from network.core.permissions import permission_required
from network.core.reference import services as reference
from network.core.reference.models import Company
from network.core.reference.schemas import CompanyEditSchema, CompanySchema
from network.core.submit import (
    Outcome,
    Refused,
    StaleEdit,
    found_or_404,
    get_or_404,
    redirect_replayed,
    submit,
    submitted_key,
)
from network.core.tenancy.models import DISTRICTS, LOCALES
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from network.national.coordination import companies as company_figures
from network.national.coordination import services
from network.national.coordination.schemas import (
    PARTNER_KINDS,
    PartnerAdminInvitationSchema,
    PartnerEditSchema,
    PartnerSchema,
    PartnerStatusSchema,
    YearSchema,
)
from network.national.disclosure import rounding_base

bp = Blueprint("coordination", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)



def _partner_or_404(partner_id):
    return found_or_404(services.get_partner(partner_id))


def _partner_options():
    return {"kinds": list(PARTNER_KINDS.items()), "districts": list(DISTRICTS.items()),
            "locales": list(LOCALES.items())}


def _save(schema, save, **submit_options):
    """Validate the form and run `save(data)` through the submit path: its outcome, the form's
    errors as its refusal."""
    data, errors = load_form(schema)
    if errors:
        return Outcome(refusal=Refused("", errors=errors))
    return submit(save, data, **submit_options)


def _refused_form(template, outcome, record, current_form, **context):
    """The form again after a refusal: the typed values kept; a stale edit shows what was saved
    meanwhile and now carries that version."""
    form, theirs = request.form.to_dict(), None
    if isinstance(outcome.refusal, StaleEdit):
        theirs = current_form(record)
        form["version"] = record.row_version
    return render_template(template, form=form, errors=outcome.refusal.errors, theirs=theirs, **context), \
        outcome.refusal.status


def _partner_form(partner):
    return {**{field: getattr(partner, field) for field in services.PARTNER_FIELDS}, "version": partner.row_version}


def _company_form(company):
    return {"name": company.name, "contact_name": company.contact_name, "contact_email": company.contact_email,
            "active": company.active, "version": company.row_version}


# --- partners ----------------------------------------------------------------------

@bp.get("/partners")
@permission_required("partners.manage")
def partners():
    overview = services.partner_overview()
    districts = len({tenant.district for tenant, _ in overview})
    return render_template("coordination/partners.html", overview=overview, district_count=districts,
                           activity=services.partner_activity(), empty_activity=services.empty_activity(),
                           possible_duplicates=services.possible_duplicates(), rounding_base=rounding_base())


@bp.route("/partners/new", methods=["GET", "POST"])
@permission_required("partners.manage")
def new_partner():
    if request.method == "POST":
        outcome = _save(PartnerSchema(), lambda data: services.create_partner(data, current_user),
                        once=submitted_key(), location=lambda created: url_for("coordination.partner",
                                                                               partner_id=created.id))
        if outcome.replayed:
            return redirect_replayed(outcome)
        if outcome.ok:
            partner = outcome.result
            flash(_("%(name)s is now a partner of the network. Invite its administrator.", name=partner.name), "info")
            return redirect(url_for("coordination.partner", partner_id=partner.id))
        return _refused_form("coordination/partner_form.html", outcome, None, None, partner=None,
                             **_partner_options())
    return render_template("coordination/partner_form.html", partner=None, form={}, errors={}, **_partner_options())


@bp.route("/partners/<id:partner_id>/edit", methods=["GET", "POST"])
@permission_required("partners.manage")
def edit_partner(partner_id):
    partner = _partner_or_404(partner_id)
    if request.method == "POST":
        outcome = _save(PartnerEditSchema(), lambda data: services.update_partner(partner, data, current_user),
                        version=(partner, request.form.get("version", type=int)))
        if outcome.ok:
            flash(_("The changes are saved."), "info")
            return redirect(url_for("coordination.partner", partner_id=partner_id))
        partner = _partner_or_404(partner_id)
        return _refused_form("coordination/partner_form.html", outcome, partner, _partner_form, partner=partner,
                             **_partner_options())
    return render_template("coordination/partner_form.html", partner=partner, form=_partner_form(partner), errors={},
                           **_partner_options())


def _render_partner(partner, form=None, errors=None):
    activity = services.partner_activity([partner.id]).get(partner.id, services.empty_activity())
    return render_template(
        "coordination/partner.html", partner=partner, activity=activity,
        process_rows=services.process_state_rows(activity), form=form or {}, errors=errors or {},
    ), 400 if errors else 200


@bp.get("/partners/<id:partner_id>")
@permission_required("partners.manage")
def partner(partner_id):
    return _render_partner(_partner_or_404(partner_id))


@bp.post("/partners/<id:partner_id>/status")
@permission_required("partners.manage")
def partner_status(partner_id):
    partner = _partner_or_404(partner_id)
    data, errors = load_form(PartnerStatusSchema())
    if errors:
        abort(400)
    submit(services.set_partner_active, partner, data["active"] == "1", current_user)
    if partner.active:
        flash(_("%(name)s is active again: its members can enter the workspace.", name=partner.name), "info")
    else:
        flash(_("%(name)s is deactivated: its members can no longer enter the workspace.", name=partner.name), "info")
    return redirect(url_for("coordination.partner", partner_id=partner_id))


@bp.post("/partners/<id:partner_id>/invite-admin")
@permission_required("partners.manage")
def invite_partner_admin(partner_id):
    partner = _partner_or_404(partner_id)

    def invite(data):
        invitation, token = services.invite_partner_admin(
            partner, current_user, g.roles, data["email"], current_app.config["INVITATION_MAX_AGE_DAYS"])
        # Sent from the coordination workspace: its outbox shows the coordinator whether it left.
        send_email(
            invitation.email, "workspace/email/invitation.txt", partner.default_locale,
            tenant=partner.name, inviter=current_user.name, role=invitation.role, expires_at=invitation.expires_at,
            join_url=url_for("accounts.accept_invitation", slug=partner.slug, token=token, _external=True),
        )
        # Read before the commit: afterwards the partner's row is out of this workspace's sight.
        return invitation.email

    email, refusal, _replayed = _save(PartnerAdminInvitationSchema(), invite)
    if refusal:
        return _render_partner(_partner_or_404(partner_id), form=request.form, errors=refusal.errors)
    flash(_("Invitation sent to %(email)s.", email=email), "info")
    return redirect(url_for("coordination.partner", partner_id=partner_id))


# --- companies ---------------------------------------------------------------------

def _company_or_404(company_id):
    return get_or_404(Company, company_id)


@bp.get("/companies")
@permission_required("companies.manage")
def companies():
    return render_template("coordination/companies.html", companies=reference.companies(),
                           volunteers=company_figures.volunteer_counts(),
                           minutes=company_figures.volunteer_minutes())


@bp.route("/companies/new", methods=["GET", "POST"])
@permission_required("companies.manage")
def new_company():
    if request.method == "POST":
        outcome = _save(CompanySchema(), lambda data: reference.create_company(**data), once=submitted_key(),
                        location=lambda created: url_for("coordination.companies"))
        if outcome.replayed:
            return redirect_replayed(outcome)
        if outcome.ok:
            flash(_("The company is added."), "info")
            return redirect(url_for("coordination.companies"))
        return _refused_form("coordination/company_form.html", outcome, None, None, company=None)
    return render_template("coordination/company_form.html", company=None, form={}, errors={})


@bp.route("/companies/<id:company_id>/edit", methods=["GET", "POST"])
@permission_required("companies.manage")
def edit_company(company_id):
    company = _company_or_404(company_id)
    if request.method == "POST":
        outcome = _save(CompanyEditSchema(), lambda data: reference.update_company(company, data),
                        version=(company, request.form.get("version", type=int)))
        if outcome.ok:
            flash(_("The changes are saved."), "info")
            return redirect(url_for("coordination.companies"))
        company = _company_or_404(company_id)
        return _refused_form("coordination/company_form.html", outcome, company, _company_form, company=company)
    return render_template("coordination/company_form.html", company=company, form=_company_form(company), errors={})


@bp.get("/companies/<id:company_id>")
@permission_required("companies.manage")
def company_report(company_id):
    company = _company_or_404(company_id)
    query, errors = load_form(YearSchema(), request.args)
    if errors:
        flash(_("Unknown year: showing the latest one."), "error")
        query = {"year": None}
    return render_template("coordination/company_report.html", company=company,
                           report=company_figures.company_report(company.id, query["year"]),
                           month_names=get_month_names("wide", locale=get_locale()))


@bp.get("/companies/<id:company_id>/impact.pdf")
@permission_required("companies.manage")
def company_impact_pdf(company_id):
    """The company's impact pack for a year, as a PDF it can publish (suppressed aggregates only)."""
    from network.national.coordination.company_pack import company_pack
    from network.national.coordination.pdfs import pack_pdf

    company = _company_or_404(company_id)
    query, errors = load_form(YearSchema(), request.args)
    pack = company_pack(company, None if errors else query["year"])
    if pack.year is None:
        flash(_("The company's volunteers have no meetings yet: there is no year to report."), "error")
        return redirect(url_for("coordination.company_report", company_id=company.id))
    return Response(pack_pdf(pack), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="rede-mentores-impact-{company.id}-{pack.year}.pdf"'})
