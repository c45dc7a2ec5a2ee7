"""privacy: retention settings, erasure records, and the one narrow path that redacts audit values

Revision ID: 0009_privacy
Revises: 0008_bench_indexes
Create Date: 2026-11-24 06:30:00.000000

The audit log stays append-only for the app (REVOKE UPDATE, DELETE in 0001). Erasing a
participant must still remove the personal values the log holds about them (old values of
changed fields, an invitation's e-mail). The app may do that only by calling
`privacy_redact_audit_values`, a SECURITY DEFINER function owned by the migrations' owner: it
can only overwrite the values of the `changes` of entries of the tenant in the transaction
about the given records, and keeps the keys (and the values of the keys listed as codes).
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0009_privacy'
down_revision = '0008_bench_indexes'
branch_labels = None
depends_on = None

NEW_TABLES = ('privacy_settings', 'erasures')

# As of this revision: 0013_onedb replaces the function.
REDACTION_FUNCTION = 'privacy_redact_audit_values'
REDACTED = '[redacted]'
REDACTABLE_RECORD_TYPES = ('Mentor', 'Mentee', 'Invitation', 'ApiToken')
# Keys whose values are ids or codes, never a person's words.
SAFE_AUDIT_KEYS = ('consent_id', 'count', 'format', 'import_id', 'interview_id', 'intake_response_id', 'invitation_id',
                   'purpose', 'recommendation', 'role', 'status', 'trigger')


def _sql_list(values):
    return ", ".join(f"'{value}'" for value in sorted(values))


REDACTION_FUNCTION_SQL = f"""
CREATE FUNCTION {REDACTION_FUNCTION}(p_record_type text, p_record_ids integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant integer := NULLIF(current_setting('{rls.TENANT_SETTING}', true), '')::integer;
    v_count integer;
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION '{REDACTION_FUNCTION}: no tenant in the transaction';
    END IF;
    IF p_record_type NOT IN ({_sql_list(REDACTABLE_RECORD_TYPES)}) THEN
        RAISE EXCEPTION '{REDACTION_FUNCTION}: % is not a record type about a person', p_record_type;
    END IF;
    UPDATE audit_events AS event SET changes = (
        SELECT json_object_agg(entry.key, CASE WHEN entry.key IN ({_sql_list(SAFE_AUDIT_KEYS)})
                                               THEN entry.value ELSE to_json('{REDACTED}'::text) END)
        FROM json_each(event.changes) AS entry
    )
    WHERE event.tenant_id = v_tenant AND event.record_type = p_record_type
      AND event.record_id = ANY(p_record_ids) AND json_typeof(event.changes) = 'object';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END $$
"""


def upgrade():
    op.create_table('privacy_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('months_after_last_process', sa.Integer(), nullable=True),
    sa.Column('import_days', sa.Integer(), nullable=True),
    sa.Column('updated_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_privacy_settings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_privacy_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_settings')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_privacy_settings_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_privacy_settings_tenant_id'))
    )
    op.create_table('erasures',
    sa.Column('erased_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('erased_by_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.Enum('request', 'retention', name='erasure_trigger', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name=op.f('ck_erasures_one_participant')),
    sa.ForeignKeyConstraint(['erased_by_id'], ['users.id'], name=op.f('fk_erasures_erased_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_erasures_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_erasures_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_erasures_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_erasures_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'mentee_id', name=op.f('uq_erasures_tenant_id_mentee_id')),
    sa.UniqueConstraint('tenant_id', 'mentor_id', name=op.f('uq_erasures_tenant_id_mentor_id'))
    )
    op.create_index('ix_erasures_tenant_mentee', 'erasures', ['tenant_id', 'mentee_id'])
    op.create_index('ix_erasures_tenant_mentor', 'erasures', ['tenant_id', 'mentor_id'])

    for table in NEW_TABLES:
        rls.enable_row_level_security(op, table)

    op.execute(REDACTION_FUNCTION_SQL)
    op.execute(f'REVOKE ALL ON FUNCTION {REDACTION_FUNCTION}(text, integer[]) FROM PUBLIC')
    op.execute(f'GRANT EXECUTE ON FUNCTION {REDACTION_FUNCTION}(text, integer[]) TO {rls.RUNTIME_ROLE}')
    # The function runs as the owner, which Row-Level Security (FORCE) binds too: it may
    # touch the rows of the tenant in the transaction, nothing else.
    op.execute(
        "CREATE POLICY privacy_redaction ON audit_events TO CURRENT_USER "
        f"USING (tenant_id = NULLIF(current_setting('{rls.TENANT_SETTING}', true), '')::integer)"
    )


def downgrade():
    op.execute('DROP POLICY IF EXISTS privacy_redaction ON audit_events')
    op.execute(f'DROP FUNCTION IF EXISTS {REDACTION_FUNCTION}(text, integer[])')
    op.drop_index('ix_erasures_tenant_mentor', table_name='erasures')
    op.drop_index('ix_erasures_tenant_mentee', table_name='erasures')
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
