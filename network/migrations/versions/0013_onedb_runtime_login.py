"""runtime login: the app logs in as a role that is only the runtime roles; the audit
redaction requires an erasure recorded in the same transaction

Revision ID: 0013_onedb
Revises: 0012_rollup_profiles
Create Date: 2026-12-03 10:00:00.000000

Until now the app logged in as the owner and switched to `rede_app` per transaction, so
`RESET ROLE` (or `SET ROLE <owner>`) inside a transaction got the owner back: no Row-Level
Security, every tenant's rows. `rede_app_login` (network.core.tenancy.rls) holds no right of its own
and is a member of `rede_app` and `rede_national` only.

`privacy_redact_audit_values` trusted the tenant setting alone: the runtime role could redact
the audit entries of anyone of its tenant. It now takes the erasure's id and refuses unless
that erasure was inserted by the current transaction, in the transaction's tenant, and the
records are the erased person's (their row, their portal invitations, their account's tokens).
The function runs as the owner, which FORCE Row-Level Security binds unless it is a superuser:
policies let the owner read, in the transaction's tenant only, the rows the checks read.
"""
from alembic import op

from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0013_onedb'
down_revision = '0013_matching'
branch_labels = None
depends_on = None

# As of this revision (tenants.privacy.audit_redaction has the same): a later change to these
# is a new migration that replaces the function.
REDACTION_FUNCTION = 'privacy_redact_audit_values'
REDACTED = '[redacted]'
REDACTABLE_RECORD_TYPES = ('Mentor', 'Mentee', 'Invitation', 'ApiToken')
SAFE_AUDIT_KEYS = ('consent_id', 'count', 'format', 'import_id', 'interview_id', 'intake_response_id', 'invitation_id',
                   'purpose', 'recommendation', 'role', 'status', 'trigger')
# Read by the function's checks, as the owner: each gets a policy for the owner, in the tenant only.
CHECKED_TABLES = ('erasures', 'mentors', 'mentees', 'participant_invitations')
CURRENT_TENANT = f"NULLIF(current_setting('{rls.TENANT_SETTING}', true), '')::integer"


def _sql_list(values):
    return ", ".join(f"'{value}'" for value in sorted(values))


REDACTION_FUNCTION_SQL = f"""
CREATE FUNCTION {REDACTION_FUNCTION}(p_erasure_id integer, p_record_type text, p_record_ids integer[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant integer := {CURRENT_TENANT};
    v_erasure erasures%ROWTYPE;
    v_user integer;
    v_allowed integer[];
    v_count integer;
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION '{REDACTION_FUNCTION}: no tenant in the transaction';
    END IF;
    IF p_record_type NOT IN ({_sql_list(REDACTABLE_RECORD_TYPES)}) THEN
        RAISE EXCEPTION '{REDACTION_FUNCTION}: % is not a record type about a person', p_record_type;
    END IF;
    -- Only an erasure this very transaction recorded (its row's xmin is our transaction id):
    -- not an older one, not another tenant's.
    SELECT * INTO v_erasure FROM erasures
    WHERE id = p_erasure_id AND tenant_id = v_tenant AND xmin = pg_current_xact_id()::xid;
    IF NOT FOUND THEN
        RAISE EXCEPTION '{REDACTION_FUNCTION}: no erasure % recorded in this transaction', p_erasure_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT user_id INTO v_user FROM mentors WHERE tenant_id = v_tenant AND id = v_erasure.mentor_id;
    IF v_erasure.mentee_id IS NOT NULL THEN
        SELECT user_id INTO v_user FROM mentees WHERE tenant_id = v_tenant AND id = v_erasure.mentee_id;
    END IF;
    v_allowed := CASE p_record_type
        WHEN 'Mentor' THEN ARRAY[v_erasure.mentor_id]
        WHEN 'Mentee' THEN ARRAY[v_erasure.mentee_id]
        WHEN 'Invitation' THEN ARRAY(
            SELECT invitation_id FROM participant_invitations
            WHERE tenant_id = v_tenant
              AND (mentor_id = v_erasure.mentor_id OR mentee_id = v_erasure.mentee_id))
        WHEN 'ApiToken' THEN ARRAY(SELECT id FROM api_tokens WHERE user_id = v_user)
    END;
    IF v_allowed IS NULL OR NOT p_record_ids <@ v_allowed THEN
        RAISE EXCEPTION '{REDACTION_FUNCTION}: records % are not about the person of erasure %',
            p_record_ids, p_erasure_id USING ERRCODE = 'insufficient_privilege';
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
    for statement in rls.create_runtime_login_sql():
        op.execute(statement)
    op.execute(f'DROP FUNCTION IF EXISTS {REDACTION_FUNCTION}(text, integer[])')
    op.execute(REDACTION_FUNCTION_SQL)
    op.execute(f'REVOKE ALL ON FUNCTION {REDACTION_FUNCTION}(integer, text, integer[]) FROM PUBLIC')
    op.execute(f'GRANT EXECUTE ON FUNCTION {REDACTION_FUNCTION}(integer, text, integer[]) TO {rls.RUNTIME_ROLE}')
    for table in CHECKED_TABLES:
        op.execute(f"CREATE POLICY privacy_redaction ON {table} FOR SELECT TO CURRENT_USER "
                   f"USING (tenant_id = {CURRENT_TENANT})")


def downgrade():
    for table in CHECKED_TABLES:
        op.execute(f'DROP POLICY IF EXISTS privacy_redaction ON {table}')
    op.execute(f'DROP FUNCTION IF EXISTS {REDACTION_FUNCTION}(integer, text, integer[])')
    # The login role stays: roles belong to the whole cluster, other databases may use it.
    from importlib import import_module

    previous = import_module('network.migrations.versions.0009_privacy')
    op.execute(previous.REDACTION_FUNCTION_SQL)
    op.execute(f'REVOKE ALL ON FUNCTION {REDACTION_FUNCTION}(text, integer[]) FROM PUBLIC')
    op.execute(f'GRANT EXECUTE ON FUNCTION {REDACTION_FUNCTION}(text, integer[]) TO {rls.RUNTIME_ROLE}')
