"""break-the-glass: a coordinator's time-boxed read-only access to one case, per partner

Revision ID: 0014_transfers_c
Revises: 0014_transfers_b
Create Date: 2026-12-03 14:30:00

`break_glass_grants` is tenant-owned (the partner whose case it opens), with the same
Row-Level Security as every such table.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0014_transfers_c'
down_revision = '0014_transfers_b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'break_glass_grants',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='RESTRICT'), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
        sa.Column('mentor_id', sa.Integer(), nullable=True),
        sa.Column('mentee_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(1000), nullable=False),
        sa.Column('requested_at', network.core.timeutil.UTCDateTime(), nullable=False),
        sa.Column('expires_at', network.core.timeutil.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('tenant_id', 'id'),
        sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], ondelete='CASCADE'),
        sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name='one_participant'),
    )
    op.create_index('ix_break_glass_grants_requested_by', 'break_glass_grants', ['requested_by_id', 'expires_at'])
    rls.enable_row_level_security(op, 'break_glass_grants')


def downgrade():
    op.drop_table('break_glass_grants')
