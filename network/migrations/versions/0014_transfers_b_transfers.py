"""transfers: consented transfers of a mentor or mentee between partners, through three
functions owned by a dedicated role

Revision ID: 0014_transfers_b
Revises: 0014_transfers
Create Date: 2026-12-03 14:40:00

`transfers_out` (partner A's side, with the package) and `transfers_in` (partner B's side)
are tenant-owned like every table: Row-Level Security unchanged, neither partner reads the
other's rows. What crosses goes through `transfers_offer`, `transfers_accept` and
`transfers_decline`, SECURITY DEFINER functions owned by `rede_transfer`: a role that logs in
never, bypasses no Row-Level Security, and holds only the grants and policies below (read and
update the two transfer tables, read the processes, set a person's status to "transferred",
append to the audit log). Each function acts only from the transaction's tenant, on a row of
that tenant, and writes both partners' audit logs. Mentors and mentees get the status
"transferred".
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0014_transfers_b'
down_revision = '0014_transfers'
branch_labels = None
depends_on = None

ROLE = 'rede_transfer'
CURRENT_TENANT = f"NULLIF(current_setting('{rls.TENANT_SETTING}', true), '')::integer"
OPEN_STATES = "('matched', 'agreement_signed', 'active', 'in_evaluation')"
STATUSES = {
    'mentors': ('mentor_status', ('applicant', 'interviewed', 'available', 'matched', 'paused', 'left')),
    'mentees': ('mentee_status', ('applicant', 'interviewed', 'waiting', 'matched', 'paused', 'left')),
}
# What the role may do, table by table: (grants, policy commands).
GRANTS = {
    'transfers_out': ('SELECT, UPDATE', ('SELECT', 'UPDATE')),
    'transfers_in': ('SELECT, INSERT, UPDATE', ('SELECT', 'INSERT', 'UPDATE')),
    'mentors': ('SELECT, UPDATE (status, updated_at)', ('SELECT', 'UPDATE')),
    'mentees': ('SELECT, UPDATE (status, updated_at)', ('SELECT', 'UPDATE')),
    'mentoring_processes': ('SELECT', ('SELECT',)),
    'audit_events': ('INSERT', ('INSERT',)),
    'tenants': ('SELECT', ()),
    # A transferred person is no longer "registered elsewhere" at A for the duplicate check.
    'duplicate_fingerprints': ('SELECT, DELETE', ('SELECT', 'DELETE')),
}


def _audit(tenant, action, record_type, record_id, changes):
    return (f"INSERT INTO audit_events (tenant_id, occurred_at, action, record_type, record_id, changes) "
            f"VALUES ({tenant}, now(), '{action}', '{record_type}', {record_id}, {changes});")


OFFER_SQL = f"""
CREATE FUNCTION transfers_offer(p_transfer_id integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant integer := {CURRENT_TENANT};
    v_out transfers_out%ROWTYPE;
    v_in integer;
BEGIN
    SELECT * INTO v_out FROM transfers_out
    WHERE id = p_transfer_id AND tenant_id = v_tenant AND status = 'awaiting_acceptance'
      AND consent_given_on IS NOT NULL;
    IF v_tenant IS NULL OR NOT FOUND THEN
        RAISE EXCEPTION 'transfers_offer: no consented transfer % of this tenant', p_transfer_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF v_out.to_tenant_id = v_tenant OR NOT EXISTS (
            SELECT FROM tenants WHERE id = v_out.to_tenant_id AND active AND kind <> 'coordination') THEN
        RAISE EXCEPTION 'transfers_offer: not a partner to transfer to' USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO transfers_in (tenant_id, from_tenant_id, source_transfer_id, role, items, status, created_at)
    VALUES (v_out.to_tenant_id, v_tenant, v_out.id,
            CASE WHEN v_out.mentor_id IS NOT NULL THEN 'mentor' ELSE 'mentee' END, v_out.items, 'pending', now())
    RETURNING id INTO v_in;
    {_audit('v_out.to_tenant_id', 'transfer.received', 'IncomingTransfer', 'v_in', 'NULL')}
    RETURN v_in;
END $$
"""

# B accepts: A's person must have no open process; A's record becomes "transferred", A's
# package is cleared and handed to B's transaction, both logs record it.
ACCEPT_SQL = f"""
CREATE FUNCTION transfers_accept(p_incoming_id integer) RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant integer := {CURRENT_TENANT};
    v_in transfers_in%ROWTYPE;
    v_out transfers_out%ROWTYPE;
BEGIN
    SELECT * INTO v_in FROM transfers_in
    WHERE id = p_incoming_id AND tenant_id = v_tenant AND status = 'pending' FOR UPDATE;
    IF v_tenant IS NULL OR NOT FOUND THEN
        RAISE EXCEPTION 'transfers_accept: no pending transfer % for this tenant', p_incoming_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Addressed to this tenant: a row of transfers_in is the tenant's own to write, so it proves
    -- nothing by itself; only A's transfer, naming this tenant, does.
    SELECT * INTO v_out FROM transfers_out
    WHERE tenant_id = v_in.from_tenant_id AND id = v_in.source_transfer_id AND to_tenant_id = v_tenant
      AND status = 'awaiting_acceptance' AND package IS NOT NULL
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfers_accept: the transfer was withdrawn' USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT FROM mentoring_processes AS p WHERE p.tenant_id = v_out.tenant_id
               AND p.state IN {OPEN_STATES}
               AND (p.mentor_id = v_out.mentor_id OR p.mentee_id = v_out.mentee_id)) THEN
        RAISE EXCEPTION 'transfers_accept: open processes' USING ERRCODE = 'object_in_use';
    END IF;
    UPDATE mentors SET status = 'transferred', updated_at = now()
    WHERE tenant_id = v_out.tenant_id AND id = v_out.mentor_id;
    UPDATE mentees SET status = 'transferred', updated_at = now()
    WHERE tenant_id = v_out.tenant_id AND id = v_out.mentee_id;
    DELETE FROM duplicate_fingerprints WHERE tenant_id = v_out.tenant_id
      AND (mentor_id = v_out.mentor_id OR mentee_id = v_out.mentee_id);
    UPDATE transfers_out SET status = 'accepted', decided_at = now(), package = NULL
    WHERE tenant_id = v_out.tenant_id AND id = v_out.id;
    UPDATE transfers_in SET status = 'accepted', decided_at = now() WHERE tenant_id = v_tenant AND id = v_in.id;
    {_audit('v_out.tenant_id', 'transfer.accepted', 'OutgoingTransfer', 'v_out.id', 'NULL')}
    RETURN v_out.package;
