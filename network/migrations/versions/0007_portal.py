"""portal: participants' accounts and contact sharing, invitations of participants, follow-up answers

Revision ID: 0007_portal
Revises: 0006_activities
Create Date: 2026-11-24 05:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0007_portal'
down_revision = '0006_activities'
branch_labels = None
depends_on = None

NEW_TABLES = ('participant_invitations', 'follow_up_answers')


def upgrade():
    for table in ('mentors', 'mentees'):
        op.add_column(table, sa.Column('user_id', sa.Integer(), nullable=True))
        op.add_column(table, sa.Column('shares_contact', sa.Boolean(), server_default=sa.false(), nullable=False))
        op.create_foreign_key(f'fk_{table}_user_id_users', table, 'users', ['user_id'], ['id'], ondelete='SET NULL')
        op.create_index(f'uq_{table}_tenant_user', table, ['tenant_id', 'user_id'], unique=True)

    op.create_table('participant_invitations',
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name=op.f('ck_participant_invitations_one_participant')),
    sa.ForeignKeyConstraint(['tenant_id', 'invitation_id'], ['invitations.tenant_id', 'invitations.id'], name=op.f('fk_participant_invitations_tenant_id_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_participant_invitations_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_participant_invitations_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_participant_invitations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_invitations')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_participant_invitations_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'invitation_id', name=op.f('uq_participant_invitations_tenant_id_invitation_id'))
    )
    op.create_index('ix_participant_invitations_tenant_mentee', 'participant_invitations', ['tenant_id', 'mentee_id'])
    op.create_index('ix_participant_invitations_tenant_mentor', 'participant_invitations', ['tenant_id', 'mentor_id'])

    op.create_table('follow_up_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('side', sa.Enum('mentor', 'mentee', name='follow_up_answer_side', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=True),
    sa.Column('submitted_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_follow_up_answers_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'process_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_follow_up_answers_tenant_id_process_id_mentoring_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_follow_up_answers_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_answers')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_follow_up_answers_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'process_id', 'sequence', 'side', name=op.f('uq_follow_up_answers_tenant_id_process_id_sequence_side'))
    )

    for table in NEW_TABLES:
        rls.enable_row_level_security(op, table)


def downgrade():
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    for table in ('mentees', 'mentors'):
        op.drop_index(f'uq_{table}_tenant_user', table_name=table)
        op.drop_constraint(f'fk_{table}_user_id_users', table, type_='foreignkey')
        op.drop_column(table, 'shares_contact')
        op.drop_column(table, 'user_id')
