"""activities: partner and network activities, invitations and attendance, referrals, companies' contact

Revision ID: 0006_activities
Revises: 0005_rollups
Create Date: 2026-11-24 04:35:37.937417

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0006_activities'
down_revision = '0005_rollups'
branch_labels = None
depends_on = None

ACTIVITY_KINDS = ('training_mentors', 'training_mentees', 'workshop', 'presentation_session', 'company_presentation',
                  'seminar', 'annual_meeting')
AUDIENCES = ('mentors', 'mentees', 'participants', 'partners', 'companies', 'public')
REFERRAL_SOURCES = ('social_services', 'employment_centre', 'school', 'health_service', 'association', 'company',
                    'information_session', 'word_of_mouth', 'other')


def _activity_columns():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('facilitator_name', sa.String(length=200), nullable=True),
        sa.Column('description', sa.String(length=2000), nullable=True),
        sa.Column('created_at', network.core.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
    ]


def upgrade():
    op.create_table('network_activities',
    *_activity_columns(),
    sa.Column('kind', sa.Enum(*ACTIVITY_KINDS, name='network_activity_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('audience', sa.Enum(*AUDIENCES, name='network_activity_audience', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_network_activities_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_network_activities_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_activities'))
    )
    op.create_index('ix_network_activities_held_on', 'network_activities', ['held_on'])

    op.create_table('activities',
    *_activity_columns(),
    sa.Column('kind', sa.Enum(*ACTIVITY_KINDS, name='activity_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('audience', sa.Enum(*AUDIENCES, name='activity_audience', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('facilitator_mentor_id', sa.Integer(), nullable=True),
    sa.Column('facilitator_mentee_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('facilitator_mentor_id IS NULL OR facilitator_mentee_id IS NULL', name=op.f('ck_activities_one_facilitating_participant')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_activities_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'facilitator_mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_activities_tenant_id_facilitator_mentee_id_mentees')),
    sa.ForeignKeyConstraint(['tenant_id', 'facilitator_mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_activities_tenant_id_facilitator_mentor_id_mentors')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_activities_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_activities_tenant_id_id'))
    )
    op.create_index('ix_activities_tenant_held_on', 'activities', ['tenant_id', 'held_on'])
    rls.enable_row_level_security(op, 'activities')

    op.create_table('activity_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('network_activity_id', sa.Integer(), nullable=True),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('invited_at', network.core.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('attendance_recorded_at', network.core.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attendance_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(activity_id IS NULL) <> (network_activity_id IS NULL)', name=op.f('ck_activity_invitations_one_activity')),
    sa.CheckConstraint('(mentor_id IS NULL) <> (mentee_id IS NULL)', name=op.f('ck_activity_invitations_one_participant')),
    sa.ForeignKeyConstraint(['attendance_recorded_by_id'], ['users.id'], name=op.f('fk_activity_invitations_attendance_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_activity_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_activity_id'], ['network_activities.id'], name=op.f('fk_activity_invitations_network_activity_id_network_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'activity_id'], ['activities.tenant_id', 'activities.id'], name=op.f('fk_activity_invitations_tenant_id_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_activity_invitations_tenant_id_mentee_id_mentees'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_activity_invitations_tenant_id_mentor_id_mentors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_activity_invitations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_invitations')),
    sa.UniqueConstraint('tenant_id', 'activity_id', 'mentee_id', name=op.f('uq_activity_invitations_tenant_id_activity_id_mentee_id')),
    sa.UniqueConstraint('tenant_id', 'activity_id', 'mentor_id', name=op.f('uq_activity_invitations_tenant_id_activity_id_mentor_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_activity_invitations_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'network_activity_id', 'mentee_id', name=op.f('uq_activity_invitations_tenant_id_network_activity_id_mentee_id')),
    sa.UniqueConstraint('tenant_id', 'network_activity_id', 'mentor_id', name=op.f('uq_activity_invitations_tenant_id_network_activity_id_mentor_id'))
    )
    op.create_index('ix_activity_invitations_network_activity', 'activity_invitations', ['network_activity_id'])
    op.create_index('ix_activity_invitations_tenant_mentee', 'activity_invitations', ['tenant_id', 'mentee_id'])
    op.create_index('ix_activity_invitations_tenant_mentor', 'activity_invitations', ['tenant_id', 'mentor_id'])
    rls.enable_row_level_security(op, 'activity_invitations')

    op.add_column('companies', sa.Column('contact_name', sa.String(length=200), nullable=True))
    op.add_column('companies', sa.Column('contact_email', sa.String(length=254), nullable=True))
    op.add_column('companies', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    for table in ('mentors', 'mentees'):
        if table == 'mentors':
            op.add_column(table, sa.Column('referral_source', sa.Enum(*REFERRAL_SOURCES, name='referral_source', native_enum=False, create_constraint=True, length=32), nullable=True))
        else:
            op.add_column(table, sa.Column('training_completed_on', sa.Date(), nullable=True))
        op.add_column(table, sa.Column('referral_activity_id', sa.Integer(), nullable=True))
        op.add_column(table, sa.Column('referral_network_activity_id', sa.Integer(), nullable=True))
        op.create_foreign_key(f'fk_{table}_tenant_id_referral_activity_id_activities', table, 'activities', ['tenant_id', 'referral_activity_id'], ['tenant_id', 'id'], ondelete='RESTRICT')
        op.create_foreign_key(f'fk_{table}_referral_network_activity_id_network_activities', table, 'network_activities', ['referral_network_activity_id'], ['id'], ondelete='SET NULL')


def downgrade():
    for table in ('mentees', 'mentors'):
        op.drop_constraint(f'fk_{table}_referral_network_activity_id_network_activities', table, type_='foreignkey')
        op.drop_constraint(f'fk_{table}_tenant_id_referral_activity_id_activities', table, type_='foreignkey')
        op.drop_column(table, 'referral_network_activity_id')
        op.drop_column(table, 'referral_activity_id')
        op.drop_column(table, 'referral_source' if table == 'mentors' else 'training_completed_on')
    op.drop_column('companies', 'active')
    op.drop_column('companies', 'contact_email')
    op.drop_column('companies', 'contact_name')
    op.drop_table('activity_invitations')
    op.drop_table('activities')
    op.drop_table('network_activities')
