"""casework: a responsible staff member on mentors, mentees and processes; snoozed tasks; each
participant's preferred language

Revision ID: 0014_casework
Revises: 0013_disclosure
Create Date: 2026-12-03 14:30:00

`owner_id` points at a user (network-level, like `created_by_id`): the services accept only
the partner's own staff. The new table `task_snoozes` is tenant-owned, with the same Row-Level
Security as the others. Everyone registered so far is written to in the language of their
portal account, or in Portuguese, until they or staff choose otherwise.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0014_casework'
down_revision = '0013_disclosure'
branch_labels = None
depends_on = None

PARTICIPANT_TABLES = ('mentors', 'mentees')


def upgrade():
    for table in PARTICIPANT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column(
                'preferred_language',
                sa.Enum('pt_PT', 'en', name='preferred_language', native_enum=False, create_constraint=True, length=8),
                server_default='pt_PT', nullable=False))
            batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f(f'fk_{table}_owner_id_users'), 'users', ['owner_id'], ['id'],
                                        ondelete='SET NULL')
            batch_op.create_index(f'ix_{table}_tenant_owner', ['tenant_id', 'owner_id'], unique=False)
    for table in PARTICIPANT_TABLES:
        # Those who chose English for their portal account are written to in English, as before.
        op.execute(f"UPDATE {table} SET preferred_language = 'en' FROM users "
                   f"WHERE users.id = {table}.user_id AND users.preferred_locale = 'en'")
    with op.batch_alter_table('mentoring_processes') as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_mentoring_processes_owner_id_users'), 'users', ['owner_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index('ix_mentoring_processes_tenant_owner', ['tenant_id', 'owner_id'], unique=False)
    op.create_table('task_snoozes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('follow_up_due', 'meeting_overdue', 'mentee_interview', 'mentor_interview',
                              'agreement_pending', 'evaluation_missing', name='task_kind', native_enum=False,
                              create_constraint=True, length=24), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_task_snoozes_tenant_id_tenants'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_task_snoozes_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_snoozes')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_task_snoozes_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'kind', 'subject_id', name=op.f('uq_task_snoozes_tenant_id_kind_subject_id'))
    )
    rls.enable_row_level_security(op, 'task_snoozes')


def downgrade():
    op.drop_table('task_snoozes')
    with op.batch_alter_table('mentoring_processes') as batch_op:
        batch_op.drop_index('ix_mentoring_processes_tenant_owner')
        batch_op.drop_constraint(op.f('fk_mentoring_processes_owner_id_users'), type_='foreignkey')
        batch_op.drop_column('owner_id')
    for table in PARTICIPANT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(f'ix_{table}_tenant_owner')
            batch_op.drop_constraint(op.f(f'fk_{table}_owner_id_users'), type_='foreignkey')
            batch_op.drop_column('owner_id')
            batch_op.drop_column('preferred_language')
