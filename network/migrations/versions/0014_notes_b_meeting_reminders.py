"""meeting reminders and invitations: the next meeting scheduled on a process (its calendar
invitation's UID and sequence), each side's choice to stop reminders, files sent with an e-mail

Revision ID: 0014_notes_b
Revises: 0014_notes
Create Date: 2026-12-03 14:30:00
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil

# revision identifiers, used by Alembic.
revision = '0014_notes_b'
down_revision = '0014_notes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mentoring_processes') as batch_op:
        batch_op.add_column(sa.Column('next_meeting_at', network.core.timeutil.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_meeting_place', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('next_meeting_uid', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('next_meeting_sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('mentor_reminders_off', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('mentee_reminders_off', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('mentoring_processes') as batch_op:
        for column in ('mentee_reminders_off', 'mentor_reminders_off', 'next_meeting_sequence', 'next_meeting_uid',
                       'next_meeting_place', 'next_meeting_at'):
            batch_op.drop_column(column)
