"""rollups: counts per (tenant, month, metric, dimension, value), their national sums; dashboard exports

Revision ID: 0005_rollups
Revises: 0004_processes
Create Date: 2026-11-24 05:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import network.core.timeutil
from network.core.tenancy import rls


def _key(length):
    return sa.String(length=length).with_variant(postgresql.VARCHAR(length=length, collation='C'), 'postgresql')


# revision identifiers, used by Alembic.
revision = '0005_rollups'
down_revision = '0004_processes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rollup_counts',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('dimension', _key(24), nullable=False),
    sa.Column('metric', _key(32), nullable=False),
    sa.Column('month', _key(7), nullable=False),
    sa.Column('value', _key(64), nullable=False),
    sa.Column('district', _key(32), nullable=False),
    sa.Column('tenant_kind', _key(32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rollup_counts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'dimension', 'metric', 'month', 'value', name=op.f('pk_rollup_counts'))
    )
    op.create_table('rollup_national',
    sa.Column('district', _key(32), nullable=False),
    sa.Column('tenant_kind', _key(32), nullable=False),
    sa.Column('dimension', _key(24), nullable=False),
    sa.Column('metric', _key(32), nullable=False),
    sa.Column('month', _key(7), nullable=False),
    sa.Column('value', _key(64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('district', 'tenant_kind', 'dimension', 'metric', 'month', 'value', name=op.f('pk_rollup_national'))
    )
    op.create_table('dashboard_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('file_format', sa.Enum('csv', 'xlsx', name='export_format', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='export_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('finished_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_dashboard_exports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dashboard_exports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_exports')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_dashboard_exports_tenant_id_id'))
    )
    rls.enable_row_level_security(op, 'dashboard_exports')
    # A tenant's roll-up job writes only that tenant's rows; the national bypass reads all
    # and, for `flask rollups rebuild` only, replaces them: the one table it may write.
    rls.enable_row_level_security(op, 'rollup_counts')
    op.execute(f"GRANT INSERT, DELETE, TRUNCATE ON rollup_counts, rollup_national TO {rls.NATIONAL_ROLE}")
    op.execute(f"CREATE POLICY national_rollup_write ON rollup_counts FOR INSERT TO {rls.NATIONAL_ROLE} "
               "WITH CHECK (true)")
    op.execute(f"CREATE POLICY national_rollup_delete ON rollup_counts FOR DELETE TO {rls.NATIONAL_ROLE} "
               "USING (true)")


def downgrade():
    op.drop_table('rollup_national')
    op.drop_table('dashboard_exports')
    op.drop_table('rollup_counts')
