"""accounts security: server-side sessions, login back-off, password-reset requests, two-factor

Revision ID: 0013_accounts
Revises: 0012_rollup_profiles
Create Date: 2026-12-03 10:00:00

Network-level tables (no tenant): the runtime role's rights on them come from 0001's default
privileges. Nothing to rebuild.
"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil

revision = '0013_accounts'
down_revision = '0013_onedb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('second_factor_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    op.create_table('login_backoffs',
    sa.Column('email_digest', sa.String(length=64), nullable=False),
    sa.Column('client_digest', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('blocked_until', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('email_digest', 'client_digest', name=op.f('pk_login_backoffs'))
    )
    op.create_table('password_reset_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_digest', sa.String(length=64), nullable=False),
    sa.Column('client_digest', sa.String(length=64), nullable=False),
    sa.Column('url_root', sa.String(length=300), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('requested_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('handled_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('sent', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests'))
    )
    op.create_index('ix_password_reset_requests_email_digest', 'password_reset_requests', ['email_digest', 'requested_at'], unique=False)
    op.create_index('ix_password_reset_requests_client_digest', 'password_reset_requests', ['client_digest', 'requested_at'], unique=False)
    op.create_table('two_factor_credentials',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_two_factor_credentials_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor_credentials'))
    )
    op.create_table('two_factor_recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_two_factor_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor_recovery_codes'))
    )
    op.create_index(op.f('ix_two_factor_recovery_codes_user_id'), 'two_factor_recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_two_factor_recovery_codes_user_id'), table_name='two_factor_recovery_codes')
    op.drop_table('two_factor_recovery_codes')
    op.drop_table('two_factor_credentials')
    op.drop_index('ix_password_reset_requests_client_digest', table_name='password_reset_requests')
    op.drop_index('ix_password_reset_requests_email_digest', table_name='password_reset_requests')
    op.drop_table('password_reset_requests')
    op.drop_table('login_backoffs')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
