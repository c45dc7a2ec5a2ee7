"""transfers: the network's duplicate check (keyed fingerprints, no names) and its yes/no function

Revision ID: 0014_transfers
Revises: 0014_notes_b
Create Date: 2026-12-03 14:30:00

`duplicate_fingerprints` is tenant-owned (Row-Level Security like every such table): a partner
reads and writes its own fingerprints only. `transfers_registered_elsewhere(digests)` runs as
the owner (SECURITY DEFINER) and answers, for the transaction's tenant only, which of the
given fingerprints another partner also holds: never which partner, never a row. The owner is
bound by FORCE Row-Level Security unless it is a superuser: a policy lets it read the
fingerprints (no other table) inside the function.
"""
import sqlalchemy as sa
from alembic import op

from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0014_transfers'
down_revision = '0014_notes_b'
branch_labels = None
depends_on = None

FUNCTION = 'transfers_registered_elsewhere'
CURRENT_TENANT = f"NULLIF(current_setting('{rls.TENANT_SETTING}', true), '')::integer"
# An import checks at most 10,000 people of up to four fingerprints each.
MAX_DIGESTS = 40_000

FUNCTION_SQL = f"""
CREATE FUNCTION {FUNCTION}(p_role text, p_digests text[])
RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_tenant integer := {CURRENT_TENANT};
BEGIN
    IF v_tenant IS NULL THEN
        RAISE EXCEPTION '{FUNCTION}: no tenant in the transaction' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_role NOT IN ('mentor', 'mentee') THEN
        RAISE EXCEPTION '{FUNCTION}: % is not a role', p_role;
    END IF;
    IF coalesce(array_length(p_digests, 1), 0) > {MAX_DIGESTS} THEN
        RAISE EXCEPTION '{FUNCTION}: too many fingerprints at once' USING ERRCODE = 'program_limit_exceeded';
    END IF;
    RETURN ARRAY(
        SELECT DISTINCT f.digest FROM duplicate_fingerprints AS f
        WHERE f.digest = ANY(p_digests) AND f.tenant_id <> v_tenant
          AND (CASE p_role WHEN 'mentor' THEN f.mentor_id ELSE f.mentee_id END) IS NOT NULL);
END $$
"""


def upgrade():
    op.create_table(
        'duplicate_fingerprints',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=True),
        sa.Column('mentee_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('digest', sa.String(64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('tenant_id', 'id'),
        sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], ondelete='CASCADE'),
        sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name='one_participant'),
        sa.CheckConstraint("kind IN ('name_all', 'name_ends', 'phone', 'email')", name='known_kind'),
    )
    op.create_index('ix_duplicate_fingerprints_digest', 'duplicate_fingerprints', ['digest'])
    op.create_index('ix_duplicate_fingerprints_tenant_mentor', 'duplicate_fingerprints', ['tenant_id', 'mentor_id'])
    op.create_index('ix_duplicate_fingerprints_tenant_mentee', 'duplicate_fingerprints', ['tenant_id', 'mentee_id'])
    rls.enable_row_level_security(op, 'duplicate_fingerprints')
    op.execute("CREATE POLICY duplicate_lookup ON duplicate_fingerprints FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(FUNCTION_SQL)
    op.execute(f'REVOKE ALL ON FUNCTION {FUNCTION}(text, text[]) FROM PUBLIC')
    op.execute(f'GRANT EXECUTE ON FUNCTION {FUNCTION}(text, text[]) TO {rls.RUNTIME_ROLE}')


def downgrade():
    op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}(text, text[])')
    op.drop_table('duplicate_fingerprints')
