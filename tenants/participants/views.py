"""Staff pages for mentors and mentees. The same views serve both roles: each is
registered once per role, under /mentors/... and /mentees/..."""

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import fields

from network.core.mail import send_email
from network.core.permissions import permission_required
from network.core.reference.services import active_support_areas, company_choices
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
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.activities.services import network_activities, own_activities
from tenants.intake import services as intake
from tenants.intake.services import latest_intake
from tenants.participants import import_codes, imports, services
from tenants.participants.models import (
    AGE_BANDS,
    CONSENT_PURPOSES,
    CURRENT_CONSENT_TEXT_VERSION,
    DAY_PERIODS,
    EMPLOYMENT_STATUSES,
    FIELD_LABELS,
    GENDERS,
    LANGUAGE_LEVELS,
    MIGRATION_REASONS,
    PARTICIPANT_ROLES,
    PORTUGUESE_LEVELS,
    PREFERRED_LANGUAGES,
    RECOMMENDATIONS,
    REFERRAL_SOURCES,
    RESIDENCE_STATUSES,
    WEEKDAYS,
    ParticipantImport,
)
from tenants.participants.reference import country_choices, language_choices
from tenants.participants.schemas import (
    CASELOAD_FILTERS,
    CONSENT_FILTERS,
    MAX_LANGUAGES,
    MAX_RANKED_NEEDS,
    MENTOR_GENDER_PREFERENCES,
    PARTICIPANT_SCHEMAS,
    SORT_DIRECTIONS,
    SORT_OPTIONS,
    ConsentSchema,
    ImportUploadSchema,
    InterviewSchema,
    ParticipantListSchema,
    StatusMoveSchema,
)
from tenants.participants.urls import add_participant_rule, participant_url
from tenants.portal import services as portal
from tenants.processes.services import processes_of
from tenants.transfers.duplicates import MAY_BE_REGISTERED_ELSEWHERE

