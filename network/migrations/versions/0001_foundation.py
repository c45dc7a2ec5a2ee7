"""foundation: tenants, accounts, invitations, audit log

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-24 03:50:52.350132

"""
import sqlalchemy as sa
from alembic import op

import network.core.timeutil
from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tenants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('kind', sa.Enum('coordination', 'municipality', 'ngo', 'immigrant_association', name='tenant_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('district', sa.Enum('aveiro', 'beja', 'braga', 'braganca', 'castelo_branco', 'coimbra', 'evora', 'faro', 'guarda', 'leiria', 'lisboa', 'portalegre', 'porto', 'santarem', 'setubal', 'viana_do_castelo', 'vila_real', 'viseu', 'acores', 'madeira', name='district', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('default_locale', sa.Enum('pt_PT', 'en', name='tenant_locale', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('preferred_locale', sa.Enum('pt_PT', 'en', name='user_locale', native_enum=False, create_constraint=True, length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('record_type', sa.String(length=64), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_events_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_audit_events_tenant_id_id'))
    )
    op.create_index('ix_audit_events_tenant_occurred', 'audit_events', ['tenant_id', 'occurred_at'])

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.Enum('coordinator', 'partner_admin', 'staff', 'mentor', 'mentee', name='invitation_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('expires_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', network.core.timeutil.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_invitations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_invitations_tenant_id_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('coordinator', 'partner_admin', 'staff', 'mentor', 'mentee', name='membership_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', network.core.timeutil.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_memberships_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'tenant_id', 'role', name=op.f('uq_memberships_user_id_tenant_id_role'))
    )
    op.create_index(op.f('ix_memberships_tenant_id'), 'memberships', ['tenant_id'])
    op.create_index(op.f('ix_memberships_user_id'), 'memberships', ['user_id'])
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)

    for statement in rls.create_roles_sql():
        op.execute(statement)
    # The audit log is append-only for the app.
    op.execute(f'REVOKE UPDATE, DELETE ON audit_events FROM {rls.RUNTIME_ROLE}')
    for table in ('audit_events', 'invitations'):
        rls.enable_row_level_security(op, table)


def downgrade():
    for table in ('memberships', 'invitations', 'audit_events', 'users', 'tenants'):
        op.drop_table(table)
