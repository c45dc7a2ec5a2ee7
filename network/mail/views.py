"""The outbox page of a workspace: what was sent to whom, and why a message failed."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from network.extensions import db
from network.mail import outbox
from network.permissions import permission_required
from tenants.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("outbox", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)



@bp.get("/outbox")
@permission_required("outbox.read")
def messages():
    return render_template("mail/outbox.html", messages=outbox.recent_messages())


@bp.post("/outbox/<id:message_id>/resend")
@permission_required("outbox.read")
def resend(message_id):
    message = outbox.find_message(message_id)
    if message is None:
        abort(404)
    if outbox.resend(message):
        db.session.commit()
        flash(_("The message to %(email)s will be sent again.", email=message.recipient), "info")
    else:
        flash(_("Only a message that failed can be sent again."), "error")
    return redirect(url_for("outbox.messages"))
