"""Data-subject rights in a partner's workspace: a participant's data exported (JSON download
and printable page, staff), erased (partner administrators, with a reason), and the retention
rules (settings and the dry-run report, partner administrators)."""
import json
from datetime import datetime

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import StaleEdit, get_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.participants.models import PARTICIPANT_MODELS
from tenants.participants.urls import add_participant_rule
from tenants.privacy import export, pdf, retention
from tenants.privacy.erasure import erase_participant, erasure_blocker, erasure_of
from tenants.privacy.labels import SECTION_TITLES
from tenants.privacy.readable import readable_rows
from tenants.privacy.schemas import ErasureSchema, RetentionSettingsSchema

bp = Blueprint("privacy", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)


@bp.app_template_global()
def privacy_url(action, participant):
    role = participant.role
    return url_for(f"privacy.{role}_{action}", **{f"{role}_id": participant.id})


@bp.app_template_global()
def participant_erasure(participant):
    """The participant's erasure record, or None: the detail page says when the data went."""
    return erasure_of(participant)


def _load(role, ids):
    return get_or_404(PARTICIPANT_MODELS[role], ids[f"{role}_id"])


def _sections(records):
    """The person first, then their records in the order of the titles (the JSON sorts its keys)."""
    return [name for name in SECTION_TITLES if name in records] + sorted(set(records) - set(SECTION_TITLES))


def export_page(role, **ids):
    participant = _load(role, ids)
    document = export.subject_access_export(participant)
    submit(export.record_export, participant, current_user, "html")
    records = document["records"]
    sections = _sections(records)
    return render_template("privacy/export.html", participant=participant, document=document, sections=sections,
                           readable={name: readable_rows(name, records[name]) for name in sections},
                           generated_at=datetime.fromisoformat(document["generated_at"]),
                           titles=SECTION_TITLES, erasure=erasure_of(participant))


def export_pdf(role, **ids):
    """The same as the page, as a file the person can be handed."""
    participant = _load(role, ids)
    document = export.subject_access_export(participant)
    submit(export.record_export, participant, current_user, "pdf")
    records = document["records"]
    title = _("Personal data of %(name)s", name=participant.full_name)
    lines = [f"{participant.role_label} · {g.tenant.name}",
             _("Everything this partner holds about this person, as of %(when)s.",
               when=format_datetime(datetime.fromisoformat(document["generated_at"]), "short"))]
    sections = [(f"{SECTION_TITLES.get(name, name)} ({len(records[name])})",
                 readable_rows(name, records[name]) or [[(_("Nothing recorded."), "")]])
                for name in _sections(records)]
    body = pdf.export_pdf(title, lines, sections, str(get_locale()).replace("_", "-"))
    filename = f"{role}-{participant.id}-personal-data.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def export_json(role, **ids):
    participant = _load(role, ids)
    document = export.subject_access_export(participant)
    submit(export.record_export, participant, current_user, "json")
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    filename = f"{role}-{participant.id}-personal-data.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def erase_view(role, **ids):
    participant = _load(role, ids)
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.form
        data, errors = load_form(ErasureSchema())
        if not errors:
            refusal = submit(erase_participant, participant, current_user, data["reason"]).refusal
            if refusal:
                flash(refusal.message, "error")
            else:
                flash(_("The personal data has been anonymised."), "info")
                return redirect(url_for(f"participants.{role}_detail", **{f"{role}_id": participant.id}))
        participant = _load(role, ids)
        status = 400
    return render_template("privacy/erase.html", participant=participant, form=form, errors=errors,
                           blocker=erasure_blocker(participant)), status


_PARTICIPANT_VIEWS = (
    ("/privacy", "export_page", export_page, ("GET",), "privacy.export"),
    ("/privacy/export.json", "export_json", export_json, ("GET",), "privacy.export"),
    ("/privacy/export.pdf", "export_pdf", export_pdf, ("GET",), "privacy.export"),
    ("/privacy/erase", "erase", erase_view, ("GET", "POST"), "privacy.erase"),
)


for _suffix, _name, _view, _methods, _action in _PARTICIPANT_VIEWS:
    add_participant_rule(bp, "/<id:{role}_id>" + _suffix, _name, _view, _methods, _action)


@bp.route("/privacy/settings", methods=["GET", "POST"])
@permission_required("privacy.retention")
def settings():
    current = retention.privacy_settings()
    form = {"months_after_last_process": current.months_after_last_process if current else None,
            "import_days": current.import_days if current else None}
    form["version"] = current.row_version if current else ""
    errors, status, theirs = {}, 200, None
    if request.method == "POST":
        form = request.form.to_dict()
        data, errors = load_form(RetentionSettingsSchema())
        if not errors:
            # Rules saved before carry a version: two administrators editing at once don't overwrite.
            version = (current, request.form.get("version", type=int)) if current else None
            refusal = submit(retention.save_retention_rules, data, current_user, version=version).refusal
            if refusal is None:
                flash(_("The retention rules have been saved."), "info")
                return redirect(url_for("privacy.settings"))
            errors, status = refusal.errors, refusal.status
            if isinstance(refusal, StaleEdit):
                current = retention.privacy_settings()
                theirs = {"months_after_last_process": current.months_after_last_process,
                          "import_days": current.import_days}
                form["version"] = current.row_version
    return render_template("privacy/settings.html", form=form, errors=errors, theirs=theirs,
                           rules=retention.retention_rules(), defaults=retention.default_rules()), \
        400 if errors and status == 200 else status


@bp.get("/privacy/retention")
@permission_required("privacy.retention")
def retention_report():
    plan = retention.retention_plan()
    return render_template("privacy/retention.html", plan=plan)
