"""why-not questions: "why not this mentor?" of a batch proposal, answered by a job

Revision ID: 0015_whynot
Revises: 0015_impact
Create Date: 2026-12-03 17:30:00

A tenant-owned table with the tenants' Row-Level Security, reached only through its proposal
(deleted with it). Ids and scores only: no foreign key to a mentor or a mentee.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0015_whynot'
down_revision = '0015_impact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('why_not_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='why_not_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('finished_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_why_not_questions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_why_not_questions_asked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'proposal_id'], ['matching_proposals.tenant_id', 'matching_proposals.id'], name=op.f('fk_why_not_questions_tenant_id_matching_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_why_not_questions')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_why_not_questions_tenant_id_id'))
    )
    rls.enable_row_level_security(op, 'why_not_questions')


def downgrade():
    op.drop_table('why_not_questions')
