"""`/t/<slug>/dashboard`: national figures for the coordinators (in the coordination
workspace), one partner's figures for its own staff. Aggregates only, suppressed."""
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from network.dashboards.hooks import rollup_freshness
from network.submit import found_or_404, submit
from network.dashboards import exports
from network.dashboards.models import EXPORT_FORMATS, DashboardExport
from network.dashboards.presentation import disclosure_note, present
from network.dashboards.services import PARTNER_KINDS, dashboard_data, dashboard_scope, parse_filters
from network.extensions import db
from network.jobs import JobsUnavailable, enqueue
from network.permissions import permission_required
from tenants.tenancy.models import DISTRICTS
from tenants.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("dashboards", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)



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
    filters, errors = parse_filters(request.args, national)
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
    return render_template("dashboards/dashboard.html", filters=filters, presented=present(data),
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



# The impact page's routes, on this blueprint (network.dashboards.impact_views).
from network.dashboards import impact_views  # noqa: E402,F401
