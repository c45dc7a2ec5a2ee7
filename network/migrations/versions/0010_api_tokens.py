"""api tokens: users' personal tokens for the REST API (network-level; only a digest is stored)

Revision ID: 0010_api_tokens
Revises: 0009_privacy
Create Date: 2026-11-24 07:00:00

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil

# revision identifiers, used by Alembic.
revision = '0010_api_tokens'
down_revision = '0009_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('expires_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
