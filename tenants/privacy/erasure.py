"""Erasure: a participant's personal data anonymised, their history kept without it.

What stays: the rows and their dates, states, codes and ids (the process timeline, consents
given and withdrawn, attendance), and the mentee's attributes the national roll-ups count
(country of origin, age band, gender, residence status, support areas), so the roll-ups do
not change. What goes: names (a pseudonym instead), contacts, every free text (notes,
answers, agreement texts, comments, case notes), the files of their case file, the audit
log's old values, the portal account (when it serves nothing else), pending invitations,
e-mails to them and uploaded rows with their contacts. A person with an open process is
refused: the process is closed or cancelled first.
"""
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from network.core.accounts.models import Invitation
from network.core.accounts.sessions import end_all_sessions
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.mail.models import OutboxMessage
from network.core.submit import Refused
from network.core.tenancy import current_tenant_id, rls
from network.core.tenancy.models import Tenant
from network.core.timeutil import utcnow
from tenants.notes.models import CaseAttachment
from tenants.notes.services import remove_attachments
from tenants.participants.models import ROLES, Consent, ParticipantImport
from tenants.portal.models import ParticipantInvitation
from tenants.privacy import walk
from tenants.privacy.audit_redaction import redact_audit_values
from tenants.privacy.models import Erasure
from tenants.processes.models import OPEN_STATES, MentoringProcess

KEEP = "keep"  # ids, codes, dates and counts: not a person's words
CLEAR = "clear"  # NULL, or the empty value of a required column
PSEUDONYM = "pseudonym"


def _without_reason(details):
    """A cancelled process's event keeps the states, not the words of why."""
    if not isinstance(details, dict):
        return details
    return {key: value for key, value in details.items() if key != "reason"} or None


# What erasure does to each text or JSON column of every table the walk reaches.
# tests/privacy/test_coverage.py fails on a column missing here: a new column is a decision.
ERASURE_POLICY = {
    "mentors": {
        "full_name": PSEUDONYM, "email": CLEAR, "phone": CLEAR, "municipality": CLEAR, "expectations": CLEAR,
        "availability_days": CLEAR, "availability_periods": CLEAR, "professional_area": CLEAR, "skills": CLEAR,
        "gender": CLEAR, "motivation": CLEAR, "short_bio": CLEAR, "hours_per_week": KEEP, "status": KEEP,
        "referral_source": KEEP,
        "preferred_language": KEEP,
    },
    "mentees": {
        "full_name": PSEUDONYM, "email": CLEAR, "phone": CLEAR, "municipality": CLEAR, "expectations": CLEAR,
        "availability_days": CLEAR, "availability_periods": CLEAR, "nationality": CLEAR, "arrival_year": CLEAR,
        "migration_reason": CLEAR, "employment_status": CLEAR, "preferred_mentor_gender": CLEAR,
        # Counted by the national roll-ups, and not identifying without the rest.
        "country_of_origin": KEEP, "residence_status": KEEP, "age_band": KEEP, "gender": KEEP,
        "status": KEEP, "referral_source": KEEP, "preferred_language": KEEP,
    },
    "mentor_languages": {"language_code": KEEP, "level": KEEP},
    "mentee_languages": {"language_code": KEEP, "level": KEEP},
    "mentor_support_areas": {},
    "mentee_support_areas": {},  # counted by the national roll-ups
    "consents": {"purpose": KEEP, "text_version": KEEP},
    "interviews": {"notes": CLEAR, "recommendation": KEEP},
    "intake_responses": {"answers": CLEAR},
    "participant_invitations": {},
    "activity_invitations": {},
    # The partner's activity, not the person's: it names its facilitator through the pseudonym.
    "activities": {"title": KEEP, "place": KEEP, "facilitator_name": KEEP, "description": KEEP, "kind": KEEP,
                   "audience": KEEP},
    "erasures": {"trigger": KEEP, "reason": KEEP},
    "mentoring_processes": {"state": KEEP, "cadence": KEEP, "outcome": KEEP, "cancel_reason": CLEAR,
                            "next_meeting_place": CLEAR, "next_meeting_uid": KEEP},
    "process_events": {"kind": KEEP, "from_state": KEEP, "to_state": KEEP, "details": _without_reason},
    "agreements": {"meeting_frequency": KEEP, "mode": KEEP, "place": CLEAR, "mentor_duties": CLEAR,
                   "mentee_duties": CLEAR},
    "agreement_goals": {"kind": KEEP, "text": CLEAR},
    "meetings": {"mode": KEEP, "topics": KEEP, "notes": CLEAR, "logged_as": KEEP},
    "follow_ups": {"issues": CLEAR, "actions": CLEAR},
    "goal_progress": {},
    "evaluations": {"side": KEEP, "changes": KEEP, "comments": CLEAR},
    "goal_outcomes": {"outcome": KEEP},
    "follow_up_answers": {"side": KEEP, "progress": KEEP, "comment": CLEAR},
    # Whether each side confirmed a meeting is what the verified hours count; the reason is their words.
    "meeting_confirmations": {"side": KEEP, "answer": KEEP, "reason": CLEAR},
    "mentee_choices": {"declined": CLEAR},
    # Staff's words and files about the person or their process: the words go, the files are deleted.
    # The outcome measures are codes and scores the impact figures count; the words go.
    "outcome_assessments": {"side": KEEP, "stage": KEEP, "answers": KEEP},
    "goal_attainments": {"expected_outcome": CLEAR},
    "case_notes": {"body": CLEAR},
    "case_note_revisions": {"body": CLEAR},
    "case_attachments": {"filename": CLEAR, "content_type": KEEP, "storage_key": KEEP},
    # The network's duplicate check: an erased person is no longer recognised anywhere.
    "duplicate_fingerprints": {"kind": KEEP, "digest": CLEAR},
    # A transfer's record: what travelled is personal data; the steps and choices are not.
    "transfers_out": {"items": KEEP, "package": CLEAR, "status": KEEP, "consent_text_version": KEEP},
    "transfers_in": {"role": KEEP, "items": KEEP, "status": KEEP, "carried": CLEAR},
    # The coordinator's words about the incident may name the person.
    "break_glass_grants": {"reason": CLEAR},
}

