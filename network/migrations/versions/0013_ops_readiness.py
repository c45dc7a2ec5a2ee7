"""ops: /readyz reads the schema's version as the runtime role

Revision ID: 0013_ops
Revises: 0013_accounts
Create Date: 2026-12-03 12:50:00

The app logs in as rede_app_login, which holds no right of its own (0013_onedb): the readiness
probe switches to rede_app like any transaction and may read (only read) which migration the
schema is at, to report a host whose code is ahead of its database as not ready.
"""
from alembic import op

revision = '0013_ops'
down_revision = '0013_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("GRANT SELECT ON alembic_version TO rede_app")


def downgrade():
    op.execute("REVOKE SELECT ON alembic_version FROM rede_app")
