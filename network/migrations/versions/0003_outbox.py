"""outbox: e-mails written in the caller's transaction, sent by a job

Revision ID: 0003_outbox
Revises: 0002_participants
Create Date: 2026-11-24 04:10:07.648831

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0003_outbox'
down_revision = '0002_participants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('template', sa.String(length=200), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='outbox_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('next_attempt_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('sent_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_outbox_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_id'))
    )
    op.create_index('ix_outbox_status_next_attempt', 'outbox', ['status', 'next_attempt_at'])
    op.create_index('ix_outbox_tenant_created', 'outbox', ['tenant_id', 'created_at'])
    rls.enable_nullable_tenant_row_level_security(op, 'outbox')


def downgrade():
    op.drop_table('outbox')
