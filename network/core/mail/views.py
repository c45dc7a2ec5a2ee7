"""The outbox page of a workspace: what was sent to whom, and why a message failed."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from network.core.mail import outbox
from network.core.mail.messages import find_message
from network.core.permissions import permission_required
from network.core.submit import found_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("outbox", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)



@bp.get("/outbox")
@permission_required("outbox.read")
def messages():
    return render_template("mail/outbox.html", messages=outbox.recent_messages())


@bp.post("/outbox/<id:message_id>/resend")
@permission_required("outbox.read")
def resend(message_id):
    message = found_or_404(find_message(message_id))
    if submit(outbox.resend, message).result:
        flash(_("The message to %(email)s will be sent again.", email=message.recipient), "info")
    else:
        flash(_("Only a message that failed can be sent again."), "error")
    return redirect(url_for("outbox.messages"))
