"""Consented transfers of a mentor or mentee from one partner (A) to another (B).

A's staff start one: the partner, what travels (the profile always; languages, support needs,
intake answers, the summary of closed processes on request; case notes never), and the
person's consent with its text version. The package is built here, in A's workspace, and
stays there. One database function (`transfers_offer`, owned by the role `rede_transfer`)
puts a request without personal data in B's workspace; B's administrator accepts it
(`transfers_accept` closes A's record as "transferred", hands the package to B's transaction
and clears it in A) or declines it (`transfer_decline`: nothing reaches B). Neither partner's
role ever reads the other's rows; both audit logs record each step.
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.exc import DBAPIError

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.submit import Refused
from network.core.tenancy import current_tenant_id
from network.core.tenancy.models import Tenant, active_partner_criteria
from network.core.timeutil import utcnow
from tenants.intake.services import latest_intake
from tenants.participants import services as participants
from tenants.participants.schemas import PARTICIPANT_SCHEMAS
from tenants.processes.models import OPEN_STATES
from tenants.processes.services import processes_of
from tenants.transfers.models import (
    ACCEPT_FUNCTION,
    DECLINE_FUNCTION,
    OFFER_FUNCTION,
    REQUIRED_ITEMS,
    TRANSFER_ITEMS,
    IncomingTransfer,
    OutgoingTransfer,
)

# Ids of the sending partner's own rows mean nothing (or something else) in the receiving one.
_NOT_CARRIED = ("referral_activity_id",)
_ITEM_FIELDS = {"languages": ("languages", "portuguese_level"), "support_needs": ("support_areas",)}


def partners_to_transfer_to():
    """[(id, name)] of the active partners other than the current one."""
    return db.session.execute(
        sa.select(Tenant.id, Tenant.name).where(*active_partner_criteria(), Tenant.id != current_tenant_id())
        .order_by(Tenant.name)).all()


def open_processes(participant):
    return [process for process in processes_of(participant) if process.state in OPEN_STATES]


def build_package(participant, items):
    """What travels, as B's registration form would receive it, and what B keeps beside it."""
    record = {key: value for key, value in participants.form_data(participant).items() if key not in _NOT_CARRIED}
    for item, keys in _ITEM_FIELDS.items():
        if item not in items:
            record |= {key: ([] if key != "portuguese_level" else None) for key in keys if key in record}
    carried = {}
    if "intake" in items:
        response = latest_intake(participant)
        # Each answer keeps its question as asked (both languages): it reads the same at B.
        carried["intake"] = response.answers if response else []
    if "history" in items:
        carried["history"] = [
            {"state": process.state, "outcome": process.outcome, "matched_on": _iso(process.matched_on),
             "closed_on": _iso(process.closed_on)}
            for process in processes_of(participant) if process.state not in OPEN_STATES]
    return {"role": participant.role, "record": _jsonable(record), "carried": carried}


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def _jsonable(record):
    return {key: _iso(value) for key, value in record.items()}


def _refuse_unless_transferable(participant, to_tenant_id):
    if participant.status == "transferred":
        raise Refused(gettext("This person has already been transferred to another partner."))
    if any(transfer.status == "awaiting_acceptance" for transfer in outgoing_transfers(participant)):
        raise Refused(gettext("A transfer of this person is already waiting for the other partner."))
    if open_processes(participant):
        raise Refused(gettext("This person has an open mentoring process. Close or cancel it before the transfer."))
    if to_tenant_id not in {partner.id for partner in partners_to_transfer_to()}:
        raise Refused(gettext("Choose one of the options."), field="to_tenant_id")


def start_transfer(participant, data, actor):
    """A's staff: the transfer, with the person's consent (recorded by staff), offered to B."""
    _refuse_unless_transferable(participant, data["to_tenant_id"])
    items = sorted({*REQUIRED_ITEMS, *data["items"]} & set(TRANSFER_ITEMS))
    transfer = OutgoingTransfer(
        to_tenant_id=data["to_tenant_id"], items=items, package=build_package(participant, items),
        consent_text_version=data["consent_text_version"], consent_given_on=data["consent_given_on"],
        created_by_id=actor.id if actor else None, **{f"{participant.role}_id": participant.id})
    db.session.add(transfer)
    db.session.flush()
    db.session.execute(sa.select(getattr(sa.func, OFFER_FUNCTION)(transfer.id))).scalar()
    record_event("transfer.started", actor, transfer,
                 changes={"to_tenant_id": transfer.to_tenant_id, "items": items,
                          "consent_text_version": transfer.consent_text_version})
    return transfer


def outgoing_transfers(participant=None):
    query = sa.select(OutgoingTransfer).order_by(OutgoingTransfer.created_at.desc(), OutgoingTransfer.id.desc())
    if participant is not None:
        query = query.where(getattr(OutgoingTransfer, f"{participant.role}_id") == participant.id)
    return db.session.scalars(query).all()


def incoming_transfers():
    return db.session.scalars(sa.select(IncomingTransfer).order_by(
        (IncomingTransfer.status == "pending").desc(), IncomingTransfer.created_at.desc())).all()


def get_incoming(incoming_id):
    return db.session.get(IncomingTransfer, incoming_id)


def provenance(participant):
    """The accepted transfer that brought this person to the current partner, or None."""
    return db.session.scalar(sa.select(IncomingTransfer).where(
        getattr(IncomingTransfer, f"{participant.role}_id") == participant.id))


_FUNCTION_REFUSALS = {
    "55006": lambda: gettext("The person still has an open mentoring process with the other partner: they must "
                             "close or cancel it first."),
    "P0002": lambda: gettext("The other partner has withdrawn this transfer."),
}


def _call(function, incoming_id):
    """The cross-tenant function in a savepoint: its refusal leaves the transaction usable."""
    try:
        with db.session.begin_nested():
            return db.session.execute(sa.select(getattr(sa.func, function)(incoming_id))).scalar()
    except DBAPIError as error:
        code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        if code in _FUNCTION_REFUSALS:
            raise Refused(_FUNCTION_REFUSALS[code](), status=409) from None
        raise


def accept_transfer(incoming, actor):
    """B's administrator: A's record is closed, the person registered here with what travelled."""
    if incoming.status != "pending":
        raise Refused(gettext("This transfer was already decided."), status=409)
    package = _call(ACCEPT_FUNCTION, incoming.id)
    db.session.refresh(incoming)
    data = PARTICIPANT_SCHEMAS[incoming.role]().load(package["record"])
    participant = participants.create_participant(incoming.role, data, actor)
    setattr(incoming, f"{incoming.role}_id", participant.id)
    incoming.carried = package.get("carried") or None
    incoming.decided_by_id = actor.id if actor else None
    record_event("transfer.accepted", actor, incoming, changes={"from_tenant_id": incoming.from_tenant_id})
    return participant


def decline_transfer(incoming, actor):
    if incoming.status != "pending":
        raise Refused(gettext("This transfer was already decided."), status=409)
    _call(DECLINE_FUNCTION, incoming.id)
    db.session.refresh(incoming)
    incoming.decided_by_id = actor.id if actor else None
    incoming.decided_at = incoming.decided_at or utcnow()
    record_event("transfer.declined", actor, incoming, changes={"from_tenant_id": incoming.from_tenant_id})
    return incoming
