"""dashperf: each partner's profile rows summed by metric and month, for the national dashboard

Revision ID: 0015_dashperf
Revises: 0015_whynot
Create Date: 2026-12-03 18:00:00

`rollup_profile_sums` holds, per partner, mentee metric and month, the sum of the published
counts of its profile rows in `rollup_counts`: the partners table reads a few thousand sums
instead of tens of thousands of profile rows. It has the Row-Level Security of
`rollup_counts` (a partner's recount writes only its own rows; the national role reads all and
writes for the recount of several partners). Filled here from the rows already counted,
as the national role.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0015_dashperf'
down_revision = '0015_whynot'
branch_labels = None
depends_on = None


def _key(length):
    return sa.String(length).with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")


def upgrade():
    op.create_table(
        'rollup_profile_sums',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('metric', _key(32), nullable=False),
        sa.Column('month', _key(7), nullable=False),
        sa.Column('district', _key(32), nullable=False),
        sa.Column('tenant_kind', _key(32), nullable=False),
        sa.Column('published', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rollup_profile_sums_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', 'metric', 'month', name=op.f('pk_rollup_profile_sums')),
    )
    rls.enable_row_level_security(op, 'rollup_profile_sums')
    op.execute(f"GRANT INSERT, DELETE, TRUNCATE ON rollup_profile_sums TO {rls.NATIONAL_ROLE}")
    op.execute(f"CREATE POLICY national_rollup_write ON rollup_profile_sums FOR INSERT TO {rls.NATIONAL_ROLE} "
               "WITH CHECK (true)")
    op.execute(f"CREATE POLICY national_rollup_delete ON rollup_profile_sums FOR DELETE TO {rls.NATIONAL_ROLE} "
               "USING (true)")
    # As the national role, which reads every partner's rows whatever the owner may (forced RLS).
    op.execute(f"SET LOCAL ROLE {rls.NATIONAL_ROLE}")
    op.execute("INSERT INTO rollup_profile_sums (tenant_id, metric, month, district, tenant_kind, published) "
               "SELECT tenant_id, metric, month, district, tenant_kind, sum(published) FROM rollup_counts "
               "WHERE dimension = 'profile' GROUP BY tenant_id, metric, month, district, tenant_kind")
    op.execute("RESET ROLE")


def downgrade():
    op.drop_table('rollup_profile_sums')
