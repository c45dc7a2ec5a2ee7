"""Transfers between partners: A's staff start one from a record (with the person's consent);
B's administrator accepts or declines it from the transfers page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.permissions import permission_required
from network.core.submit import Outcome, Refused, found_or_404, submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.participants.urls import add_participant_rule, participant_url
from tenants.transfers import services
from tenants.transfers.models import REQUIRED_ITEMS, TRANSFER_ITEMS
from tenants.transfers.schemas import TransferStartSchema

bp = Blueprint("transfers", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)


@bp.app_template_global()
def transfer_url(participant):
    role = participant.role
    return url_for(f"transfers.{role}_start", **{f"{role}_id": participant.id})


def _participant(role, ids):
    return found_or_404(services.participants.get_participant(role, ids[f"{role}_id"]))


def _start(participant):
    form = {"to_tenant_id": request.form.get("to_tenant_id", ""), "items": request.form.getlist("items"),
            "consent_text_version": request.form.get("consent_text_version", ""),
            "consent_given_on": request.form.get("consent_given_on", "")}
    data, errors = load_form(TransferStartSchema(), form)
    if errors:
        return Outcome(refusal=Refused("", errors=errors)), form
    return submit(services.start_transfer, participant, data, current_user), form


def start_view(role, **ids):
    participant = _participant(role, ids)
    form, errors, status = {"items": list(TRANSFER_ITEMS)}, {}, 200
    if request.method == "POST":
        outcome, form = _start(participant)
        if outcome.ok:
            flash(_("The transfer was sent to the other partner, whose administrator will accept or decline it."),
                  "info")
            return redirect(participant_url("detail", participant))
        errors, status = outcome.refusal.errors, outcome.refusal.status
    return render_template(
        "transfers/start.html", participant=participant, form=form, errors=errors,
        partners=[(str(partner.id), partner.name) for partner in services.partners_to_transfer_to()],
        items=[(key, label) for key, label in TRANSFER_ITEMS.items()], required_items=REQUIRED_ITEMS,
        open_processes=services.open_processes(participant), transfers=services.outgoing_transfers(participant),
    ), status


add_participant_rule(bp, "/<id:{role}_id>/transfer", "start", start_view, ("GET", "POST"), "transfers.start")


@bp.get("/transfers")
@permission_required("transfers.view")
def index():
    return render_template("transfers/index.html", incoming=services.incoming_transfers(),
                           outgoing=services.outgoing_transfers(), items=TRANSFER_ITEMS)


def _decide(incoming_id, service, done):
    incoming = found_or_404(services.get_incoming(incoming_id))
    outcome = submit(service, incoming, current_user)
    if outcome.refusal:
        flash(outcome.refusal.message, "error")
        return redirect(url_for("transfers.index"))
    flash(done, "info")
    if service is services.accept_transfer:
        return redirect(participant_url("detail", outcome.result))
    return redirect(url_for("transfers.index"))


@bp.post("/transfers/incoming/<id:incoming_id>/accept")
@permission_required("transfers.decide")
def accept(incoming_id):
    return _decide(incoming_id, services.accept_transfer,
                   _("The transfer is accepted: the person is registered here, as an applicant."))


@bp.post("/transfers/incoming/<id:incoming_id>/decline")
@permission_required("transfers.decide")
def decline(incoming_id):
    return _decide(incoming_id, services.decline_transfer,
                   _("The transfer is declined: nothing of this person was received."))
