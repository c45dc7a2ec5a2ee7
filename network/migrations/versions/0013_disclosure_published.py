"""disclosure: the published (rounded) count beside every roll-up count, and the rounding key

Revision ID: 0013_disclosure
Revises: 0012_rollup_profiles
Create Date: 2026-12-03 10:00:00

Every count of people a coordinator reads is a sum of published partner counts
(`docs/disclosure.md`): each roll-up row keeps its exact `count` and its `published` count,
rounded up or down to a multiple of the rounding base by a keyed hash of the row's identity.
The key is drawn once here, in the database, and never shown: knowing it would tell which way
each count was rounded. Both roll-up tables are emptied: run `flask rollups rebuild` after
upgrading.
"""
import secrets

import sqlalchemy as sa
from alembic import op

from network.core.tenancy import rls

# revision identifiers, used by Alembic.
revision = '0013_disclosure'
down_revision = '0013_ops'
branch_labels = None
depends_on = None


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    # TRUNCATE on PostgreSQL: Row-Level Security (forced on `rollup_counts`) hides rows from a DELETE.
    op.execute("TRUNCATE rollup_counts, rollup_national" if postgresql else "DELETE FROM rollup_counts")
    if not postgresql:
        op.execute("DELETE FROM rollup_national")
    op.add_column('rollup_counts', sa.Column('published', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('rollup_national', sa.Column('published', sa.BigInteger(), nullable=False, server_default='0'))
    op.create_table(
        'disclosure_key',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('secret', sa.String(64), nullable=False),
        sa.CheckConstraint('id = 1', name='ck_disclosure_key_one_row'),
    )
    op.execute(sa.text("INSERT INTO disclosure_key (id, secret) VALUES (1, :secret)")
               .bindparams(secret=secrets.token_hex(32)))
    if postgresql:
        # Read by the roll-up statements (as the runtime and the national role); changed by nobody.
        op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON disclosure_key FROM {rls.RUNTIME_ROLE}")


def downgrade():
    op.drop_table('disclosure_key')
    op.drop_column('rollup_national', 'published')
    op.drop_column('rollup_counts', 'published')
