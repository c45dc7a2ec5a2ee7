"""The partner administrators' read-only view of their workspace's audit log."""
from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _

from network.core.api.models import AUDIT_FIELD_LABELS as API_TOKEN_FIELD_LABELS
from network.core.audit.models import AUDIT_ACTIONS
from network.core.audit.services import audit_log_query
from network.core.extensions import db
from network.core.permissions import permission_required
from network.core.tenancy.web import TENANT_URL_PREFIX
from tenants.participants.models import FIELD_LABELS

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

PER_PAGE = 50


@bp.get("/audit")
@permission_required("audit.read")
def log():
    action = request.args.get("action") or None
    if action and action not in AUDIT_ACTIONS:
        flash(_("Unknown filter: showing every event."), "error")
        action = None
    page = db.paginate(audit_log_query(action), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template("audit/log.html", page=page, action=action or "", actions=AUDIT_ACTIONS,
                           field_labels={**FIELD_LABELS, **API_TOKEN_FIELD_LABELS})
