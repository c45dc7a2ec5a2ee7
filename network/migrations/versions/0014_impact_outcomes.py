"""impact: outcome measures of a process (indicators at the start and at closing, goal attainment)

Revision ID: 0014_impact
Revises: 0014_transfers_c
Create Date: 2026-12-03 14:30:00

Two tenant-owned tables with the tenants' Row-Level Security. The impact roll-ups are rows of
`rollup_counts` (new metrics): run `flask rollups rebuild` after upgrading to count them.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0014_impact'
down_revision = '0014_transfers_c'
branch_labels = None
depends_on = None

NEW_TABLES = ('outcome_assessments', 'goal_attainments')


def upgrade():
    op.create_table(
        'outcome_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('side', sa.Enum('mentee', 'mentor', name='outcome_side', native_enum=False, create_constraint=True,
                                  length=8), nullable=False),
        sa.Column('stage', sa.Enum('intake', 'closing', name='outcome_stage', native_enum=False,
                                   create_constraint=True, length=8), nullable=False),
        sa.Column('measures_version', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('recorded_at', network.core.timeutil.UTCDateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_outcome_assessments_recorded_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'process_id'],
                                ['mentoring_processes.tenant_id', 'mentoring_processes.id'],
                                name=op.f('fk_outcome_assessments_tenant_id_process_id_mentoring_processes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_outcome_assessments_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_assessments')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_outcome_assessments_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'process_id', 'side', 'stage', name='uq_outcome_assessments_stage'),
    )
    op.create_table(
        'goal_attainments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('goal_id', sa.Integer(), nullable=False),
        sa.Column('expected_outcome', sa.String(length=500), nullable=False),
        sa.Column('weight', sa.Integer(), server_default='1', nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('scored_at', network.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('scored_by_id', sa.Integer(), nullable=True),
        sa.Column('row_version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('score BETWEEN -2 AND 2', name=op.f('ck_goal_attainments_score_range')),
        sa.CheckConstraint('weight BETWEEN 1 AND 10', name=op.f('ck_goal_attainments_weight_range')),
        sa.ForeignKeyConstraint(['scored_by_id'], ['users.id'], name=op.f('fk_goal_attainments_scored_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'goal_id'], ['agreement_goals.tenant_id', 'agreement_goals.id'],
                                name=op.f('fk_goal_attainments_tenant_id_goal_id_agreement_goals'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'process_id'],
                                ['mentoring_processes.tenant_id', 'mentoring_processes.id'],
                                name=op.f('fk_goal_attainments_tenant_id_process_id_mentoring_processes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_goal_attainments_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_attainments')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_goal_attainments_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'goal_id', name='uq_goal_attainments_goal'),
    )
    op.create_index('ix_goal_attainments_tenant_process', 'goal_attainments', ['tenant_id', 'process_id'])
    for table in NEW_TABLES:
        rls.enable_row_level_security(op, table)


def downgrade():
    op.drop_table('goal_attainments')
    op.drop_table('outcome_assessments')
