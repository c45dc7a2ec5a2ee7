"""matching proposals: batch matching of a partner's waiting list; mentees' choice in the portal

Revision ID: 0013_matching
Revises: 0012_rollup_profiles
Create Date: 2026-12-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0013_matching'
down_revision = '0013_concurrency_b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matching_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.Enum('fair', 'total', name='proposal_mode', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='proposal_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('pins', sa.JSON(), nullable=False),
    sa.Column('exclusions', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('confirmed', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('finished_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_matching_proposals_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_matching_proposals_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_proposals')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_matching_proposals_tenant_id_id'))
    )
    rls.enable_row_level_security(op, 'matching_proposals')
    op.create_table('mentee_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('declined', sa.JSON(), nullable=False),
    sa.Column('chosen_mentor_id', sa.Integer(), nullable=True),
    sa.Column('chosen_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentee_choices_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_mentee_choices_tenant_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'chosen_mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_mentee_choices_tenant_id_mentors'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentee_choices')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentee_choices_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'mentee_id', name=op.f('uq_mentee_choices_tenant_id_mentee_id'))
    )
    rls.enable_row_level_security(op, 'mentee_choices')
    with op.batch_alter_table('mentors') as batch_op:
        batch_op.add_column(sa.Column('shares_profile', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('short_bio', sa.String(length=300), nullable=True))
    with op.batch_alter_table('matching_settings') as batch_op:
        batch_op.add_column(sa.Column('mentee_choice', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('matching_settings') as batch_op:
        batch_op.drop_column('mentee_choice')
    with op.batch_alter_table('mentors') as batch_op:
        batch_op.drop_column('short_bio')
        batch_op.drop_column('shares_profile')
    op.drop_table('mentee_choices')
    op.drop_table('matching_proposals')
