from flask import Blueprint, render_template

from network.coordination.services import partner_overview
from network.permissions import require_role
from tenants.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("coordination", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)


@bp.get("/partners")
@require_role("coordinator")
def partners():
    overview = partner_overview()
    districts = len({tenant.district for tenant, _ in overview})
    return render_template("coordination/partners.html", overview=overview, district_count=districts)
