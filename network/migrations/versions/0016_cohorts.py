"""cohorts: the impact roll-ups by year of matching instead of month; every partner recounted

Revision ID: 0016_cohorts
Revises: 0015_dashperf
Create Date: 2026-12-03 21:00:00

The impact rows of `rollup_counts` and `rollup_national` are now keyed by the cohort's year
('YYYY' in `month`; network.national.dashboards.impact_rows). No schema changes: every partner
is marked stale, so the sweep's recount (`hooks.recount_stale_partners`) replaces its monthly
impact rows with yearly ones and moves the national sums by the difference, as it does for any
change. Until then the impact pages show the partners already recounted; `flask rollups
rebuild` does all of them at once.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_cohorts'
down_revision = '0015_dashperf'
branch_labels = None
depends_on = None

MARK_EVERY_PARTNER_STALE = """
INSERT INTO rollup_status (tenant_id, stale_mark, stale_since)
SELECT id, nextval('rollup_stale_marks'), now() FROM tenants WHERE kind <> 'coordination'
ON CONFLICT (tenant_id) DO UPDATE
SET stale_mark = excluded.stale_mark, stale_since = coalesce(rollup_status.stale_since, excluded.stale_since)
"""


def upgrade():
    op.execute(MARK_EVERY_PARTNER_STALE)


def downgrade():
    # The code before this revision reads monthly impact rows: recount them again.
    op.execute(MARK_EVERY_PARTNER_STALE)
