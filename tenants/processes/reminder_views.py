"""The link in a meeting reminder that stops them, for a mentor or a mentee without logging in
(many have no portal account). Opening it only asks; the button (a POST, so a mail scanner
following links stops nothing) does it. The link is signed and names one process and side."""
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from network.core.extensions import db
from network.core.submit import submit
from network.core.tenancy import tenant_context
from tenants.processes import reminders
from tenants.processes.models import MentoringProcess

bp = Blueprint("reminders", __name__, template_folder="templates", url_prefix="/reminders")


def _process_of(token):
    found = reminders.read_stop_token(token, current_app.secret_key)
    if found is None:
        abort(404)
    return found


@bp.route("/stop/<token>", methods=["GET", "POST"])
def stop(token):
    tenant_id, process_id, side = _process_of(token)
    with tenant_context(tenant_id):
        process = db.session.get(MentoringProcess, process_id)
        if process is None:
            abort(404)
        if request.method == "POST":
            submit(reminders.set_reminders, process, side, False)
        stopped = reminders.reminders_off(process, side)
    message = _("You will receive no more meeting reminders for this mentoring.") if stopped else None
    return render_template("processes/reminders_stop.html", stopped=stopped, message=message)
