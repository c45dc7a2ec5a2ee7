"""processes: matching settings, mentoring processes, agreements, meetings, follow-ups, evaluations

Revision ID: 0004_processes
Revises: 0003_outbox
Create Date: 2026-11-24 04:18:50.283251

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil  # noqa: F401  (custom column types)
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0004_processes'
down_revision = '0003_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('matching_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weight_support_areas', sa.Integer(), nullable=False),
    sa.Column('weight_languages', sa.Integer(), nullable=False),
    sa.Column('weight_location', sa.Integer(), nullable=False),
    sa.Column('weight_availability', sa.Integer(), nullable=False),
    sa.Column('weight_load', sa.Integer(), nullable=False),
    sa.Column('weight_preferences', sa.Integer(), nullable=False),
    sa.Column('max_mentees_per_mentor', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_matching_settings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_settings')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_matching_settings_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_matching_settings_tenant_id'))
    )
    op.create_table('mentoring_processes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('matched', 'agreement_signed', 'active', 'in_evaluation', 'closed', 'cancelled', name='process_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('cadence', sa.Enum('monthly', 'bimonthly', 'quarterly', name='follow_up_cadence', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('matched_on', sa.Date(), nullable=False),
    sa.Column('activated_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('next_follow_up_on', sa.Date(), nullable=True),
    sa.Column('next_meeting_due_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Enum('goals_met', 'partly_met', 'not_met', 'redefined', name='process_outcome', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('cancel_reason', sa.String(length=1000), nullable=True),
    sa.Column('redefined_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mentoring_processes_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentee_id'], ['mentees.tenant_id', 'mentees.id'], name=op.f('fk_mentoring_processes_tenant_id_mentee_id_mentees'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'mentor_id'], ['mentors.tenant_id', 'mentors.id'], name=op.f('fk_mentoring_processes_tenant_id_mentor_id_mentors'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'redefined_from_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_mentoring_processes_tenant_id_redefined_from_id_mentoring_processes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_mentoring_processes_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentoring_processes')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_mentoring_processes_tenant_id_id'))
    )
    op.create_index('ix_mentoring_processes_tenant_follow_up', 'mentoring_processes', ['tenant_id', 'next_follow_up_on'])
    op.create_index('ix_mentoring_processes_tenant_meeting_due', 'mentoring_processes', ['tenant_id', 'next_meeting_due_on'])
    op.create_index('ix_mentoring_processes_tenant_mentee', 'mentoring_processes', ['tenant_id', 'mentee_id'])
    op.create_index('ix_mentoring_processes_tenant_mentor', 'mentoring_processes', ['tenant_id', 'mentor_id'])
    op.create_index('ix_mentoring_processes_tenant_state', 'mentoring_processes', ['tenant_id', 'state', 'id'])
    op.create_index('uq_mentoring_processes_open_pair', 'mentoring_processes', ['tenant_id', 'mentor_id', 'mentee_id'], unique=True, postgresql_where=sa.text("state IN ('matched', 'agreement_signed', 'active', 'in_evaluation')"))

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('meeting_frequency', sa.Enum('weekly', 'fortnightly', 'monthly', name='meeting_frequency', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'online', 'phone', 'mixed', name='agreement_mode', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('mentor_duties', sa.String(length=2000), nullable=False),
    sa.Column('mentee_duties', sa.String(length=2000), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('mentor_accepted_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('mentor_accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('mentee_accepted_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('mentee_accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_agreements_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentee_accepted_by_id'], ['users.id'], name=op.f('fk_agreements_mentee_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentor_accepted_by_id'], ['users.id'], name=op.f('fk_agreements_mentor_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'process_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_agreements_tenant_id_process_id_mentoring_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_agreements_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_agreements_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'process_id', 'version', name=op.f('uq_agreements_tenant_id_process_id_version'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('mentor', 'mentee', name='evaluation_side', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('would_repeat', sa.Boolean(), nullable=False),
    sa.Column('comments', sa.String(length=2000), nullable=True),
    sa.Column('submitted_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_evaluations_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'process_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_evaluations_tenant_id_process_id_mentoring_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_evaluations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_evaluations_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'process_id', 'side', name=op.f('uq_evaluations_tenant_id_process_id_side'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('mentor_satisfaction', sa.Integer(), nullable=True),
    sa.Column('mentee_satisfaction', sa.Integer(), nullable=True),
    sa.Column('issues', sa.String(length=2000), nullable=True),
    sa.Column('actions', sa.String(length=2000), nullable=True),
    sa.Column('recorded_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_follow_ups_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'process_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_follow_ups_tenant_id_process_id_mentoring_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_follow_ups_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_follow_ups_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'process_id', 'sequence', name=op.f('uq_follow_ups_tenant_id_process_id_sequence'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'online', 'phone', name='meeting_mode', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('notes', sa.String(length=4000), nullable=True),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('logged_as', sa.Enum('staff', 'mentor', 'mentee', name='meeting_logged_as', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['logged_by_id'], ['users.id'], name=op.f('fk_meetings_logged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'process_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_meetings_tenant_id_process_id_mentoring_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_meetings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_meetings_tenant_id_id'))
    )
    op.create_index('ix_meetings_tenant_process_held', 'meetings', ['tenant_id', 'process_id', 'held_on'])

    op.create_table('process_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('created', 'state_changed', 'agreement_saved', 'agreement_accepted', 'meeting_logged', 'follow_up_recorded', 'evaluation_submitted', name='process_event_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('occurred_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_process_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'process_id'], ['mentoring_processes.tenant_id', 'mentoring_processes.id'], name=op.f('fk_process_events_tenant_id_process_id_mentoring_processes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_process_events_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_events')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_process_events_tenant_id_id'))
    )
    op.create_index('ix_process_events_tenant_process', 'process_events', ['tenant_id', 'process_id'])

    op.create_table('agreement_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('wish', 'dream', 'need', 'challenge', name='goal_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'agreement_id'], ['agreements.tenant_id', 'agreements.id'], name=op.f('fk_agreement_goals_tenant_id_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_agreement_goals_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_goals')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_agreement_goals_tenant_id_id'))
    )
    op.create_table('goal_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('met', 'partly', 'not_met', name='goal_outcome', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'evaluation_id'], ['evaluations.tenant_id', 'evaluations.id'], name=op.f('fk_goal_outcomes_tenant_id_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'goal_id'], ['agreement_goals.tenant_id', 'agreement_goals.id'], name=op.f('fk_goal_outcomes_tenant_id_goal_id_agreement_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_goal_outcomes_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_outcomes')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_goal_outcomes_tenant_id_id'))
    )
    op.create_table('goal_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'follow_up_id'], ['follow_ups.tenant_id', 'follow_ups.id'], name=op.f('fk_goal_progress_tenant_id_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'goal_id'], ['agreement_goals.tenant_id', 'agreement_goals.id'], name=op.f('fk_goal_progress_tenant_id_goal_id_agreement_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_goal_progress_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_progress')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_goal_progress_tenant_id_id'))
    )
    for table in ('matching_settings', 'mentoring_processes', 'agreements', 'evaluations', 'follow_ups', 'meetings', 'process_events', 'agreement_goals', 'goal_outcomes', 'goal_progress'):
        rls.enable_row_level_security(op, table)


def downgrade():
    for table in ('goal_progress', 'goal_outcomes', 'agreement_goals', 'process_events', 'meetings', 'follow_ups', 'evaluations', 'agreements', 'mentoring_processes', 'matching_settings'):
        op.drop_table(table)