END $$
"""

DECLINE_SQL = f"""
CREATE FUNCTION transfers_decline(p_incoming_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant integer := {CURRENT_TENANT};
    v_in transfers_in%ROWTYPE;
BEGIN
    SELECT * INTO v_in FROM transfers_in
    WHERE id = p_incoming_id AND tenant_id = v_tenant AND status = 'pending' FOR UPDATE;
    IF v_tenant IS NULL OR NOT FOUND THEN
        RAISE EXCEPTION 'transfers_decline: no pending transfer % for this tenant', p_incoming_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE transfers_in SET status = 'declined', decided_at = now() WHERE tenant_id = v_tenant AND id = v_in.id;
    UPDATE transfers_out SET status = 'declined', decided_at = now(), package = NULL
    WHERE tenant_id = v_in.from_tenant_id AND id = v_in.source_transfer_id AND to_tenant_id = v_tenant
      AND status = 'awaiting_acceptance';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfers_decline: the transfer was withdrawn' USING ERRCODE = 'no_data_found';
    END IF;
    {_audit('v_in.from_tenant_id', 'transfer.declined', 'OutgoingTransfer', 'v_in.source_transfer_id', 'NULL')}
END $$
"""
FUNCTIONS = {'transfers_offer': OFFER_SQL, 'transfers_accept': ACCEPT_SQL, 'transfers_decline': DECLINE_SQL}


def _status_check(table, statuses):
    name, values = STATUSES[table]
    listed = ", ".join(f"'{value}'" for value in statuses)
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_{name}")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{name} CHECK (status IN ({listed}))")


def _participant_links(table):
    return [
        sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], ondelete='CASCADE'),
    ]


def _tables():
    now = network.core.timeutil.UTCDateTime()
    op.create_table(
        'transfers_out',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=True),
        sa.Column('mentee_id', sa.Integer(), nullable=True),
        sa.Column('to_tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('package', sa.JSON(), nullable=True),
        sa.Column('status', sa.Enum('awaiting_acceptance', 'accepted', 'declined', 'cancelled',
                                    name='outgoing_transfer_status', native_enum=False, create_constraint=True,
                                    length=24), nullable=False),
        sa.Column('consent_text_version', sa.String(32), nullable=False),
        sa.Column('consent_given_on', sa.Date(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('created_at', now, nullable=False),
        sa.Column('decided_at', now, nullable=True),
        sa.UniqueConstraint('tenant_id', 'id'),
        sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name='one_participant'),
        *_participant_links('transfers_out'),
    )
    op.create_table(
        'transfers_in',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('from_tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('source_transfer_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(8), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='incoming_transfer_status',
                                    native_enum=False, create_constraint=True, length=16), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=True),
        sa.Column('mentee_id', sa.Integer(), nullable=True),
        sa.Column('carried', sa.JSON(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('created_at', now, nullable=False),
        sa.Column('decided_at', now, nullable=True),
        sa.UniqueConstraint('tenant_id', 'id'),
        sa.UniqueConstraint('tenant_id', 'from_tenant_id', 'source_transfer_id'),
        *_participant_links('transfers_in'),
    )
    for table in ('transfers_out', 'transfers_in'):
        op.create_index(f'ix_{table}_tenant_mentor', table, ['tenant_id', 'mentor_id'])
        op.create_index(f'ix_{table}_tenant_mentee', table, ['tenant_id', 'mentee_id'])
        rls.enable_row_level_security(op, table)
    for role in ('mentor', 'mentee'):
        op.create_index(f'uq_transfers_out_pending_{role}', 'transfers_out', ['tenant_id', f'{role}_id'], unique=True,
                        postgresql_where=sa.text(f"status = 'awaiting_acceptance' AND {role}_id IS NOT NULL"))


def _role():
    op.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN "
               f"CREATE ROLE {ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS; END IF; "
               f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
    op.execute(f"GRANT {ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
    for table, (grants, commands) in GRANTS.items():
        op.execute(f"GRANT {grants} ON {table} TO {ROLE}")
        for command in commands:
            clause = "WITH CHECK (true)" if command == "INSERT" else "USING (true)"
            op.execute(f"CREATE POLICY transfers_{command.lower()} ON {table} FOR {command} TO {ROLE} {clause}")
    op.execute(f"GRANT USAGE ON SEQUENCE transfers_in_id_seq, audit_events_id_seq TO {ROLE}")


def upgrade():
    for table, (_name, values) in STATUSES.items():
        _status_check(table, (*values, 'transferred'))
    _tables()
    _role()
    for name, sql in FUNCTIONS.items():
        op.execute(sql)
        op.execute(f"ALTER FUNCTION {name}(integer) OWNER TO {ROLE}")
        op.execute(f"REVOKE ALL ON FUNCTION {name}(integer) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}(integer) TO {rls.RUNTIME_ROLE}")


def downgrade():
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}(integer)")
    for table, (_grants, commands) in GRANTS.items():
        for command in commands:
            op.execute(f"DROP POLICY IF EXISTS transfers_{command.lower()} ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {ROLE}")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {ROLE}")
    op.drop_table('transfers_in')
    op.drop_table('transfers_out')
    for table, (_name, values) in STATUSES.items():
        op.execute(f"UPDATE {table} SET status = 'left' WHERE status = 'transferred'")
        _status_check(table, values)
