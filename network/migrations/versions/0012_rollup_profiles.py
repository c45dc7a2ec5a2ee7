"""rollup profiles: mentee breakdowns stored by profile; signed agreements indexed

Revision ID: 0012_rollup_profiles
Revises: 0011_perf
Create Date: 2026-11-24 10:00:00

The partner roll-ups now keep one row per (month, country|age band|gender|residence) for the
mentee tables where there were four (one per dimension): about 30 % fewer rows at the `europe`
size. Rows of the old shape cannot be converted
(the combinations are not in them), so both roll-up tables are emptied here: run
`flask rollups rebuild` after upgrading (each partner's next change also recounts it).

A partial index holds the signed-agreement events, which the roll-ups count by month, out of
the many events of the timeline (1 in 17 at the `europe` size).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_rollup_profiles'
down_revision = '0011_perf'
branch_labels = None
depends_on = None


AGREEMENT_SIGNED_EVENT = "to_state = 'agreement_signed'"


def _empty_rollups():
    # TRUNCATE: Row-Level Security (forced on `rollup_counts`) would hide its rows from a
    # DELETE by the owner.
    op.execute("TRUNCATE rollup_counts, rollup_national")


def upgrade():
    op.create_index('ix_process_events_agreement_signed', 'process_events', ['tenant_id', 'occurred_at', 'process_id'],
                    unique=False, postgresql_where=sa.text(AGREEMENT_SIGNED_EVENT))
    _empty_rollups()


def downgrade():
    op.drop_index('ix_process_events_agreement_signed', table_name='process_events')
    _empty_rollups()
