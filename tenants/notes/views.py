"""Staff pages of case files: a note or a file added on a mentor's, a mentee's or a process's
page, a note edited, a file downloaded (always as a download, never shown by our origin)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import found_or_404, get_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.notes import services
from tenants.notes.files import ACCEPTED_ENDINGS
from tenants.notes.models import CaseAttachment, CaseNote
from tenants.notes.schemas import NoteSchema
from tenants.participants.services import get_participant
from tenants.processes.models import MentoringProcess

bp = Blueprint("notes", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX + "/case-file")

SUBJECT_PATHS = {"mentor": "mentors", "mentee": "mentees", "process": "processes"}


def _subject_or_404(subject, subject_id):
    if subject == "process":
        return get_or_404(MentoringProcess, subject_id)
    return found_or_404(get_participant(subject, subject_id))


def subject_url(subject_name, subject_id):
    if subject_name == "process":
        return url_for("processes.detail", process_id=subject_id)
    return url_for(f"participants.{subject_name}_detail", **{f"{subject_name}_id": subject_id})


def _flash_errors(errors):
    flash(" ".join(str(message) for messages in errors.values() for message in messages), "error")


def add_note(subject, **ids):
    record = _subject_or_404(subject, ids[f"{subject}_id"])
    data, errors = load_form(NoteSchema())
    if errors:
        _flash_errors(errors)
    else:
        refusal = submit(services.add_note, record, data["body"], current_user).refusal
        if refusal:
            _flash_errors(refusal.errors)
        else:
            flash(_("The note has been saved."), "info")
    return redirect(subject_url(subject, record.id) + "#case-file")


def add_attachment(subject, **ids):
    record = _subject_or_404(subject, ids[f"{subject}_id"])
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to add."), "error")
        return redirect(subject_url(subject, record.id) + "#case-file")
    refusal = submit(services.add_attachment, record, upload.filename, upload.read(), current_user,
                     current_app.config["ATTACHMENT_MAX_BYTES"]).refusal
    if refusal:
        _flash_errors(refusal.errors)
    else:
        flash(_("The file has been added."), "info")
    return redirect(subject_url(subject, record.id) + "#case-file")


def _for_subject(view, subject):
    def subject_view(**ids):
        return view(subject, **ids)

    return permission_required("notes.manage")(subject_view)


for _subject, _path in SUBJECT_PATHS.items():
    for _view in (add_note, add_attachment):
        bp.add_url_rule(f"/{_path}/<id:{_subject}_id>/{_view.__name__.removeprefix('add_')}s",
                        endpoint=f"{_subject}_{_view.__name__}", methods=["POST"],
                        view_func=_for_subject(_view, _subject))


@bp.route("/notes/<id:note_id>/edit", methods=["GET", "POST"])
@permission_required("notes.manage")
def edit_note(note_id):
    note = get_or_404(CaseNote, note_id)
    form, errors, status = {"body": note.body}, {}, 200
    if request.method == "POST":
        form, status = request.form, 400
        data, errors = load_form(NoteSchema())
        if not errors:
            refusal = submit(services.edit_note, note, data["body"], current_user,
                             version=(note, request.form.get("version", type=int))).refusal
            if not refusal:
                flash(_("The note has been saved; the earlier text is kept in its history."), "info")
                return redirect(subject_url(note.subject, note.subject_id) + "#case-file")
            errors, status = refusal.errors, refusal.status
            note = get_or_404(CaseNote, note_id)
    return render_template("notes/edit.html", note=note, form=form, errors=errors,
                           back_url=subject_url(note.subject, note.subject_id)), status


@bp.get("/attachments/<id:attachment_id>")
@permission_required("notes.manage")
def download(attachment_id):
    attachment = get_or_404(CaseAttachment, attachment_id)
    outcome = submit(services.read_attachment, attachment, current_user)
    if outcome.refusal:
        _flash_errors(outcome.refusal.errors)
        return redirect(subject_url(attachment.subject, attachment.subject_id))
    response = current_app.response_class(outcome.result, mimetype=attachment.content_type)
    # Always a download, never rendered by this origin: whatever a file holds, it runs nowhere here.
    response.headers.set("Content-Disposition", "attachment", filename=attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/attachments/<id:attachment_id>/delete")
@permission_required("notes.manage")
def delete_attachment(attachment_id):
    attachment = get_or_404(CaseAttachment, attachment_id)
    back = subject_url(attachment.subject, attachment.subject_id)
    if not submit(services.delete_attachment, attachment, current_user).refusal:
        flash(_("The file has been deleted."), "info")
    return redirect(back + "#case-file")


@bp.app_template_global()
def case_file(subject):
    """What the case-file panel of a subject's page shows."""
    name = services.subject_name(subject)
    return {
        "notes": services.notes_about(subject),
        "attachments": services.attachments_about(subject),
        "note_url": url_for(f"notes.{name}_add_note", **{f"{name}_id": subject.id}),
        "attachment_url": url_for(f"notes.{name}_add_attachment", **{f"{name}_id": subject.id}),
        "accept": ",".join(ACCEPTED_ENDINGS),
        "max_megabytes": current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024),
    }
