"""Every row the partner holds about one participant, found from the schema itself.

The walk starts at the participant's row and follows every foreign key that points at a
row already found (consents, processes, then each process's agreements, meetings, ...), so
a table added later that references a participant, or a process, is found without anyone
remembering to list it. Rows come back with every column of the table: a new column is
exported, and tests/privacy/test_coverage.py makes its erasure a decision.

What no foreign key links is added by name: the person's portal account and memberships,
their portal invitations, the audit entries about them, the e-mails addressed to them and
the rows of uploaded lists that carry their contacts.
"""
from collections import deque
from datetime import date, datetime

import sqlalchemy as sa

from network.core.accounts.models import Invitation, Membership, User
from network.core.api.tokens import tokens_of
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.mail.models import OutboxMessage
from network.core.tenancy import current_tenant_id
from tenants.participants.models import ParticipantImport

PARTICIPANT_TABLES = {"mentor": "mentors", "mentee": "mentees"}
# Found for the rows they point at, not walked below: an activity a participant led lists
# other people's invitations.
NOT_WALKED_BELOW = frozenset({"activities"})
# Secrets that protect the account, not information about the person.
SECRET_COLUMNS = {"users": frozenset({"password_hash"}), "invitations": frozenset({"token_hash"}),
                  "api_tokens": frozenset({"token_hash"})}
# Sections added by name (no foreign key leads to them from the participant).
LINKED_BY_NAME = ("users", "memberships", "api_tokens", "invitations", "audit_events", "outbox", "participant_imports")


def walk_plan(root_table):
    """[(table, foreign key constraint)] in the order the walk follows them from `root_table`."""
    tables = db.metadata.tables
    plan, queue, seen = [], deque([root_table]), {root_table}
    while queue:
        parent = queue.popleft()
        if parent in NOT_WALKED_BELOW:
            continue
        for table in tables.values():
            if table.name == parent:
                continue  # a process redefined from another: a different process, maybe another pair
            for constraint in sorted(table.foreign_key_constraints, key=lambda fk: fk.name or ""):
                if constraint.referred_table.name == parent:
                    plan.append((table.name, constraint))
                    if table.name not in seen:
                        seen.add(table.name)
                        queue.append(table.name)
    return plan


def section_names(role):
    root = PARTICIPANT_TABLES[role]
    return sorted({root, *(table for table, _ in walk_plan(root)), *LINKED_BY_NAME})


def _link_columns(constraint):
    """The child column(s) of a foreign key, without the tenant (every walk stays in one tenant)."""
    return [column for column in constraint.columns if column.name != "tenant_id"]


def _where_in_tenant(table):
    return [table.c.tenant_id == current_tenant_id()] if "tenant_id" in table.c else []


def rows_about(participant, same_side_only=False):
    """{table name: {row id: row mapping}} of the tenant in context, walked from the participant.

    A row reached through several foreign keys (a goal's outcome: its evaluation and its goal)
    is about the person when each of them leads to a row found. `same_side_only`: of the rows
    that belong to one side of a process (a final evaluation, a follow-up answer), keep the
    participant's own side (what an export hands over)."""
    tables = db.metadata.tables
    root = PARTICIPANT_TABLES[participant.role]
    found = {root: _fetch(tables[root], [tables[root].c.id == participant.id])}
    links = {}
    for table_name, constraint in walk_plan(root):
        links.setdefault(table_name, []).append(constraint)
    while links:
        ready = [name for name, constraints in links.items()
                 if all(c.referred_table.name in found for c in constraints)]
        if not ready:
            raise RuntimeError(f"the walk cannot order {sorted(links)}: a cycle of foreign keys")
        for table_name in ready:
            table, constraints = tables[table_name], links.pop(table_name)
            where = _linked_to_found(constraints, found)
            if same_side_only and "side" in table.c:
                where.append(table.c.side == participant.role)
            found[table_name] = _fetch(table, where)
    return found


def _linked_to_found(constraints, found):
    """Each link is to a row found, or empty when the column allows it (a case note is about a
    mentor, a mentee or a process: one of its links is set); at least one link is set."""
    where, links = [], []
    for constraint in constraints:
        (column,) = _link_columns(constraint)
        linked = column.in_(list(found[constraint.referred_table.name]))
        where.append(sa.or_(column.is_(None), linked) if column.nullable else linked)
        links.append(column.is_not(None))
    return [*where, sa.or_(*links)]


def _fetch(table, where):
    rows = db.session.execute(sa.select(table).where(*where, *_where_in_tenant(table))).mappings().all()
    return {row["id"]: row for row in rows}


# --- what no foreign key links --------------------------------------------------

def portal_user(participant):
    return db.session.get(User, participant.user_id) if participant.user_id else None


def memberships_here(user):
    if user is None:
        return []
    return db.session.scalars(
        sa.select(Membership).where(Membership.user_id == user.id, Membership.tenant_id == current_tenant_id())
        .order_by(Membership.id)
    ).all()


def portal_invitation_ids(found):
    return sorted({row["invitation_id"] for row in found.get("participant_invitations", {}).values()})


def portal_invitations(found):
    ids = portal_invitation_ids(found)
    if not ids:
        return []
    return db.session.scalars(sa.select(Invitation).where(Invitation.id.in_(ids)).order_by(Invitation.id)).all()


def api_tokens_of(user):
    return tokens_of(user) if user is not None else []


def audited_records(participant, found):
    """(record type, ids) of the audit entries about the person (their account's API tokens are
    named by them)."""
    return [(type(participant).__name__, [participant.id]), ("Invitation", portal_invitation_ids(found)),
            ("ApiToken", [token.id for token in api_tokens_of(portal_user(participant))])]


def audit_entries(participant, found):
    conditions = [sa.and_(AuditEvent.record_type == record_type, AuditEvent.record_id.in_(ids))
                  for record_type, ids in audited_records(participant, found) if ids]
    return db.session.scalars(
        sa.select(AuditEvent).where(sa.or_(*conditions)).order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()


def addresses_of(participant, user=None):
    return sorted({address.lower() for address in (participant.email, user.email if user else None) if address})


def outbox_messages_to(addresses):
    if not addresses:
        return []
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.tenant_id == current_tenant_id(),
                                       sa.func.lower(OutboxMessage.recipient).in_(addresses))
        .order_by(OutboxMessage.id)
    ).all()


def _comparable(value):
    text = str(value or "").strip().lower()
    digits = "".join(character for character in text if character.isdigit() or character == "+")
    return text, digits


def contact_values(participant):
    """What identifies the person in an uploaded list's cells: name, e-mail, phone."""
    values = {_comparable(value)[0] for value in (participant.full_name, participant.email, participant.phone) if value}
    return values | ({_comparable(participant.phone)[1]} if participant.phone else set())


def is_their_row(row, values):
    """An uploaded row ([line, cell, cell, ...]) that carries one of the person's values."""
    return any(cell_text in values or (digits and len(digits) > 6 and digits in values)
               for cell_text, digits in map(_comparable, row[1:]))


def import_rows_holding(participant):
    """[(import, [their rows])] of the uploaded lists still holding rows."""
    values = contact_values(participant)
    held = []
    for participant_import in db.session.scalars(sa.select(ParticipantImport).order_by(ParticipantImport.id)):
        rows = [row for row in participant_import.rows if is_their_row(row, values)]
        if rows:
            held.append((participant_import, rows))
    return held


def columns_of(obj, exclude=()):
    table = type(obj).__table__
    return {column.name: jsonable(getattr(obj, obj.__mapper__.get_property_by_column(column).key))
            for column in table.columns if column.name not in exclude}


def jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value
