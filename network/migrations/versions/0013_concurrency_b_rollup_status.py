"""concurrency: roll-up stale marks, written in the same transaction as the change

Revision ID: 0013_concurrency_b
Revises: 0013_concurrency

`rollup_status` holds one row per partner: `stale_mark` (from the `rollup_stale_marks`
sequence) while a change waits for its recount, `refreshed_at` once recounted. Network-level,
no personal data: no Row-Level Security (a coordinator's change marks a partner too).
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil

revision = '0013_concurrency_b'
down_revision = '0013_concurrency'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.schema.CreateSequence(sa.Sequence('rollup_stale_marks')))
    op.create_table(
        'rollup_status',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('stale_mark', sa.BigInteger(), nullable=True),
        sa.Column('stale_since', network.core.timeutil.UTCDateTime(), nullable=True),
        sa.Column('refreshed_at', network.core.timeutil.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_rollup_status_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_rollup_status')),
    )
    op.create_index('ix_rollup_status_stale_since', 'rollup_status', ['stale_since'],
                    postgresql_where=sa.text('stale_mark IS NOT NULL'))


def downgrade():
    op.drop_table('rollup_status')
    op.execute(sa.schema.DropSequence(sa.Sequence('rollup_stale_marks')))
