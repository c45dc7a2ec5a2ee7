"""`/t/<slug>/dashboard`: national figures for the coordinators (in the coordination
workspace), one partner's figures for its own staff. Aggregates only, suppressed."""
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from network.core.extensions import db
from network.core.jobs import JobsUnavailable, enqueue
from network.core.permissions import permission_required
from network.core.submit import found_or_404, submit
from network.core.tenancy.models import DISTRICTS
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.national.dashboards import exports
from network.national.dashboards.hooks import rollup_freshness
from network.national.dashboards.models import EXPORT_FORMATS, DashboardExport
from network.national.dashboards.presentation import disclosure_note, page_partners, present
from network.national.dashboards.services import (
    PARTNER_KINDS,
    PARTNER_ORDER,
    dashboard_data,
    dashboard_scope,
    parse_filters,
)

bp = Blueprint("dashboards", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)
PAGING_ARGS = ("psort", "ppage")  # how the page shows the partners table; not filters



def _national():
    """True for the coordinators' national dashboard, False for a partner's own; 404 for
    anyone else (a coordinator membership of a partner, a mentor, a mentee)."""
    national = dashboard_scope(g.tenant, g.roles)
    if national is None:
        abort(404)
    return national


def _scope_name(national):
    return _("National network") if national else g.tenant.name


@bp.get("/dashboard")
@permission_required("dashboards.view")
def dashboard():
    national = _national()
    filters, errors = parse_filters({k: v for k, v in request.args.items() if k not in PAGING_ARGS}, national)
    context = {
        "national": national,
        "freshness": rollup_freshness(None if national else g.tenant.id),
        "errors": errors,
        "form": request.args,
        "district_options": list(DISTRICTS.items()),
        "kind_options": list(PARTNER_KINDS.items()),
    }
    if errors:
        return render_template("dashboards/dashboard.html", **context), 400
    data = dashboard_data(filters, None if national else g.tenant.id)
    read_from = data.get("read_from")
    if read_from:
        read_from = {**read_from, "computed_at": datetime.fromisoformat(read_from["computed_at"])}
    presented = present(data)
    sort = request.args.get("psort") or PARTNER_ORDER
    paging = page_partners(presented, sort, request.args.get("ppage", 1, type=int) or 1,
                           current_app.config["DASHBOARD_PARTNER_ROWS"])
    return render_template("dashboards/dashboard.html", filters=filters, presented=presented, paging=paging,
                           disclosure_note=disclosure_note(data["rounding_base"]), export_args=filters.as_args(),
                           read_from=read_from, **context)


@bp.get("/dashboard/export")
@permission_required("dashboards.view")
def export():
    """`?format=csv|xlsx` and the dashboard's own filters."""
    national = _national()
    file_format = request.args.get("format", "csv")
    if file_format not in EXPORT_FORMATS:
        return Response(_("Choose CSV or XLSX."), status=400, mimetype="text/plain")
    filters, errors = parse_filters({k: v for k, v in request.args.items() if k != "format"}, national)
    if errors:
        message = " ".join(str(m) for messages in errors.values() for m in messages)
        return Response(message, status=400, mimetype="text/plain")
    locale = str(get_locale())
    if exports.needs_job(filters, national):
        job = DashboardExport(user_id=current_user.id, file_format=file_format, locale=locale,
                              filters=filters.as_dict(), status="pending", progress=0)
        submit(db.session.add, job)
        try:
            enqueue(exports.run_export, job.id, national, _scope_name(national), queue="exports",
                    tenant_id=g.tenant.id)
        except JobsUnavailable:
            flash(_("The export could not be started now; try again later."), "error")
        return redirect(url_for("dashboards.export_status", export_id=job.id))
    data = dashboard_data(filters, None if national else g.tenant.id)
    content = exports.build(data, filters, file_format, locale, _scope_name(national))
    return Response(content, mimetype=exports.CONTENT_TYPES[file_format], headers={
        "Content-Disposition": f'attachment; filename="{exports.filename(filters, file_format)}"'})


def _own_export(export_id):
    _national()
    return found_or_404(db.session.scalar(db.select(DashboardExport).where(DashboardExport.id == export_id,
                                                                         DashboardExport.user_id == current_user.id)))


@bp.get("/dashboard/exports/<id:export_id>")
@permission_required("dashboards.view")
def export_status(export_id):
    job = _own_export(export_id)
    response = current_app.make_response(render_template("dashboards/export_status.html", job=job))
    if job.status in ("pending", "running"):
        response.headers["Refresh"] = "3"  # the page follows the job's progress without a script
    return response


@bp.get("/dashboard/exports/<id:export_id>/download")
@permission_required("dashboards.view")
def export_download(export_id):
    job = _own_export(export_id)
    if job.status != "done" or job.content is None:
        abort(404)
    return Response(job.content, mimetype=exports.CONTENT_TYPES[job.file_format],
                    headers={"Content-Disposition": f'attachment; filename="{job.filename}"'})



