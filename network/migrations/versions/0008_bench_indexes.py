"""bench indexes: the process list's order; the process page's goals, progress and outcomes by parent

Revision ID: 0008_bench_indexes
Revises: 0007_portal
Create Date: 2026-11-24 05:00:00

Measured at the `national` size (docs/benchmarks.md): without them the process list sorted
every process of the tenant to show 25, and the process page read every goal, progress and
outcome row of the tenant to show one process's.
"""
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = '0008_bench_indexes'
down_revision = '0007_portal'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_mentoring_processes_tenant_matched', 'mentoring_processes', ['tenant_id', 'matched_on', 'id'], unique=False)
    op.create_index('ix_agreement_goals_tenant_agreement', 'agreement_goals', ['tenant_id', 'agreement_id'], unique=False)
    op.create_index('ix_goal_progress_tenant_follow_up', 'goal_progress', ['tenant_id', 'follow_up_id'], unique=False)
    op.create_index('ix_goal_outcomes_tenant_evaluation', 'goal_outcomes', ['tenant_id', 'evaluation_id'], unique=False)


def downgrade():
    op.drop_index('ix_goal_outcomes_tenant_evaluation', table_name='goal_outcomes')
    op.drop_index('ix_goal_progress_tenant_follow_up', table_name='goal_progress')
    op.drop_index('ix_agreement_goals_tenant_agreement', table_name='agreement_goals')
    op.drop_index('ix_mentoring_processes_tenant_matched', table_name='mentoring_processes')
