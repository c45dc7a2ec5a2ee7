"""Break-the-glass pages, in the coordination workspace: the request, and the case while the
grant lasts (read-only: the page has no form; each view is audited)."""
from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import Outcome, Refused, submit
from network.core.tenancy import tenant_context
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.breakglass import services
from tenants.breakglass.schemas import BreakGlassRequestSchema
from tenants.participants.models import PARTICIPANT_ROLES
from tenants.participants.services import get_participant
from tenants.processes.services import processes_of

bp = Blueprint("breakglass", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)


def _off():
    return render_template("breakglass/off.html")


@bp.route("/break-glass", methods=["GET", "POST"])
@permission_required("break_glass.request")
def request_access():
    if not services.enabled() or not g.tenant.is_coordination:
        return _off()
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.form
        data, errors = load_form(BreakGlassRequestSchema(), form)
        outcome = Outcome(refusal=Refused("", errors=errors)) if errors else \
            submit(services.request_access, current_user, data)
        if outcome.ok:
            return redirect(url_for("breakglass.case", grant_id=outcome.result))
        errors, status = outcome.refusal.errors, outcome.refusal.status
    return render_template("breakglass/request.html", form=form, errors=errors, hours=services.hours(),
                           partners=[(str(p.id), p.name) for p in services.partners()],
                           roles=list(PARTICIPANT_ROLES.items())), status


@bp.get("/break-glass/<id:grant_id>")
@permission_required("break_glass.request")
def case(grant_id):
    if not services.enabled() or not g.tenant.is_coordination:
        return _off()
    found = services.grant_of(current_user, grant_id)
    if found is None:
        abort(404)
    tenant_id, role, participant_id, expires_at = found
    if not services.is_open(expires_at):
        return render_template("breakglass/ended.html"), 403
    submit(services.record_view, current_user, tenant_id, grant_id, "record")
    partner = services.partner_name(tenant_id)
    # Read and drawn inside the partner's workspace (its Row-Level Security), then left.
    with tenant_context(tenant_id):
        participant = get_participant(role, participant_id)
        return render_template("breakglass/case.html", participant=participant, partner=partner,
                               processes=processes_of(participant), expires_at=expires_at)

