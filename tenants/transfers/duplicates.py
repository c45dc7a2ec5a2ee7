"""The duplicate check across partners that reveals nothing.

At registration and import the person's keyed fingerprints (tenants.transfers.fingerprints)
are stored in the partner's own rows, then one database function answers whether another
partner holds one of them: yes or no, never which partner. The staff are told only that the
person may already be registered with another partner (ask them; a transfer if they agree);
coordinators see counts. Without `DUPLICATE_CHECK_SECRET` the check is off (nothing stored).
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from network.core.audit.services import record_event, record_events
from network.core.extensions import db
from network.core.tenancy import current_tenant_id
from network.core.timeutil import utcnow
from tenants.transfers import fingerprints as fp
from tenants.transfers.models import REGISTERED_ELSEWHERE_FUNCTION, DuplicateFingerprint

MAY_BE_REGISTERED_ELSEWHERE = _l("This person may already be registered with another partner. Ask them, and "
                                 "start a transfer if they agree.")


def _secret():
    return current_app.config.get("DUPLICATE_CHECK_SECRET")


def _person(data):
    return {"full_name": data.get("full_name"), "date_of_birth": data.get("date_of_birth"),
            "phone": data.get("phone"), "email": data.get("email")}


def registered_elsewhere(role, digests):
    """The digests among `digests` that another partner holds (the database function decides)."""
    digests = sorted(set(digests))
    if not digests:
        return set()
    found = db.session.execute(sa.select(getattr(sa.func, REGISTERED_ELSEWHERE_FUNCTION)(
        role, sa.cast(digests, sa.ARRAY(sa.Text))))).scalar()
    return set(found or ())


def _rows(participant_id, role, prints):
    return [{"tenant_id": current_tenant_id(), f"{role}_id": participant_id, "kind": kind, "digest": digest,
             "created_at": utcnow()} for kind, digest in prints.items()]


def check_new(participant, data, actor):
    """Fingerprint a newly registered person; True when they may be registered elsewhere."""
    secret = _secret()
    if not secret:
        return False
    prints = fp.fingerprints(secret, participant.role, **_person(data))
    if prints:
        db.session.execute(sa.insert(DuplicateFingerprint), _rows(participant.id, participant.role, prints))
    flagged = bool(registered_elsewhere(participant.role, prints.values()))
    if flagged:
        record_event("duplicates.flagged", actor, participant)
    return flagged


def check_changed(participant, data, actor, name_changed):
    """After an edit: the contacts' fingerprints follow the record; the name's are replaced when
    a date of birth is given, and dropped when the name changed without one."""
    secret = _secret()
    if not secret:
        return False
    prints = fp.fingerprints(secret, participant.role, **_person(data))
    kinds = [fp.PHONE, fp.EMAIL]
    if data.get("date_of_birth") is not None or name_changed:
        kinds += [fp.NAME_ALL, fp.NAME_ENDS]
    link = getattr(DuplicateFingerprint, f"{participant.role}_id")
    db.session.execute(sa.delete(DuplicateFingerprint).where(link == participant.id,
                                                             DuplicateFingerprint.kind.in_(kinds)))
    new = {kind: digest for kind, digest in prints.items() if kind in kinds}
    if new:
        db.session.execute(sa.insert(DuplicateFingerprint), _rows(participant.id, participant.role, new))
    flagged = bool(registered_elsewhere(participant.role, new.values()))
    if flagged:
        record_event("duplicates.flagged", actor, participant)
    return flagged


def check_imported(role, ids, rows, actor):
    """Fingerprint a confirmed import's people at once; how many may be registered elsewhere."""
    secret = _secret()
    if not secret or not ids:
        return 0
    prints = list(zip(ids, (fp.fingerprints(secret, role, **_person(data)) for data in rows), strict=True))
    inserts = [row for participant_id, person in prints for row in _rows(participant_id, role, person)]
    if inserts:
        db.session.execute(sa.insert(DuplicateFingerprint), inserts)
    elsewhere = registered_elsewhere(role, [digest for _id, person in prints for digest in person.values()])
    flagged = [participant_id for participant_id, person in prints if elsewhere & set(person.values())]
    model_name = "Mentor" if role == "mentor" else "Mentee"
    record_events("duplicates.flagged", actor, model_name, flagged)
    return len(flagged)


def network_duplicate_count():
    """For coordinators (inside the national bypass): how many registrations share a fingerprint
    with another partner's. A count only; it says nothing of who or where."""
    other = sa.orm.aliased(DuplicateFingerprint)
    shared = sa.exists().where(other.digest == DuplicateFingerprint.digest,
                               other.tenant_id != DuplicateFingerprint.tenant_id)
    person = sa.func.coalesce(DuplicateFingerprint.mentor_id, -DuplicateFingerprint.mentee_id)
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(sa.tuple_(DuplicateFingerprint.tenant_id, person))))
                             .where(DuplicateFingerprint.digest.is_not(None), shared)) or 0
