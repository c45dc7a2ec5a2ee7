"""concurrency: row versions on edited records, one open process per mentee, submission keys

Revision ID: 0013_concurrency
Revises: 0012_rollup_profiles

- `row_version` (SQLAlchemy's `version_id_col`) on every record people edit through a form or
  PUT: of two saves from the same version, the second changes nothing (409).
- A mentee has at most one open process (a partial unique index): of two staff matching the
  same waiting mentee at once, the second is refused by the database. Upgrading fails if a
  mentee already has two open processes: cancel one of them first.
- `submission_keys`: the one-time keys of create forms and of the API's `Idempotency-Key`,
  scoped by workspace (nullable) and user; Row-Level Security as the outbox.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

revision = '0013_concurrency'
down_revision = '0012_rollup_profiles'
branch_labels = None
depends_on = None

VERSIONED_TABLES = ('mentors', 'mentees', 'mentoring_processes', 'agreements', 'evaluations', 'follow_up_answers',
                    'matching_settings', 'privacy_settings', 'companies', 'tenants', 'question_sets',
                    'partner_questions', 'activities', 'network_activities')
OPEN_STATE_SQL = "state IN ('matched', 'agreement_signed', 'active', 'in_evaluation')"


def upgrade():
    for table in VERSIONED_TABLES:
        op.add_column(table, sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))
    op.create_index('uq_mentoring_processes_open_mentee', 'mentoring_processes', ['tenant_id', 'mentee_id'],
                    unique=True, postgresql_where=sa.text(OPEN_STATE_SQL))
    op.create_table(
        'submission_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('location', sa.String(length=500), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_submission_keys_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submission_keys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_keys')),
    )
    op.create_index('uq_submission_keys_scope', 'submission_keys', ['tenant_id', 'user_id', 'key'], unique=True,
                    postgresql_nulls_not_distinct=True)
    op.create_index('ix_submission_keys_created', 'submission_keys', ['created_at'])
    rls.enable_nullable_tenant_row_level_security(op, 'submission_keys')


def downgrade():
    op.drop_table('submission_keys')
    op.drop_index('uq_mentoring_processes_open_mentee', table_name='mentoring_processes')
    for table in VERSIONED_TABLES:
        op.drop_column(table, 'row_version')