bp = Blueprint("participants", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

PREVIEW_ERROR_ROWS = 200
PREVIEW_VALID_ROWS = 20


bp.app_template_global()(participant_url)


def _load(role, ids):
    return found_or_404(services.get_participant(role, ids[f"{role}_id"]))


def _choices(labels):
    return list(labels.items())


def _form_options(role):
    options = {
        "languages": language_choices(),
        "language_levels": _choices(LANGUAGE_LEVELS),
        "support_areas": [(area.code, area.label) for area in active_support_areas()],
        "max_languages": MAX_LANGUAGES,
        "weekdays": _choices(WEEKDAYS),
        "day_periods": _choices(DAY_PERIODS),
        "genders": _choices(GENDERS),
        "referral_sources": _choices(REFERRAL_SOURCES),
        "referral_activities": [(str(activity.id), activity.choice_label) for activity in own_activities()],
        "referral_network_activities": [(str(activity.id), activity.choice_label)
                                        for activity in network_activities()],
        "preferred_languages": _choices(PREFERRED_LANGUAGES),
    }
    if role == "mentor":
        options["companies"] = company_choices()
    else:
        options |= {
            "countries": country_choices(),
            "portuguese_levels": _choices(PORTUGUESE_LEVELS),
            "residence_statuses": _choices(RESIDENCE_STATUSES),
            "migration_reasons": _choices(MIGRATION_REASONS),
            "employment_statuses": _choices(EMPLOYMENT_STATUSES),
            "age_bands": _choices(AGE_BANDS),
            "gender_preferences": _choices(MENTOR_GENDER_PREFERENCES),
            "max_needs": MAX_RANKED_NEEDS,
        }
    return options


def _submitted_participant(role, form):
    """The form as the schema reads it: language rows and ranked needs become lists."""
    schema_fields = PARTICIPANT_SCHEMAS[role]._declared_fields
    payload = {
        name: form.get(name, "").strip() for name, field in schema_fields.items() if not isinstance(field, fields.List)
    }
    payload["languages"] = []
    for index in range(MAX_LANGUAGES):
        code, level = (form.get(f"languages-{index}-{part}", "").strip() for part in ("code", "level"))
        if code or level:
            payload["languages"].append({"code": code, "level": level})
    for name in ("availability_days", "availability_periods"):
        payload[name] = form.getlist(name)
    if role == "mentor":
        payload["support_areas"] = form.getlist("support_areas")
    else:
        needs = (form.get(f"need-{rank}", "").strip() for rank in range(1, MAX_RANKED_NEEDS + 1))
        payload["support_areas"] = [code for code in needs if code]
    return payload


def _form_errors(errors):
    """Nested schema errors under the names of the form's inputs ("languages-0-code")."""
    flat = {}
    for name, messages in errors.items():
        if not isinstance(messages, dict):
            flat[name] = messages
            continue
        for index, inner in messages.items():
            if isinstance(inner, dict):
                for part, part_messages in inner.items():
                    flat[f"{name}-{index}-{part}"] = part_messages
            else:
                flat.setdefault(name, []).extend(inner)
    return flat


def _as_form(data):
    return {key: value if isinstance(value, list) or value is None else str(value) for key, value in data.items()}


def _save_participant(role, participant=None):
    """Validate and save the submitted form: (outcome, form). A new participant's form carries
    a one-time key; an edited one the version it was opened on."""
    form = _submitted_participant(role, request.form)
    data, errors = load_form(PARTICIPANT_SCHEMAS[role](), form)
    if errors:
        return Outcome(refusal=Refused("", errors=errors)), form
    if participant is None:
        return submit(services.create_participant, role, data, current_user, once=submitted_key(),
                      location=lambda created: participant_url("detail", created)), form
    return submit(services.update_participant, participant, data, current_user,
                  version=(participant, request.form.get("version", type=int))), form


# --- the views, each registered for both roles -------------------------------

def list_view(role):
    query, errors = load_form(ParticipantListSchema(), request.args)
    page = None
    if not errors:
        page = services.list_participants(role, services.ParticipantQuery.from_filters(query, current_user.id))
    return render_template(
        "participants/list.html",
        role=role,
        page=page,
        filters=request.args,
        errors=errors,
        status_options=_choices(services.PARTICIPANT_MODELS[role].STATUSES),
        support_area_options=[(area.code, area.label) for area in active_support_areas()],
        language_options=language_choices(),
        municipality_options=[(name, name) for name in services.municipalities(role)],
        consent_options=_choices(CONSENT_FILTERS),
        caseload_options=_choices(CASELOAD_FILTERS),
        sort_options=_choices(SORT_OPTIONS),
        direction_options=_choices(SORT_DIRECTIONS),
    ), 400 if errors else 200


def new_view(role):
    form, errors, status = {"languages": [], "support_areas": []}, {}, 200
    if request.method == "POST":
        outcome, form = _save_participant(role)
        if outcome.replayed:
            return redirect_replayed(outcome)
        if outcome.ok:
            flash(_("%(name)s is registered.", name=outcome.result.full_name), "info")
            if outcome.result.may_be_registered_elsewhere:
                flash(str(MAY_BE_REGISTERED_ELSEWHERE), "warning")
            return redirect(participant_url("detail", outcome.result))
        errors, status = _form_errors(outcome.refusal.errors), outcome.refusal.status
    return render_template(
        "participants/form.html", role=role, participant=None, form=form, errors=errors, **_form_options(role)
    ), status


def edit_view(role, **ids):
    participant = _load(role, ids)
    form, errors, status, theirs = _as_form(services.form_data(participant)), {}, 200, None
    form["version"] = participant.row_version
    if request.method == "POST":
        outcome, form = _save_participant(role, participant)
        if outcome.ok:
            flash(_("The changes are saved."), "info")
            if getattr(participant, "may_be_registered_elsewhere", False):
                flash(str(MAY_BE_REGISTERED_ELSEWHERE), "warning")
            return redirect(participant_url("detail", participant))
        participant = _load(role, ids)
        errors, status = _form_errors(outcome.refusal.errors), outcome.refusal.status
        # The typed values stay in the form; a stale one shows what was saved meanwhile and now
        # carries that version, so saving again is a choice made knowing the other's values.
        form["version"] = participant.row_version if isinstance(outcome.refusal, StaleEdit) \
            else request.form.get("version", participant.row_version)
        if isinstance(outcome.refusal, StaleEdit):
            theirs = _as_form(services.form_data(participant))
    return render_template(
        "participants/form.html", role=role, participant=participant, form=form, errors=errors, theirs=theirs,
        field_labels=FIELD_LABELS, **_form_options(role),
    ), status


def _render_detail(participant, consent_form=None, errors=None, status_code=200):
    """The detail page; every time it shows a person's record, the read is in the audit log."""
    submit(services.record_participant_read, participant, current_user)
    return render_template(
        "participants/detail.html",
        participant=participant,
        blockers=services.matching_blockers(participant),
        moves=[(status, participant.STATUSES[status]) for status in services.allowed_moves(participant)],
        history=services.participant_history(participant),
        processes=processes_of(participant),
        intake=latest_intake(participant),
        field_labels=FIELD_LABELS,
        purpose_options=_choices(CONSENT_PURPOSES),
        consent_form=consent_form or {"text_version": CURRENT_CONSENT_TEXT_VERSION},
        errors=errors or {},
        can_interview=participant.status in intake.INTERVIEWABLE_STATUSES,
        portal_invitation=portal.pending_invitation(participant),
    ), status_code


def detail_view(role, **ids):
    return _render_detail(_load(role, ids))


def status_view(role, **ids):
    participant = _load(role, ids)
    data, errors = load_form(StatusMoveSchema())
    if not errors:
        refusal = submit(services.move_status, participant, data["status"], current_user).refusal
        errors = refusal.errors if refusal else {}
    if errors:
        flash(" ".join(str(message) for messages in errors.values() for message in messages), "error")
    else:
        flash(_("The status is now: %(status)s.", status=participant.status_label), "info")
    return redirect(participant_url("detail", participant))


def consent_view(role, **ids):
    participant = _load(role, ids)
    data, errors = load_form(ConsentSchema())
    status = 400
    if not errors:
        outcome = submit(intake.record_consent, participant, data, current_user, once=submitted_key(),
                         location=lambda consent: participant_url("detail", participant))
        if outcome.replayed:
            return redirect_replayed(outcome)
        if outcome.refusal:
            errors, status = outcome.refusal.errors, outcome.refusal.status
    if errors:
        return _render_detail(_load(role, ids), consent_form=request.form, errors=errors, status_code=status)
    flash(_("The consent is recorded."), "info")
    return redirect(participant_url("detail", participant))


def withdraw_consent_view(role, consent_id, **ids):
    participant = _load(role, ids)
    consent = found_or_404(intake.get_consent(participant, consent_id))
    if submit(intake.withdraw_consent, participant, consent, current_user).refusal:
        flash(_("This consent was already withdrawn."), "error")
    else:
        flash(_("The withdrawal of the consent is recorded."), "info")
    return redirect(participant_url("detail", participant))


def invite_view(role, **ids):
    """Invite the mentor or mentee into the portal, at their recorded e-mail address."""
    participant = _load(role, ids)
    invitation, refusal, _replayed = submit(_invite_to_portal, participant)
    if refusal:
        flash(refusal.message, "error")
        return redirect(participant_url("detail", participant))
    flash(_("Invitation to the portal sent to %(email)s.", email=invitation.email), "info")
    return redirect(participant_url("detail", participant))


def _invite_to_portal(participant):
    invitation, token = portal.invite_participant(g.tenant, participant, current_user,
                                                  current_app.config["INVITATION_MAX_AGE_DAYS"])
    send_email(
        invitation.email,
        "portal/email/invitation.txt",
        services.mail_locale(participant),
        tenant=g.tenant.name,
        name=participant.full_name,
        role=invitation.role,
        expires_at=invitation.expires_at,
        join_url=url_for("accounts.accept_invitation", slug=g.tenant.slug, token=token, _external=True),
    )
    return invitation


def interview_view(role, **ids):
    participant = _load(role, ids)
    if participant.status not in intake.INTERVIEWABLE_STATUSES:
        flash(_("Only applicants can be interviewed."), "error")
        return redirect(participant_url("detail", participant))
    form, errors = {"interviewer_id": str(current_user.id)}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(InterviewSchema())
        if not errors:
            outcome = submit(intake.record_interview, participant, data, current_user, once=submitted_key(),
                             location=lambda interview: participant_url("detail", participant))
            if outcome.replayed:
                return redirect_replayed(outcome)
            if outcome.refusal:
                errors = outcome.refusal.errors
                participant = _load(role, ids)
            else:
                flash(_("The interview is recorded. The status is now: %(status)s.",
                        status=participant.status_label), "info")
                return redirect(participant_url("detail", participant))
    return render_template(
        "participants/interview.html",
        participant=participant,
        form=form,
        errors=errors,
        interviewer_options=[(str(user.id), user.name) for user in intake.interviewers(g.tenant.id)],
        recommendation_options=_choices(RECOMMENDATIONS),
    ), 400 if errors else 200


_PARTICIPANT_VIEWS = (
    ("", "list", list_view, ("GET",)),
    ("/new", "new", new_view, ("GET", "POST")),
    ("/<id:{role}_id>", "detail", detail_view, ("GET",)),
    ("/<id:{role}_id>/edit", "edit", edit_view, ("GET", "POST")),
    ("/<id:{role}_id>/status", "status", status_view, ("POST",)),
    ("/<id:{role}_id>/interview", "interview", interview_view, ("GET", "POST")),
    ("/<id:{role}_id>/consents", "consent", consent_view, ("POST",)),
    ("/<id:{role}_id>/portal-invitation", "invite", invite_view, ("POST",)),
    ("/<id:{role}_id>/consents/<id:consent_id>/withdraw", "withdraw_consent", withdraw_consent_view, ("POST",)),
)


for _suffix, _name, _view, _methods in _PARTICIPANT_VIEWS:
    add_participant_rule(bp, _suffix, _name, _view, _methods)


# --- imports -----------------------------------------------------------------

@bp.route("/imports/new", methods=["GET", "POST"])
@permission_required("participants.import")
def new_import():
    form, errors = {"role": request.args.get("role", "")}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(ImportUploadSchema())
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors.setdefault("file", []).append(_("Choose a file to upload."))
        if not errors:
            outcome = submit(imports.start_import, data["role"], upload.filename, upload.read(), current_user,
                             once=submitted_key(),
                             location=lambda started: url_for("participants.import_preview", import_id=started.id))
            if outcome.replayed:
                return redirect(outcome.replayed[0])
            if outcome.ok:
                return redirect(url_for("participants.import_preview", import_id=outcome.result.id))
            errors = outcome.refusal.errors
    return render_template(
        "participants/import_new.html",
        form=form,
        errors=errors,
        role_options=_choices(PARTICIPANT_ROLES),
        columns=imports.IMPORT_COLUMNS,
        required_columns=imports.REQUIRED_COLUMNS,
        max_rows=imports.MAX_IMPORT_ROWS,
    ), 400 if errors else 200


@bp.get("/imports/template.csv")
@permission_required("participants.import")
def import_template_csv():
    return _import_template("csv")


@bp.get("/imports/template.xlsx")
@permission_required("participants.import")
def import_template_xlsx():
    return _import_template("xlsx")


def _import_template(file_format):
    """An empty list to fill in, with the valid codes (XLSX: on a second sheet)."""
    role = _import_role()
    content, name = import_codes.template_file(role, imports.IMPORT_COLUMNS[role], file_format)
    return _download(content, name, file_format)


@bp.get("/imports/codes.csv")
@permission_required("participants.import")
def import_codes_csv():
    role = _import_role()
    content, name = import_codes.codes_file(role, imports.IMPORT_COLUMNS[role])
    return _download(content, name, "csv")


def _import_role():
    # Without a role, the mentees' list (the one most imported); an unknown role is no page.
    role = request.args.get("role", "mentee")
    if role not in PARTICIPANT_ROLES:
        abort(404)
    return role


def _download(content, name, file_format):
    mimetype = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    return Response(content, mimetype=mimetype[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _load_import(import_id):
    return get_or_404(ParticipantImport, import_id)


def _render_preview(participant_import, status_code=200):
    results = [] if participant_import.confirmed_at else imports.validate_rows(participant_import)
    invalid = [result for result in results if result.errors]
    return render_template(
        "participants/import_preview.html",
        participant_import=participant_import,
        row_count=len(results),
        invalid_count=len(invalid),
        invalid_rows=invalid[:PREVIEW_ERROR_ROWS],
        valid_rows=[result for result in results if not result.errors][:PREVIEW_VALID_ROWS],
        shown_cell=import_codes.shown_cell,
        columns=[column for column in participant_import.columns if column],
    ), status_code


@bp.get("/imports/<id:import_id>")
@permission_required("participants.import")
def import_preview(import_id):
    return _render_preview(_load_import(import_id))


@bp.post("/imports/<id:import_id>/confirm")
@permission_required("participants.import")
def confirm_import(import_id):
    participant_import = _load_import(import_id)
    role = participant_import.role
    outcome = submit(imports.confirm_import, participant_import, current_user, once=submitted_key(),
                     location=lambda count: url_for(f"participants.{role}_list"))
    if outcome.replayed:
        return redirect_replayed(outcome)
    if outcome.refusal:
        flash(outcome.refusal.message, "error")
        return _render_preview(_load_import(import_id), status_code=outcome.refusal.status)
    count, elsewhere = outcome.result
    flash(ngettext("%(num)d person was imported as %(role)s.", "%(num)d people were imported as %(role)s.",
                   count, role=PARTICIPANT_ROLES[role]), "info")
    if elsewhere:
        flash(ngettext("%(num)d of them may already be registered with another partner. Ask them, and start a "
                       "transfer if they agree.",
                       "%(num)d of them may already be registered with another partner. Ask them, and start a "
                       "transfer if they agree.", elsewhere), "warning")
    return redirect(url_for(f"participants.{role}_list"))
