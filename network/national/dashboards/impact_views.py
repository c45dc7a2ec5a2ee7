"""`/t/<slug>/dashboard/impact`: the change from the start to closing of the processes closed,
nationally (published counts) for the coordinators, a partner's own (exact) for its staff; and
its CSV and XLSX. Registered on the dashboards' blueprint."""
from datetime import date

from flask import Response, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from network.core.permissions import permission_required
from network.core.tenancy.models import DISTRICTS
from network.national.dashboards import exports
from network.national.dashboards.hooks import rollup_freshness
from network.national.dashboards.impact import cohort_filters, impact_data
from network.national.dashboards.impact_presentation import export_rows, present_impact
from network.national.dashboards.models import EXPORT_FORMATS
from network.national.dashboards.presentation import disclosure_note
from network.national.dashboards.services import PARTNER_KINDS, parse_filters
from network.national.dashboards.views import _national, _scope_name, bp


def impact_args(args):
    """The query, by default the cohorts of last year and this one (whole years: the roll-ups
    count cohorts by year; outcomes come at closing, months after the matching)."""
    args = {key: value for key, value in args.items() if key != "format"}
    if not args.get("from") and not args.get("to"):
        year = date.today().year
        args.update({"from": f"{year - 1}-01", "to": f"{year}-12"})
    return args


@bp.get("/dashboard/impact")
@permission_required("dashboards.view")
def impact():
    national = _national()
    filters, errors = parse_filters(impact_args(request.args), national)
    context = {"national": national, "errors": errors, "form": request.args, "filters": filters,
               "freshness": rollup_freshness(None if national else g.tenant.id),
               "district_options": list(DISTRICTS.items()), "kind_options": list(PARTNER_KINDS.items())}
    if errors:
        return render_template("dashboards/impact.html", **context), 400
    context["filters"] = filters = cohort_filters(filters)
    presented = present_impact(impact_data(filters, None if national else g.tenant.id))
    return render_template("dashboards/impact.html", presented=presented, export_args=filters.as_args(),
                           disclosure_note=disclosure_note(presented["rounding_base"]), **context)


@bp.get("/dashboard/impact/export")
@permission_required("dashboards.view")
def impact_export():
    national = _national()
    file_format = request.args.get("format", "csv")
    if file_format not in EXPORT_FORMATS:
        return Response(_("Choose CSV or XLSX."), status=400, mimetype="text/plain")
    filters, errors = parse_filters(impact_args(request.args), national)
    if errors:
        return Response(" ".join(str(m) for messages in errors.values() for m in messages), status=400,
                        mimetype="text/plain")
    filters = cohort_filters(filters)
    rows = export_rows(present_impact(impact_data(filters, None if national else g.tenant.id)), filters,
                       _scope_name(national))
    content = exports.to_csv(rows, str(get_locale())) if file_format == "csv" else exports.to_xlsx(rows, _("Impact"))
    name = f"rede-mentores-impact-{filters.start}-{filters.end}.{file_format}"
    return Response(content, mimetype=exports.CONTENT_TYPES[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