PSEUDONYMS = {"mentor": _l("Anonymised mentor #%(id)s"), "mentee": _l("Anonymised mentee #%(id)s")}


class ErasureRefused(Refused):
    """Anonymising is refused (an open process): nothing was changed."""

    status = 409


def open_processes(participant):
    link = ROLES[participant.role].link(MentoringProcess)
    return db.session.scalars(
        sa.select(MentoringProcess).where(link == participant.id, MentoringProcess.state.in_(OPEN_STATES))
    ).all()


def erasure_of(participant):
    link = ROLES[participant.role].link(Erasure)
    return db.session.scalar(sa.select(Erasure).where(link == participant.id))


def erasure_blocker(participant):
    """Why the participant cannot be anonymised now (translated), or None."""
    if erasure_of(participant) is not None:
        return _("This person's personal data has already been anonymised.")
    if open_processes(participant):
        return _("This person has an open mentoring process: close or cancel it first, then anonymise.")
    return None


def pseudonym(participant):
    """In the partner's language: the name is stored, and read by everyone in the workspace."""
    tenant = db.session.get(Tenant, participant.tenant_id)
    with force_locale(tenant.default_locale):
        return str(PSEUDONYMS[participant.role] % {"id": participant.id})


def erase_participant(participant, actor, reason, trigger="request"):
    """Anonymise a participant of the tenant in context; raises ErasureRefused."""
    blocker = erasure_blocker(participant)
    if blocker:
        raise ErasureRefused(blocker)
    db.session.flush()
    found = walk.rows_about(participant)
    user = walk.portal_user(participant)
    addresses = walk.addresses_of(participant, user)
    personal_texts = _personal_texts(participant, user)
    name = pseudonym(participant)

    # Recorded first: the audit log's redaction requires the erasure of this transaction.
    erasure = Erasure(erased_by_id=actor.id if actor else None, trigger=trigger, reason=reason,
                      **{ROLES[participant.role].link_column: participant.id})
    db.session.add(erasure)
    db.session.flush()
    for record_type, ids in walk.audited_records(participant, found):
        redact_audit_values(erasure, record_type, ids)
    _purge_import_rows(participant)
    _purge_outbox(addresses, personal_texts, name)
    invitation_ids = walk.portal_invitation_ids(found)
    if user is not None:
        _retire_account(participant, user, name)
    _withdraw_consents(participant, actor)
    db.session.flush()
    # The rows found by the walk, table by table, as plain statements on the session's
    # connection (explicitly in the tenant; Row-Level Security too on PostgreSQL).
    _anonymise_found(found, name, invitation_ids)
    db.session.expire_all()
    record_event("privacy.erased", actor, participant, changes={"trigger": trigger, "reason": reason})
    db.session.flush()
    return erasure


def _anonymise_found(found, name, invitation_ids):
    connection = db.session.connection()
    for table_name, rows in found.items():
        _anonymise_rows(connection, table_name, rows, name)
    # Files cannot be anonymised: they go, from the storage once this transaction commits.
    remove_attachments(db.session.scalars(sa.select(CaseAttachment).where(
        CaseAttachment.id.in_(list(found.get("case_attachments", {}))))).all())
    if invitation_ids:
        # Their portal invitations (and the links to them) go: they only held the address.
        for table, column in ((ParticipantInvitation.__table__, "invitation_id"), (Invitation.__table__, "id")):
            connection.execute(sa.delete(table).where(table.c.tenant_id == current_tenant_id(),
                                                      table.c[column].in_(invitation_ids)))


