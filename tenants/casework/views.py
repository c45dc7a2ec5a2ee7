"""The Tasks page, snoozing a task, and giving a mentee, mentor or process to a staff member."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import found_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.casework import services
from tenants.casework.models import TASK_KINDS, TASK_SCOPES
from tenants.casework.schemas import OwnerSchema, SnoozeSchema
from tenants.participants.services import get_participant
from tenants.participants.urls import add_participant_rule, participant_url
from tenants.processes.models import MentoringProcess
from tenants.processes.services import get_process

bp = Blueprint("casework", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

TASK_LINKS = {
    # subject: the page that resolves the task
    "process": lambda task: url_for("processes.detail", process_id=task.subject_id),
    "mentee": lambda task: url_for("participants.mentee_interview", mentee_id=task.subject_id),
    "mentor": lambda task: url_for("participants.mentor_interview", mentor_id=task.subject_id),
}


@bp.app_template_global()
def task_url(task):
    return TASK_LINKS[task.subject](task)


@bp.app_template_filter()
def task_label(kind):
    """A kind of task in the reader's language (e-mails store the kind)."""
    return TASK_KINDS[kind][0]


@bp.app_template_global()
def owner_url(record):
    """Where the owner form of a mentee, mentor or process page posts."""
    if isinstance(record, MentoringProcess):
        return url_for("casework.process_owner", process_id=record.id)
    return url_for(f"casework.{record.role}_owner", **{f"{record.role}_id": record.id})


@bp.app_template_global()
def caseworker_choices():
    """The staff a case can be given to, for the owner forms of the detail pages."""
    return [(str(user.id), user.name) for user in services.caseworkers()]


@bp.get("/tasks")
@permission_required("casework.tasks")
def tasks():
    scope = request.args.get("scope", "mine")
    if scope not in TASK_SCOPES:
        scope = "mine"
    return render_template("casework/tasks.html", tasks=services.tasks(scope=scope, user_id=current_user.id),
                           scope=scope, scopes=TASK_SCOPES, today=date.today())


@bp.post(f"/tasks/<any({', '.join(TASK_KINDS)}):task_kind>/<id:subject_id>/snooze")
@permission_required("casework.tasks")
def snooze(task_kind, subject_id):
    found_or_404(services.task_subject(task_kind, subject_id))
    data, errors = load_form(SnoozeSchema())
    if not errors:
        outcome = submit(services.snooze_task, task_kind, subject_id, data["until"], data["reason"], current_user)
        errors = outcome.refusal.errors if outcome.refusal else {}
    if errors:
        flash(" ".join(str(message) for messages in errors.values() for message in messages), "error")
    else:
        flash(_("The task is snoozed until %(date)s.", date=format_date(data["until"])), "info")
    return redirect(url_for("casework.tasks", scope=request.form.get("scope", "mine")))


def _assign(record, back):
    data, errors = load_form(OwnerSchema())
    if not errors:
        outcome = submit(services.assign_owner, record, data["owner_id"], current_user)
        errors = outcome.refusal.errors if outcome.refusal else {}
    if errors:
        flash(" ".join(str(message) for messages in errors.values() for message in messages), "error")
    else:
        flash(_("Responsible staff member: %(name)s.", name=record.owner.name if record.owner else _("nobody")),
              "info")
    return redirect(back)


def participant_owner(role, **ids):
    participant = found_or_404(get_participant(role, ids[f"{role}_id"]))
    return _assign(participant, participant_url("detail", participant))


add_participant_rule(bp, "/<id:{role}_id>/owner", "owner", participant_owner, ("POST",))


@bp.post("/processes/<id:process_id>/owner")
@permission_required("processes.manage")
def process_owner(process_id):
    process = found_or_404(get_process(process_id))
    return _assign(process, url_for("processes.detail", process_id=process.id))
