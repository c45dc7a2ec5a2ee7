"""impact: each side's confirmation (or dispute) of a logged meeting

Revision ID: 0015_impact
Revises: 0014_impact
Create Date: 2026-12-03 17:30:00

One tenant-owned table with the tenants' Row-Level Security. A meeting's hours are verified
volunteer hours when the mentor and the mentee both confirmed it in the portal.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0015_impact'
down_revision = '0014_impact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'meeting_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('side', sa.Enum('mentor', 'mentee', name='meeting_confirmation_side', native_enum=False,
                                  create_constraint=True, length=8), nullable=False),
        sa.Column('answer', sa.Enum('confirmed', 'disputed', name='meeting_answer', native_enum=False,
                                    create_constraint=True, length=10), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=True),
        sa.Column('answered_at', network.core.timeutil.UTCDateTime(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'],
                                name=op.f('fk_meeting_confirmations_answered_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tenant_id', 'meeting_id'], ['meetings.tenant_id', 'meetings.id'],
                                name=op.f('fk_meeting_confirmations_tenant_id_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_meeting_confirmations_tenant_id_tenants'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_confirmations')),
        sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meeting_confirmations_tenant_id_id')),
        sa.UniqueConstraint('tenant_id', 'meeting_id', 'side',
                            name=op.f('uq_meeting_confirmations_tenant_id_meeting_id_side')),
    )
    rls.enable_row_level_security(op, 'meeting_confirmations')


def downgrade():
    op.drop_table('meeting_confirmations')