def _personal_texts(participant, user):
    values = {participant.full_name, participant.email, participant.phone}
    if user is not None:
        values |= {user.email, user.name}
    return sorted((value for value in values if value and len(value) > 3), key=len, reverse=True)


def _cleared(column):
    if column.nullable:
        return None
    return [] if isinstance(column.type, sa.JSON) else ""


def _anonymise_rows(connection, table_name, rows, name):
    if not rows:
        return
    table = db.metadata.tables[table_name]
    policy = ERASURE_POLICY[table_name]
    values = {}
    for column_name, action in policy.items():
        column = table.c[column_name]
        if action == CLEAR:
            values[column_name] = _cleared(column)
        elif action == PSEUDONYM:
            values[column_name] = name
    where = [table.c.tenant_id == current_tenant_id(), table.c.id.in_(list(rows))]
    if values:
        connection.execute(table.update().where(*where).values(**values))
    for column_name, action in policy.items():
        if callable(action):
            updates = [{"row_id": row_id, "value": action(row[column_name])} for row_id, row in rows.items()
                       if row[column_name] is not None]
            if updates:
                connection.execute(
                    table.update().where(table.c.tenant_id == current_tenant_id(), table.c.id == sa.bindparam("row_id"))
                    .values({column_name: sa.bindparam("value")}), updates)
    if table_name in ("mentors", "mentees"):
        connection.execute(table.update().where(*where).values(user_id=None, shares_contact=False))


def _retire_account(participant, user, name):
    """The portal membership here ends; an account that serves nothing else is anonymised."""
    for membership in walk.memberships_here(user):
        if membership.role == participant.role:
            membership.active = False
    others = [m for m in user.memberships if m.active and not (m.tenant_id == participant.tenant_id
                                                             and m.role == participant.role)]
    if others:
        return
    old_address = user.email.lower()
    user.email = f"anonymised-{user.id}@invalid.rede-mentores.pt"
    user.name = name
    user.password_hash = None
    user.active = False
    user.last_login_at = None
    user.session_epoch = (user.session_epoch or 0) + 1
    end_all_sessions(user)  # logged out wherever it was signed in
    for token in walk.api_tokens_of(user):  # named by the person, and of no use any more
        db.session.delete(token)
    # E-mails to the account outside any workspace (a password reset) are network-level rows,
    # which Row-Level Security shows only outside a tenant: step out for this one statement.
    connection = db.session.connection()
    rls.apply_transaction_settings(connection, None, bypass=False)
    try:
        connection.execute(sa.delete(OutboxMessage.__table__).where(
            OutboxMessage.__table__.c.tenant_id.is_(None),
            sa.func.lower(OutboxMessage.__table__.c.recipient) == old_address))
    finally:
        rls.apply_transaction_settings(connection, current_tenant_id(), bypass=False)


def _purge_outbox(addresses, personal_texts, name):
    """E-mails to them are deleted; others that name them (a reminder to their mentor) lose the name."""
    if addresses:
        db.session.execute(sa.delete(OutboxMessage).where(
            OutboxMessage.tenant_id == current_tenant_id(), sa.func.lower(OutboxMessage.recipient).in_(addresses)))
    for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.tenant_id == current_tenant_id())):
        context = _replace_texts(message.context, personal_texts, name)
        if context != message.context:
            message.context = context
        if message.subject and _replace_texts(message.subject, personal_texts, name) != message.subject:
            message.subject = _replace_texts(message.subject, personal_texts, name)


def _replace_texts(value, texts, replacement):
    if isinstance(value, str):
        for text in texts:
            value = value.replace(text, replacement)
        return value
    if isinstance(value, list):
        return [_replace_texts(item, texts, replacement) for item in value]
    if isinstance(value, dict):
        return {key: _replace_texts(item, texts, replacement) for key, item in value.items()}
    return value


def _purge_import_rows(participant):
    for participant_import, rows in walk.import_rows_holding(participant):
        participant_import.rows = [row for row in participant_import.rows if row not in rows]


def _withdraw_consents(participant, actor):
    link = ROLES[participant.role].link(Consent)
    for consent in db.session.scalars(sa.select(Consent).where(link == participant.id, Consent.is_current)):
        consent.withdrawn_at = utcnow()
        consent.withdrawn_by_id = actor.id if actor else None


def uploaded_lists_past(cutoff):
    return db.session.scalars(
        sa.select(ParticipantImport).where(ParticipantImport.confirmed_at.is_(None),
                                           ParticipantImport.created_at < cutoff).order_by(ParticipantImport.id)
    ).all()
